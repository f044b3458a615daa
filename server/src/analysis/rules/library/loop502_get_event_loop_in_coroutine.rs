//! `asyncio.get_event_loop()` inside `async def`, where `get_running_loop()` says what is
//! meant.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::analysis::checker::{Checker, ExecContext};
use crate::analysis::diagnostic::{Edit, Fix};

rule! {
    /// ## What it does
    /// Flags `asyncio.get_event_loop()` called inside an `async def`. Opt-in
    /// (`--select LOOP502`), a style rule at information severity.
    ///
    /// ## Why is this bad?
    /// Inside a coroutine the loop is running, so `get_event_loop()` returns it on every
    /// Python: the call works, which is why this is not LOOP501. But it reads as "get or
    /// make a loop", and the same line moved into a sync helper warns or (from Python
    /// 3.14) raises RuntimeError. `asyncio.get_running_loop()` says what is meant and
    /// raises at once when no loop is running.
    ///
    /// ## Example
    /// ```python
    /// import asyncio
    ///
    /// async def main():
    ///     loop = asyncio.get_event_loop()
    ///     await loop.run_in_executor(None, print, "hi")
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import asyncio
    ///
    /// async def main():
    ///     loop = asyncio.get_running_loop()
    ///     await loop.run_in_executor(None, print, "hi")
    /// ```
    ///
    /// ## Fix safety
    /// The rename is safe: where a coroutine runs, both calls return the running loop.
    "LOOP502" "get-event-loop-in-coroutine" {
        library: "asyncio",
        default: false,
        severity: Information,
        fix: Sometimes(Safe),
    }
}

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if qualified != Some("asyncio.get_event_loop")
        || !call.arguments.is_empty()
        || !checker.enabled(RULE)
        || checker.exec_context() != ExecContext::AsyncFunction
    {
        return;
    }
    let fix = match call.func.as_ref() {
        Expr::Attribute(attribute) => Some(Fix::new(
            "Use `get_running_loop()`",
            vec![Edit::replace(attribute.attr.range(), "get_running_loop")],
        )),
        // `from asyncio import get_event_loop`: renaming would need a new import.
        _ => None,
    };
    checker.report(
        RULE,
        call.range(),
        "inside `async def` the loop is running: `asyncio.get_running_loop()` says so and \
         never creates or guesses a loop",
        fix,
    );
}
