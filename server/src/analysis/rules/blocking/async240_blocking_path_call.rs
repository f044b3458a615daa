//! ASYNC240: `os.path` functions that touch the file system, inside `async def`.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::calls::os_path_function;
use crate::analysis::checker::Checker;
use crate::analysis::index::Library;

rule! {
    /// ## What it does
    /// Flags `os.path` functions that query the file system inside `async def`:
    /// `exists`, `isfile`, `isdir`, `islink`, `lexists`, `ismount`, `getsize`,
    /// `getmtime`, `getatime`, `getctime`, `samefile`, `sameopenfile`, `realpath`, and
    /// (following flake8-async's list) `normpath` and `relpath`. Same code and meaning as
    /// flake8-async's ASYNC240.
    ///
    /// ## Why is this bad?
    /// Each is a blocking system call (`stat`, `lstat`, `readlink`): on a slow or network
    /// file system it freezes the event loop's thread, and with it every other task.
    ///
    /// ## Example
    /// ```python
    /// import os.path
    /// import trio
    ///
    /// async def ready(path):
    ///     return os.path.exists(path)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def ready(path):
    ///     return await trio.Path(path).exists()
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    "ASYNC240" "blocking-path-call" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, qualified: &str) {
    if !checker.enabled(RULE) {
        return;
    }
    let Some(function) = os_path_function(qualified) else {
        return;
    };
    let instead = match checker.library().suggested() {
        Library::Asyncio => format!(
            "run it in a thread: `await asyncio.to_thread(os.path.{function}, ...)`, or use \
             `anyio.Path`"
        ),
        lib => format!("use `{}.Path` objects and await their methods", lib.name()),
    };
    checker.report(
        RULE,
        call.range(),
        format!(
            "`os.path.{function}()` queries the file system and blocks the event loop; {instead}"
        ),
        None,
    );
}
