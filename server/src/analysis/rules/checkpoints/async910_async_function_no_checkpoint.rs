//! ASYNC910: an async function that may return without a checkpoint.

use super::flow::UncheckedExit;
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags an exit from an `async def` (a `return`, or the end of the body) that can
    /// be reached without a checkpoint (`await`, `async for`, `async with`) or an
    /// exception since the function started.
    ///
    /// ## Why is this bad?
    /// Callers expect `await f()` to be a checkpoint: a point where the task can be
    /// cancelled and other tasks get to run. A function that sometimes returns without
    /// one breaks that expectation on exactly those paths (a cache hit, an early
    /// return), so a loop calling it can starve the event loop and ignore timeouts.
    ///
    /// Functions whose body is only `pass`, `...` or a docstring, `@overload`s, pytest
    /// fixtures and functions with a decorator listed in
    /// `no-checkpoint-warning-decorators` (by default `asynccontextmanager`, as in
    /// flake8-async, matched as written: `@asynccontextmanager` is exempt,
    /// `@contextlib.asynccontextmanager` is not) are not checked. An `__aenter__` or
    /// `__aexit__` without any checkpoint is exempt when its partner method
    /// checkpoints (or is inherited).
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def get(cache, key):
    ///     if key in cache:
    ///         return cache[key]
    ///     return await load(key)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def get(cache, key):
    ///     if key in cache:
    ///         await trio.lowlevel.checkpoint()
    ///         return cache[key]
    ///     return await load(key)
    /// ```
    ///
    /// ## Fix safety
    /// The fix inserts `await trio.lowlevel.checkpoint()` (`anyio.lowlevel.checkpoint()`
    /// when anyio is imported, `asyncio.sleep(0)` with asyncio) on its own line before
    /// the `return`, or at the end of the body. Inside an `except` clause it goes at
    /// the top of the function (or loop) instead, since awaiting in a handler is
    /// ASYNC120. It is offered only when that library is imported and the statement is
    /// alone on its line. It is unsafe: the checkpoint makes the function cancellable
    /// there, which callers must already handle on its other paths, but a cancellation
    /// can now arrive at a point where none could before.
    "ASYNC910" "async-function-no-checkpoint" {
        library: "trio, anyio, asyncio",
        default: false,
        severity: Warning,
        fix: Sometimes(Unsafe),
    }
}

/// An exit the walk ([`Flow`](super::flow::Flow)) found reachable without a checkpoint, in a
/// function that is not a generator.
pub(crate) fn report(checker: &mut Checker, exit: UncheckedExit) {
    exit.report(checker, RULE, "async function", "the function");
}
