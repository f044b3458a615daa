//! ASYNC232: a method of a sync file object inside `async def`.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::analysis::checker::Checker;
use crate::analysis::index::Library;

rule! {
    /// ## What it does
    /// Flags method calls inside `async def` on a variable that holds a sync file object:
    /// bound by `f = open(...)` or `with open(...) as f`, annotated as
    /// `io.TextIOWrapper`, `io.BufferedReader`, `io.BufferedWriter` or
    /// `io.BufferedRandom`, or an alias of such a variable (`f = ff`); in the same
    /// function, else in an enclosing function (before the nested `def`) or at module
    /// level (before the function). Same code and meaning as flake8-async's ASYNC232.
    ///
    /// Unlike flake8-async, a later rebinding to something unknown (`f = other()`) ends
    /// what is known, and a class attribute is not taken for a bare name in the class's
    /// methods.
    ///
    /// ## Why is this bad?
    /// `read`, `write`, `flush` and friends are blocking system calls that freeze the
    /// event loop's thread, and with it every other task.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def save(path, text):
    ///     f = open(path, "w")
    ///     f.write(text)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def save(path, text):
    ///     async with await trio.open_file(path, "w") as f:
    ///         await f.write(text)
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    "ASYNC232" "blocking-file-call" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

const FILE_TYPES: &[&str] = &[
    "io.TextIOWrapper",
    "io.BufferedReader",
    "io.BufferedWriter",
    "io.BufferedRandom",
];

pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, receiver_type: &str) {
    if !checker.enabled(RULE) {
        return;
    }
    let is_file = FILE_TYPES.contains(&receiver_type)
        || FILE_TYPES
            .iter()
            .any(|t| t.strip_prefix("io.") == Some(receiver_type));
    let Expr::Attribute(attribute) = call.func.as_ref() else {
        return;
    };
    if !is_file {
        return;
    }
    let variable = checker.source(attribute.value.range());
    let method = attribute.attr.id.as_str();
    let instead = match checker.library().suggested() {
        Library::Asyncio => format!(
            "run it in a thread: `await asyncio.to_thread({variable}.{method}, ...)`, or use \
             anyio or aiofiles"
        ),
        lib => format!(
            "open the file with `await {0}.open_file(...)` or wrap it: \
             `{0}.wrap_file({variable})`",
            lib.name()
        ),
    };
    checker.report(
        RULE,
        call.range(),
        format!("`{variable}.{method}()` is blocking I/O on a sync file object; {instead}"),
        None,
    );
}
