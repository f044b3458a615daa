//! ASYNC120: a checkpoint in an `except` handler that re-raises.

use ruff_text_size::TextRange;

use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags `await`, `async for` and `async with` inside an `except` handler that does
    /// not catch cancellation, when a `raise` follows it in the handler, unless it runs
    /// in a shielded cancel scope. Same code and meaning as flake8-async's ASYNC120.
    ///
    /// ## Why is this bad?
    /// The handler means to re-raise the error it caught, after some async work (logging
    /// to a remote service, a rollback). If the task is cancelled during that await, the
    /// cancellation exception propagates instead and the original error is lost: the
    /// caller never learns what failed, and the traceback only says "cancelled".
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def save(db, record):
    ///     try:
    ///         await db.insert(record)
    ///     except ValueError:
    ///         await db.rollback()
    ///         raise
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def save(db, record):
    ///     try:
    ///         await db.insert(record)
    ///     except ValueError:
    ///         with trio.CancelScope(shield=True):
    ///             await db.rollback()
    ///         raise
    /// ```
    ///
    /// ## Fix safety
    /// No fix: shielding needs a timeout chosen by the author, or the work moved out.
    "ASYNC120" "await-in-except" {
        library: "trio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn report(checker: &mut Checker, range: TextRange, what: &str) {
    checker.report(
        RULE,
        range,
        format!(
            "`{what}` in this `except` handler is a checkpoint: if the task is cancelled \
             here, the cancellation replaces the exception the handler re-raises below and \
             the original error is lost; shield it or move it after the handler"
        ),
        None,
    );
}
