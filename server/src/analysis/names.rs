//! Resolving what an expression names: `t.sleep` with `import trio as t` is `trio.sleep`.

use ruff_python_ast::Expr;

/// The dotted text of a name or attribute chain as written (`a.b.c`), if it is one.
pub fn dotted_name(expr: &Expr) -> Option<String> {
    let mut parts = Vec::new();
    let mut current = expr;
    loop {
        match current {
            Expr::Name(name) => {
                parts.push(name.id.as_str());
                break;
            }
            Expr::Attribute(attribute) => {
                parts.push(attribute.attr.id.as_str());
                current = &attribute.value;
            }
            _ => return None,
        }
    }
    parts.reverse();
    Some(parts.join("."))
}

/// The last segment of a callee: the method name of `x.y.start_soon`, or the bare name.
pub fn last_segment(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attribute) => Some(attribute.attr.id.as_str()),
        _ => None,
    }
}

/// The receiver of a method call as written (`nursery` in `nursery.start_soon`).
pub fn receiver(expr: &Expr) -> Option<&Expr> {
    match expr {
        Expr::Attribute(attribute) => Some(&attribute.value),
        _ => None,
    }
}
