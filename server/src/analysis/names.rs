//! Resolving what an expression names: `t.sleep` with `import trio as t` is `trio.sleep`.

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use super::depth::guarded;

/// The dotted text of a name or attribute chain as written (`a.b.c`), if it is one.
pub fn dotted_name(expr: &Expr) -> Option<String> {
    let head = head_name(expr)?;
    Some(with_tail(head, expr))
}

/// The name an attribute chain starts from (`a` in `a.b.c`); `None` when the chain starts
/// from anything else (a call, a subscript, a literal).
pub fn head_name(expr: &Expr) -> Option<&str> {
    let mut current = expr;
    loop {
        match current {
            Expr::Name(name) => return Some(name.id.as_str()),
            Expr::Attribute(attribute) => current = &attribute.value,
            _ => return None,
        }
    }
}

/// `head` followed by the attribute segments of `expr`'s chain (`with_tail("trio",
/// t.lowlevel.checkpoint)` is `trio.lowlevel.checkpoint`). Runs for every call node, so it
/// allocates once: the chain's source range bounds its dotted length.
pub fn with_tail(head: &str, expr: &Expr) -> String {
    fn push_tail(expr: &Expr, out: &mut String) {
        if let Expr::Attribute(attribute) = expr {
            guarded(|| push_tail(&attribute.value, out));
            out.push('.');
            out.push_str(attribute.attr.id.as_str());
        }
    }
    let mut out = String::with_capacity(head.len() + expr.range().len().to_usize());
    out.push_str(head);
    push_tail(expr, &mut out);
    out
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
