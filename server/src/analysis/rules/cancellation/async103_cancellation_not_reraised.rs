//! ASYNC103: a handler that catches cancellation and does not re-raise it on every path.

use super::handlers::CancelCatch;
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags an `except` handler that catches cancellation (`trio.Cancelled`,
    /// `anyio.get_cancelled_exc_class()`, `asyncio.CancelledError`, `BaseException`, or
    /// a bare `except:`) when some path through it ends without re-raising. A
    /// catch-all after a handler of the same `try` that catches cancellation (one that
    /// names it, or an earlier `except BaseException:`) is not checked: cancellation
    /// never reaches it. A handler that names a cancellation exception is checked
    /// wherever it stands, as in flake8-async. Same code and meaning as flake8-async's ASYNC103.
    ///
    /// ## Why is this bad?
    /// Cancellation is how a nursery, a timeout or `Ctrl+C` stops a task. Swallowing it
    /// leaves the task running after it was told to stop: a `move_on_after` block
    /// overruns its deadline, a nursery waits forever for a child that ignored its
    /// cancellation, and trio may raise a `RuntimeError` about a corrupted cancel stack.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def poll(conn):
    ///     try:
    ///         await conn.fetch()
    ///     except BaseException:
    ///         log_failure()
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def poll(conn):
    ///     try:
    ///         await conn.fetch()
    ///     except BaseException:
    ///         log_failure()
    ///         raise
    /// ```
    ///
    /// ## Fix safety
    /// No fix: where the handler should re-raise depends on what it does.
    "ASYNC103" "cancelled-not-reraised" {
        library: "trio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

/// Reports a handler; `suggestion` is the library's cancellation exception to handle
/// first, for a catch-all.
pub(crate) fn report(checker: &mut Checker, catch: &CancelCatch, suggestion: Option<&str>) {
    let mut message = format!(
        "{} catches cancellation, and some path through it does not re-raise: the task \
         keeps running after it was cancelled; end every path with `raise`",
        catch.describe()
    );
    if let Some(cancelled) = suggestion {
        message.push_str(&format!(
            ", or add `except {cancelled}: raise` before this handler"
        ));
    }
    checker.report(RULE, catch.range, message, None);
}
