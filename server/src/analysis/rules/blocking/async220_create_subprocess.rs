//! ASYNC220: starting a process with a blocking API inside `async def`.

use ruff_python_ast as ast;

use super::calls::{process_call, report_blocking_call, Process};
use crate::analysis::checker::Checker;
use crate::analysis::index::Library;

rule! {
    /// ## What it does
    /// Flags `subprocess.Popen(...)`, `os.popen(...)` and `os.spawn*(...)` with a mode
    /// other than `os.P_WAIT` inside `async def`. Same code and meaning as flake8-async's
    /// ASYNC220.
    ///
    /// ## Why is this bad?
    /// Starting the process is quick, but everything done with it afterwards (reading
    /// its pipes, `wait()`, `communicate()`) blocks the event loop's thread, and a
    /// process object of the sync API cannot be awaited or cancelled.
    ///
    /// The message names the library's way to start a process that runs alongside the
    /// task: `await nursery.start(trio.run_process, ...)` for trio,
    /// `await anyio.open_process(...)` for anyio,
    /// `await asyncio.create_subprocess_exec(...)` for asyncio.
    ///
    /// ## Example
    /// ```python
    /// import subprocess
    /// import trio
    ///
    /// async def serve():
    ///     server = subprocess.Popen(["python", "-m", "http.server"])
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def serve(nursery):
    ///     server = await nursery.start(trio.run_process, ["python", "-m", "http.server"])
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the process API differs.
    "ASYNC220" "create-subprocess" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, qualified: &str) {
    if !checker.enabled(RULE) || process_call(call, qualified) != Some(Process::Start) {
        return;
    }
    let instead = match checker.library().suggested() {
        Library::Trio | Library::Undecided => "`await nursery.start(trio.run_process, ...)`",
        Library::Anyio => "`await anyio.open_process(...)`",
        Library::Asyncio => {
            "`await asyncio.create_subprocess_exec(...)` (or `create_subprocess_shell`)"
        }
    };
    report_blocking_call(checker, RULE, call, |written| {
        format!(
            "`{written}()` starts a process whose pipes and `wait()` block the event loop; \
             use {instead}"
        )
    });
}
