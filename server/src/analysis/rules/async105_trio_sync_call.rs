//! A trio coroutine function called without `await`.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use super::apis::is_trio_async_function;
use super::blocking::calls::variable_type;
use super::loop303_coroutine_function_mixup::wants_function;
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags calls to trio's async functions (`trio.sleep`, `trio.open_tcp_stream`,
    /// `trio.lowlevel.checkpoint`, ...) that are not immediately awaited, and
    /// `nursery.start(...)` on a trio nursery: a receiver named like one (`nursery`,
    /// `self.nursery`) or bound to one (`async with trio.open_nursery() as n`,
    /// `n: trio.Nursery`). Same code and meaning as flake8-async's ASYNC105, so
    /// `# noqa: ASYNC105` comments carry over; the nursery's type also counts when it is
    /// imported under another name (`from trio import Nursery`).
    ///
    /// ## Why is this bad?
    /// Calling a coroutine function only creates a coroutine object. Nothing runs: the
    /// sleep does not sleep, the connection is not opened, and Python later prints
    /// `RuntimeWarning: coroutine 'sleep' was never awaited`.
    ///
    /// ## Example
    /// ```python
    /// async def tick():
    ///     trio.sleep(1)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// async def tick():
    ///     await trio.sleep(1)
    /// ```
    ///
    /// ## Fix safety
    /// The fix adds `await` where awaiting is legal. It is unsafe: the call now runs and
    /// may block the caller for as long as it takes. No fix is offered for a coroutine
    /// handed to `start_soon` or `trio.run`, which want the function (see LOOP303).
    "ASYNC105" "trio-sync-call" {
        library: "trio",
        default: true,
        severity: Warning,
        fix: Sometimes(Unsafe),
    }
}

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if !checker.enabled(RULE) {
        return;
    }
    if matches!(checker.parent_expr(), Some(Expr::Await(_))) {
        return;
    }
    if let Some(qualified) = qualified.filter(|q| is_trio_async_function(q)) {
        report(
            checker,
            call,
            format!(
                "`{qualified}()` is a trio async function called without `await`: it only \
                 creates a coroutine and does nothing (RuntimeWarning: coroutine was never \
                 awaited)"
            ),
        );
    } else if let Some(nursery) = nursery_start_receiver(checker, call) {
        report(
            checker,
            call,
            format!(
                "`{nursery}.start()` is an async method of `trio.Nursery` called without \
                 `await`: the task is never started, and the coroutine does nothing \
                 (RuntimeWarning: coroutine was never awaited)"
            ),
        );
    }
}

/// The receiver, as written, of `X.start(...)` when `X` is a trio nursery: named like
/// one (`nursery`, `self.nursery`, `my_nursery`), as flake8-async guesses, or bound to
/// one (`async with trio.open_nursery() as X`, `X: trio.Nursery`). Only where trio is
/// the library: anyio's and asyncio's task groups have no `start` of this kind.
fn nursery_start_receiver<'a>(checker: &Checker<'a>, call: &ast::ExprCall) -> Option<&'a str> {
    let Expr::Attribute(attribute) = call.func.as_ref() else {
        return None;
    };
    if attribute.attr.as_str() != "start" || !trio_is_the_library(checker) {
        return None;
    }
    let receiver = checker.source(attribute.value.range());
    if receiver.ends_with("nursery") {
        return Some(receiver);
    }
    let Expr::Name(name) = attribute.value.as_ref() else {
        return None;
    };
    let typed = variable_type(checker, name.id.as_str(), call.start());
    matches!(typed.as_deref(), Some("trio.Nursery" | "trio.open_nursery")).then_some(receiver)
}

/// Whether the code is trio code, as flake8-async decides it for this rule: trio is
/// imported where the call is, or the library is trio (or undecided, which reads as trio).
fn trio_is_the_library(checker: &Checker) -> bool {
    checker.imports_module("trio") || checker.library().is_trio()
}

fn report(checker: &mut Checker, call: &ast::ExprCall, message: String) {
    // `start_soon(trio.sleep(1))` wants the function (LOOP303 passes it): awaiting the
    // argument would hand the task starter `None`.
    let handed_to_task_starter = match checker.parent_expr() {
        Some(Expr::Call(parent)) => {
            parent.arguments.args.first().map(Ranged::range) == Some(call.range())
                && wants_function(parent, checker.qualified_name(&parent.func).as_deref())
        }
        _ => false,
    };
    let fix = (checker.can_await_here() && !handed_to_task_starter)
        .then(|| checker.add_await_fix(call.range()));
    checker.report(RULE, call.range(), message, fix);
}
