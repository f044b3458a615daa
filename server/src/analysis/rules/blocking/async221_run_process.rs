//! ASYNC221: running a process to completion with a blocking API inside `async def`.

use ruff_python_ast as ast;

use super::calls::{process_call, report_blocking_call, Process};
use crate::analysis::checker::Checker;
use crate::analysis::index::Library;

rule! {
    /// ## What it does
    /// Flags calls inside `async def` that run a process and wait for it:
    /// `subprocess.run`, `call`, `check_call`, `check_output`, `getoutput`,
    /// `getstatusoutput`, `os.system`, `os.posix_spawn[p]`, and `os.spawn*` with
    /// `os.P_WAIT`. Same code and meaning as flake8-async's ASYNC221.
    ///
    /// ## Why is this bad?
    /// The event loop's thread waits until the process exits: every other task freezes
    /// for as long as the process runs, and cancellation cannot stop it.
    ///
    /// ## Example
    /// ```python
    /// import subprocess
    /// import trio
    ///
    /// async def build():
    ///     subprocess.run(["make"], check=True)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def build():
    ///     await trio.run_process(["make"])
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the async APIs take different arguments (`check`,
    /// `capture_output`, shell strings).
    "ASYNC221" "run-process" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, qualified: &str) {
    if !checker.enabled(RULE) || process_call(call, qualified) != Some(Process::Run) {
        return;
    }
    let instead = match checker.library().suggested() {
        Library::Trio | Library::Undecided => "`await trio.run_process(...)`",
        Library::Anyio => "`await anyio.run_process(...)`",
        Library::Asyncio => {
            "`await asyncio.create_subprocess_exec(...)` (or `create_subprocess_shell`) and \
             `await process.communicate()`"
        }
    };
    report_blocking_call(checker, RULE, call, |written| {
        format!(
            "`{written}()` waits for a process on the event loop's thread: every other task \
             freezes until it exits; use {instead}"
        )
    });
}
