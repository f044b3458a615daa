//! Saving `anyio.get_cancelled_exc_class()` in a variable.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags assigning `anyio.get_cancelled_exc_class()` (or the function itself) to a
    /// variable, and importing it under another name.
    ///
    /// ## Why is this bad?
    /// The cancellation exception depends on the backend that is running: trio's
    /// `Cancelled` or asyncio's `CancelledError`. A value saved at import time, or in
    /// one run, is wrong for the other backend. It also hides the class from linters,
    /// which can then no longer see that an `except` clause catches cancellation and
    /// must re-raise it.
    ///
    /// ## Example
    /// ```python
    /// import anyio
    ///
    /// Cancelled = anyio.get_cancelled_exc_class()
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import anyio
    ///
    /// async def worker():
    ///     try:
    ///         await anyio.sleep(1)
    ///     except anyio.get_cancelled_exc_class():
    ///         raise
    /// ```
    ///
    /// ## Fix safety
    /// No fix: each use of the variable has to call the function instead.
    "ASYNC118" "cancelled-class-saved" {
        library: "anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

const MESSAGE: &str = "the cancellation class depends on the running backend: call \
                       `anyio.get_cancelled_exc_class()` where it is needed instead of saving \
                       it";

pub(crate) fn check(checker: &mut Checker, stmt: &Stmt) {
    if !checker.enabled(RULE) {
        return;
    }
    let value = match stmt {
        Stmt::Assign(assign) => &assign.value,
        Stmt::AnnAssign(ast::StmtAnnAssign {
            value: Some(value), ..
        }) => value,
        Stmt::ImportFrom(ast::StmtImportFrom {
            module: Some(module),
            names,
            level: 0,
            ..
        }) if module.id.as_str() == "anyio" => {
            if names.iter().any(|alias| {
                alias.name.id.as_str() == "get_cancelled_exc_class" && alias.asname.is_some()
            }) {
                checker.report(RULE, stmt.range(), MESSAGE, None);
            }
            return;
        }
        _ => return,
    };
    let target = match value.as_ref() {
        Expr::Call(call) => call.func.as_ref(),
        other => other,
    };
    let resolved = checker.qualified_name(target);
    // A bare `get_cancelled_exc_class` counts even when the import is not visible
    // (another module's star import), as flake8-async does.
    if matches!(
        resolved.as_deref(),
        Some("anyio.get_cancelled_exc_class" | "get_cancelled_exc_class")
    ) {
        checker.report(RULE, value.range(), MESSAGE, None);
    }
}
