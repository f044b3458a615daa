//! ASYNC250: `input()` inside `async def`.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::calls::is_input;
use crate::analysis::checker::Checker;
use crate::analysis::index::Library;

rule! {
    /// ## What it does
    /// Flags `input()` inside `async def`. Same code and meaning as flake8-async's
    /// ASYNC250.
    ///
    /// ## Why is this bad?
    /// `input()` blocks the event loop's thread until the user answers: every other task
    /// freezes, possibly for minutes.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def ask():
    ///     return input("name? ")
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def ask():
    ///     return await trio.to_thread.run_sync(input, "name? ")
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    "ASYNC250" "blocking-input" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, qualified: &str) {
    if !checker.enabled(RULE) || !is_input(qualified) {
        return;
    }
    let instead = match checker.library().suggested() {
        Library::Asyncio => {
            "`await asyncio.to_thread(input, ...)` (or `loop.run_in_executor(None, input)`)"
                .to_string()
        }
        lib => format!("`await {}(input, ...)`", lib.to_thread()),
    };
    checker.report(
        RULE,
        call.range(),
        format!(
            "`input()` blocks the event loop until the user answers; run it in a thread: \
             {instead}"
        ),
        None,
    );
}
