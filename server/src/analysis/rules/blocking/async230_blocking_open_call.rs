//! ASYNC230: opening a file with the sync API inside `async def`.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use super::calls::{is_open_call, report_blocking_call};
use crate::analysis::checker::Checker;
use crate::analysis::index::Library;

rule! {
    /// ## What it does
    /// Flags `open(...)`, `io.open(...)` and `io.open_code(...)` inside `async def`,
    /// unless the result is handed straight to `trio.wrap_file` or `anyio.wrap_file`.
    /// Same code and meaning as flake8-async's ASYNC230. Under asyncio, which has no
    /// async file API, the message suggests a thread (`asyncio.to_thread`) or a library
    /// such as anyio or aiofiles.
    ///
    /// ## Why is this bad?
    /// Opening, reading and writing a file are blocking system calls. On a slow or network
    /// file system they freeze the event loop's thread, and with it every other task.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def load(path):
    ///     with open(path) as f:
    ///         return f.read()
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def load(path):
    ///     async with await trio.open_file(path) as f:
    ///         return await f.read()
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: every use of the file object changes too.
    "ASYNC230" "blocking-open-call" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

/// Whether the call being visited is the single argument of `trio.wrap_file(...)` or
/// `anyio.wrap_file(...)`, which makes the file object async.
pub(crate) fn is_wrapped(checker: &Checker, call: &ast::ExprCall) -> bool {
    let Some(Expr::Call(parent)) = checker.parent_expr() else {
        return false;
    };
    matches!(&parent.arguments.args[..], [only] if only.range() == call.range())
        && matches!(
            checker.qualified_name(&parent.func).as_deref(),
            Some("trio.wrap_file" | "anyio.wrap_file")
        )
}

pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, qualified: &str) {
    if !checker.enabled(RULE) || !is_open_call(qualified) || is_wrapped(checker, call) {
        return;
    }
    let advice = match checker.library().suggested() {
        Library::Trio | Library::Undecided => "use `await trio.open_file(...)` (or `trio.Path`)",
        Library::Anyio => "use `await anyio.open_file(...)` (or `anyio.Path`)",
        Library::Asyncio => {
            "asyncio has no async file API: do the whole read or write in a thread with \
             `await asyncio.to_thread(...)`, or use a library such as anyio \
             (`anyio.open_file`) or aiofiles"
        }
    };
    report_blocking_call(checker, RULE, call, |written| {
        format!("`{written}()` does blocking file I/O on the event loop's thread; {advice}")
    });
}
