//! ASYNC102: an unshielded `await` in cleanup code (`finally`, a cancellation handler,
//! `__aexit__`).

use ruff_text_size::TextRange;

use crate::analysis::checker::Checker;
use crate::analysis::index::Library;

rule! {
    /// ## What it does
    /// Flags `await`, `async for` and `async with` inside a `finally` block, inside an
    /// `except` handler that catches cancellation (`trio.Cancelled`,
    /// `anyio.get_cancelled_exc_class()`, `asyncio.CancelledError`, `BaseException`, a
    /// bare `except:`), or in `__aexit__`, unless it runs in a shielded cancel scope.
    /// `x.aclose()`, `trio.aclose_forcefully(x)` and
    /// `trio.lowlevel.cancel_shielded_checkpoint()` are allowed (and anyio's). Same code
    /// and meaning as flake8-async's ASYNC102; like flake8-async it does not apply to
    /// asyncio, whose cancellation is delivered once rather than at every checkpoint.
    ///
    /// ## Why is this bad?
    /// This code runs while the task is being cancelled. In trio and anyio a cancelled
    /// scope stays cancelled: every checkpoint in it raises `Cancelled` again at once, so
    /// the cleanup is cut short at its first `await` (the connection is not closed
    /// cleanly, the message is not sent). A shielded scope lets it run; give that scope
    /// a timeout so a stuck cleanup cannot hang the program.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def session(conn):
    ///     try:
    ///         await conn.serve()
    ///     finally:
    ///         await conn.send_goodbye()
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def session(conn):
    ///     try:
    ///         await conn.serve()
    ///     finally:
    ///         with trio.move_on_after(5, shield=True):
    ///             await conn.send_goodbye()
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the timeout of the shielded scope is a decision for the author.
    "ASYNC102" "cancelled-not-shielded" {
        library: "trio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn report(checker: &mut Checker, range: TextRange, what: &str, place: &str) {
    let library = match checker.library() {
        Library::Asyncio => return,
        other => other,
    };
    let lib = library.name();
    checker.report(
        RULE,
        range,
        format!(
            "`{what}` inside {place} runs while the task may be cancelled: it raises \
             Cancelled at once and the cleanup is cut short; run it in \
             `with {lib}.move_on_after(<seconds>, shield=True):`"
        ),
        None,
    );
}
