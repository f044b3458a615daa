//! ASYNC104: a handler that caught cancellation leaves by `return`, `break`,
//! `continue`, `yield` or by raising something else.

use ruff_text_size::TextRange;

use super::handlers::CancelCatch;
use super::reraise::Exit;
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags `return`, `yield`, `break`, `continue` (of a loop outside the handler) and
    /// `raise` of another exception inside an `except` handler that catches
    /// cancellation (`trio.Cancelled`, `anyio.get_cancelled_exc_class()`,
    /// `asyncio.CancelledError`, `BaseException`, bare `except:`), on a path where the
    /// caught exception has not been re-raised yet. A catch-all after a handler of the
    /// same `try` that already catches cancellation is not checked. Same code and
    /// meaning as flake8-async's ASYNC104.
    ///
    /// ## Why is this bad?
    /// Each of these ends the handler without the cancellation: `return` and friends
    /// drop it, and raising another exception replaces it (the cancellation is only
    /// kept as `__context__`). The cancel scope that was meant to stop the task never
    /// sees its own cancellation arrive, so timeouts overrun and nurseries hang.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def fetch(conn):
    ///     try:
    ///         return await conn.get()
    ///     except trio.Cancelled:
    ///         return None
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def fetch(conn):
    ///     try:
    ///         return await conn.get()
    ///     except trio.Cancelled:
    ///         conn.abort()
    ///         raise
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the handler's logic has to change.
    "ASYNC104" "cancelled-not-raised" {
        library: "trio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn report(checker: &mut Checker, range: TextRange, exit: Exit, catch: &CancelCatch) {
    let caught = catch.describe();
    let message = match exit {
        Exit::RaiseOther => format!(
            "raising another exception inside {caught} replaces the cancellation: the \
             cancel scope never sees it arrive; re-raise the caught exception with a bare \
             `raise`"
        ),
        other => format!(
            "`{}` inside {caught} swallows the cancellation: the task keeps running after \
             it was cancelled; re-raise with a bare `raise` instead",
            other.keyword()
        ),
    };
    checker.report(RULE, range, message, None);
}
