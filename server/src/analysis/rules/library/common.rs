//! Helpers the library rules share: constant detection and nursery recognition.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::checker::Checker;
use crate::analysis::depth::guarded;
use crate::analysis::diagnostic::{Edit, Fix};

/// A literal, or arithmetic on literals: what flake8-async calls a constant.
pub(crate) fn is_constant(expr: &Expr) -> bool {
    guarded(|| match expr {
        Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::BytesLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::NoneLiteral(_)
        | Expr::EllipsisLiteral(_) => true,
        Expr::BinOp(binary) => is_constant(&binary.left) && is_constant(&binary.right),
        _ => false,
    })
}

/// `trio.sleep`-style callee: `(library, function)` when the call resolves to
/// `trio.<function>` or `anyio.<function>` for one of `names`.
pub(crate) fn trio_or_anyio<'q>(
    qualified: Option<&'q str>,
    names: &[&str],
) -> Option<(&'q str, &'q str)> {
    // Asked for every call by several rules: prefix tests, no search for the dot.
    let qualified = qualified?;
    let base_len = if qualified.starts_with("trio.") {
        4
    } else if qualified.starts_with("anyio.") {
        5
    } else {
        return None;
    };
    let (base, name) = (&qualified[..base_len], &qualified[base_len + 1..]);
    names.contains(&name).then_some((base, name))
}

/// The fix of ASYNC115 and ASYNC116: replace the whole call with `<module>.<replacement>`,
/// reaching the library through the callee's own receiver (so `t.sleep(0)` becomes
/// `t.lowlevel.checkpoint()` under `import trio as t`). No fix for a bare imported name,
/// which would need a new import.
pub(crate) fn replace_library_call(
    checker: &Checker,
    call: &ast::ExprCall,
    base: &str,
    replacement: &str,
) -> Option<Fix> {
    let module = module_receiver(checker, &call.func, base)?;
    let replacement = format!("{module}.{replacement}");
    Some(Fix::new(
        format!("Replace with `{replacement}`"),
        vec![Edit::replace(call.range(), replacement)],
    ))
}

/// Text that reaches library `base` from a callee as written, when the callee is an
/// attribute of the library module (`trio.sleep`, `t.sleep` with `import trio as t`):
/// the receiver's source. `None` for a bare imported name (`from trio import sleep`),
/// where a replacement would need a new import.
fn module_receiver<'a>(checker: &Checker<'a>, func: &Expr, base: &str) -> Option<&'a str> {
    let Expr::Attribute(attribute) = func else {
        return None;
    };
    (checker.qualified_name(&attribute.value).as_deref() == Some(base))
        .then(|| checker.source(attribute.value.range()))
}

/// Whether `expr` (a name) is a trio nursery or an asyncell background nursery: bound by
/// `async with trio.open_nursery() as <name>` around the current node, or named like
/// one (`nursery`, `GLOBAL_NURSERY`).
pub(crate) fn is_nursery(checker: &Checker, expr: &Expr) -> bool {
    let name = match expr {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attribute) => attribute.attr.id.as_str(),
        _ => return false,
    };
    if name.to_ascii_lowercase().contains("nursery") {
        return true;
    }
    let Expr::Name(_) = expr else { return false };
    checker.enclosing_stmts().iter().any(|stmt| {
        let Stmt::With(with) = stmt else { return false };
        with.items
            .iter()
            .any(|item| binds_nursery(checker, item, name))
    })
}

fn binds_nursery(checker: &Checker, item: &ast::WithItem, name: &str) -> bool {
    let Some(Expr::Name(target)) = item.optional_vars.as_deref() else {
        return false;
    };
    let Expr::Call(call) = &item.context_expr else {
        return false;
    };
    target.id.as_str() == name
        && checker.qualified_name(&call.func).as_deref() == Some("trio.open_nursery")
}
