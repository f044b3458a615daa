//! ASYNC913: an endless loop that may spin without a checkpoint.

use ruff_text_size::TextRange;

use crate::analysis::checker::Checker;
use crate::analysis::diagnostic::Fix;

rule! {
    /// ## What it does
    /// Flags a loop that only ends by `return` or an exception (`while True:` or another
    /// constantly true condition, without `break`) inside an `async def`, when an
    /// iteration may complete without a checkpoint.
    ///
    /// ## Why is this bad?
    /// Such a loop can spin forever without giving other tasks a turn or letting a
    /// cancellation or timeout reach it: the whole event loop freezes.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def pump(queue):
    ///     while True:
    ///         if queue:
    ///             await handle(queue.pop())
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def pump(queue):
    ///     while True:
    ///         await trio.lowlevel.checkpoint()
    ///         if queue:
    ///             await handle(queue.pop())
    /// ```
    ///
    /// ## Fix safety
    /// The fix inserts `await trio.lowlevel.checkpoint()` (`anyio.lowlevel.checkpoint()`
    /// with anyio, `asyncio.sleep(0)` with asyncio) at the top of the loop body. It is
    /// offered when that library is imported and the body starts on its own line. It is
    /// unsafe: it adds a scheduling point (and a cancellation point) per iteration,
    /// which is what the rule asks for, but the loop may also deserve a real wait
    /// instead of busy-looping.
    "ASYNC913" "indefinite-loop-no-guaranteed-checkpoint" {
        library: "trio, anyio, asyncio",
        default: false,
        severity: Warning,
        fix: Sometimes(Unsafe),
    }
}

pub(crate) fn report(checker: &mut Checker, range: TextRange, fix: Option<Fix>) {
    if !checker.enabled(RULE) {
        return;
    }
    let checkpoint = checker.library().checkpoint_call();
    checker.report(
        RULE,
        range,
        format!(
            "endless loop may iterate without a checkpoint, starving other tasks and \
             ignoring cancellation: add `await {checkpoint}` to every iteration"
        ),
        fix,
    );
}
