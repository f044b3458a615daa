//! What the checkpoint rules recognise by name: cancel scopes and task groups of trio,
//! anyio and asyncio, context managers that may swallow exceptions, and the user's
//! patterns (`no-checkpoint-warning-decorators`, `exception-suppress-context-managers`).

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::analysis::checker::Checker;
use crate::fnmatch::fnmatch;

/// `trio.move_on_after` and the other cancel scopes and timeouts of trio, anyio and
/// asyncio.
pub(crate) fn is_cancel_scope(qualified: &str) -> bool {
    let Some((module, name)) = qualified.rsplit_once('.') else {
        return false;
    };
    match module {
        "trio" | "anyio" => matches!(
            name,
            "fail_after" | "fail_at" | "move_on_after" | "move_on_at" | "CancelScope"
        ),
        "asyncio" => matches!(name, "timeout" | "timeout_at"),
        _ => false,
    }
}

pub(super) fn is_taskgroup(qualified: &str) -> bool {
    matches!(qualified, "trio.open_nursery" | "anyio.create_task_group")
}

/// Whether a `with` item may swallow exceptions: `contextlib.suppress(...)` or a call
/// matching `exception-suppress-context-managers`.
pub(super) fn is_suppressing(checker: &Checker, item: &Expr) -> bool {
    let Expr::Call(call) = item else {
        return false;
    };
    if !matches!(call.func.as_ref(), Expr::Name(_) | Expr::Attribute(_)) {
        return false;
    }
    let qualified = checker.qualified_name(&call.func);
    if qualified.as_deref() == Some("contextlib.suppress") {
        return true;
    }
    let patterns = &checker.options().exception_suppress_context_managers;
    !patterns.is_empty() && matches_any(checker, &call.func, patterns)
}

/// Whether an expression (a decorator or a called function) matches one of the
/// user's patterns: by its source text or its qualified name, `*` and `?` as in shell
/// globs, a leading `@` ignored.
pub(crate) fn matches_any(checker: &Checker, expr: &Expr, patterns: &[String]) -> bool {
    let expr = match expr {
        Expr::Call(call) => call.func.as_ref(),
        other => other,
    };
    let source = checker.source(expr.range());
    let qualified = checker.qualified_name(expr);
    patterns.iter().any(|pattern| {
        let pattern = pattern.trim_start_matches('@');
        fnmatch(pattern, source) || qualified.as_deref().is_some_and(|q| fnmatch(pattern, q))
    })
}
