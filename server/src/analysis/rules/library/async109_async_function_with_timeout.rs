//! An `async def` with a `timeout` parameter.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use crate::analysis::checker::Checker;
use crate::analysis::index::Library;

rule! {
    /// ## What it does
    /// Flags an `async def` that takes a parameter named `timeout`. Decorated functions
    /// are skipped, as flake8-async does: a decorator may consume the parameter.
    ///
    /// ## Why is this bad?
    /// Structured concurrency puts timeouts on the caller's side, as a cancel scope
    /// around the call: `with trio.fail_after(5): await fetch()` (`anyio.fail_after`,
    /// or `async with asyncio.timeout(5)` on asyncio 3.11+). A scope cancels everything
    /// inside it, including nested calls, and composes with the caller's own deadlines.
    /// A hand-rolled `timeout` argument covers only the code that remembers to pass it
    /// down, and usually restarts the clock at each step.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def fetch(url, timeout=10):
    ///     ...
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def fetch(url):
    ///     ...
    ///
    /// async def main():
    ///     with trio.fail_after(10):
    ///         await fetch("https://example.com")
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the callers change too.
    "ASYNC109" "async-function-with-timeout" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Information,
        fix: None,
    }
}

pub(crate) fn check(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    if !checker.enabled(RULE) || !def.is_async || !def.decorator_list.is_empty() {
        return;
    }
    let parameters = &def.parameters;
    let Some(timeout) = parameters
        .posonlyargs
        .iter()
        .chain(&parameters.args)
        .chain(&parameters.kwonlyargs)
        .find(|p| p.parameter.name.id.as_str() == "timeout")
    else {
        return;
    };
    let advice = match checker.library().suggested() {
        Library::Asyncio => {
            "wrap the call in `async with asyncio.timeout(...)` (Python 3.11+) at the caller \
             instead"
        }
        Library::Anyio => {
            "wrap the call in `with anyio.fail_after(...)` / `anyio.move_on_after(...)` at the \
             caller instead"
        }
        Library::Trio | Library::Undecided => {
            "wrap the call in `with trio.fail_after(...)` / `trio.move_on_after(...)` at the \
             caller instead"
        }
    };
    checker.report(
        RULE,
        timeout.parameter.range(),
        format!(
            "async function `{}` takes a `timeout` parameter: it only bounds the code that \
             passes it down; {advice}",
            def.name.id
        ),
        None,
    );
}
