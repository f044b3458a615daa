//! ASYNC911: an async generator that may yield or finish without a checkpoint.

use super::flow::UncheckedExit;
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags a `yield`, `return` or the end of an async generator that can be reached
    /// without a checkpoint (`await`, `async for`, `async with`) since the previous
    /// `yield` or the start of the generator.
    ///
    /// ## Why is this bad?
    /// Each step of `async for` over the generator is expected to be a checkpoint. A
    /// step that is not lets the consuming loop run without ever being cancellable or
    /// letting other tasks run.
    ///
    /// The same functions are exempt as for ASYNC910 (empty bodies, `@overload`,
    /// fixtures, `no-checkpoint-warning-decorators`, by default
    /// `@asynccontextmanager`).
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def numbers(limit):
    ///     for i in range(limit):
    ///         yield i
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def numbers(limit):
    ///     for i in range(limit):
    ///         await trio.lowlevel.checkpoint()
    ///         yield i
    ///     await trio.lowlevel.checkpoint()
    /// ```
    ///
    /// ## Fix safety
    /// As for ASYNC910: `await trio.lowlevel.checkpoint()` (anyio's or
    /// `asyncio.sleep(0)` per library) goes on its own line before the `yield` or
    /// `return`, or at the end of the body, when the library is imported and the
    /// statement is alone on its line. It is unsafe for the same reason: a cancellation
    /// can now arrive there.
    "ASYNC911" "async-generator-no-checkpoint" {
        library: "trio, anyio, asyncio",
        default: false,
        severity: Warning,
        fix: Sometimes(Unsafe),
    }
}

/// An exit the walk ([`Flow`](super::flow::Flow)) found reachable without a checkpoint, in a
/// function that is a generator.
pub(crate) fn report(checker: &mut Checker, exit: UncheckedExit) {
    exit.report(checker, RULE, "async generator", "the generator");
}
