//! ASYNC222: waiting for a child process with `os.wait*` inside `async def`.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::calls::{process_call, Process};
use crate::analysis::checker::Checker;
use crate::analysis::index::Library;

rule! {
    /// ## What it does
    /// Flags `os.wait()`, `os.wait3()`, `os.wait4()`, `os.waitid()` and `os.waitpid()`
    /// inside `async def`. Same code and meaning as flake8-async's ASYNC222.
    ///
    /// ## Why is this bad?
    /// They block the event loop's thread until a child process changes state, freezing
    /// every other task for that long.
    ///
    /// ## Example
    /// ```python
    /// import os
    /// import trio
    ///
    /// async def reap(pid):
    ///     os.waitpid(pid, 0)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import os
    /// import trio
    ///
    /// async def reap(pid):
    ///     await trio.to_thread.run_sync(os.waitpid, pid, 0)
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    "ASYNC222" "wait-process" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, qualified: &str) {
    if !checker.enabled(RULE) || process_call(call, qualified) != Some(Process::Wait) {
        return;
    }
    let written = checker.source(call.func.range());
    let instead = match checker.library().suggested() {
        Library::Asyncio => {
            format!("`await asyncio.to_thread({written}, ...)` (or `loop.run_in_executor`)")
        }
        lib => format!("`await {}({written}, ...)`", lib.to_thread()),
    };
    checker.report(
        RULE,
        call.range(),
        format!(
            "`{written}()` blocks the event loop until a child process exits; run it in a \
             thread: {instead}"
        ),
        None,
    );
}
