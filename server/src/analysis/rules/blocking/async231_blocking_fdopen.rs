//! ASYNC231: `os.fdopen` inside `async def`.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::async230_blocking_open_call::is_wrapped;

use crate::analysis::checker::Checker;
use crate::analysis::index::Library;

rule! {
    /// ## What it does
    /// Flags `os.fdopen(...)` inside `async def`, unless the result is handed straight to
    /// `trio.wrap_file` or `anyio.wrap_file`. Same code and meaning as flake8-async's
    /// ASYNC231.
    ///
    /// ## Why is this bad?
    /// The file object it returns does blocking I/O: every read and write freezes the
    /// event loop's thread, and with it every other task.
    ///
    /// ## Example
    /// ```python
    /// import os
    /// import trio
    ///
    /// async def pipe_reader(fd):
    ///     return os.fdopen(fd)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import os
    /// import trio
    ///
    /// async def pipe_reader(fd):
    ///     return trio.wrap_file(os.fdopen(fd))
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: every use of the file object must then be awaited.
    "ASYNC231" "blocking-fdopen" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, qualified: &str) {
    if !checker.enabled(RULE) || qualified != "os.fdopen" || is_wrapped(checker, call) {
        return;
    }
    let written = checker.source(call.func.range());
    let instead = match checker.library().suggested() {
        Library::Trio | Library::Undecided => format!("wrap it: `trio.wrap_file({written}(...))`"),
        Library::Anyio => format!("wrap it: `anyio.wrap_file({written}(...))`"),
        Library::Asyncio => "asyncio has no async file API: do the I/O in a thread with \
                         `await asyncio.to_thread(...)`, or use a library such as anyio \
                         (`anyio.wrap_file`) or aiofiles"
            .to_string(),
    };
    checker.report(
        RULE,
        call.range(),
        format!("`{written}()` returns a file object whose I/O blocks the event loop; {instead}"),
        None,
    );
}
