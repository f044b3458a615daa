//! ASYNC251: `time.sleep()` inside `async def`.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::calls::{is_sleep, sleep_fix};
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags `time.sleep(...)` inside `async def`. Same code and meaning as
    /// flake8-async's ASYNC251.
    ///
    /// ## Why is this bad?
    /// `time.sleep` blocks the event loop's thread: every other task freezes for the
    /// whole duration, and the sleep cannot be cancelled. The library's own sleep
    /// (`trio.sleep`, `anyio.sleep`, `asyncio.sleep`) lets other tasks run meanwhile.
    ///
    /// ## Example
    /// ```python
    /// import time
    /// import trio
    ///
    /// async def tick():
    ///     time.sleep(1)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import time
    /// import trio
    ///
    /// async def tick():
    ///     await trio.sleep(1)
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces the call with `await trio.sleep(x)` (or `anyio.sleep`,
    /// `asyncio.sleep`). It is offered only when the call has one plain argument, awaiting
    /// is legal there, and the library module is imported under its own name. It is
    /// unsafe: it changes behaviour on purpose, since other tasks run during the sleep
    /// and the sleep can be cancelled.
    "ASYNC251" "blocking-sleep" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: Sometimes(Unsafe),
    }
}

pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, qualified: &str) {
    if !checker.enabled(RULE) || !is_sleep(qualified) {
        return;
    }
    let lib = checker.library().suggested();
    let fix = sleep_fix(checker, call, lib);
    checker.report(
        RULE,
        call.range(),
        format!(
            "`time.sleep()` blocks the event loop: every other task freezes for the whole \
             sleep; use `await {}.sleep(...)`",
            lib.name()
        ),
        fix,
    );
}
