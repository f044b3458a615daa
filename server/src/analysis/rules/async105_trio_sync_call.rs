//! A trio coroutine function called without `await`.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use super::apis::is_trio_async_function;
use super::loop303_coroutine_function_mixup::wants_function;
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags calls to trio's async functions (`trio.sleep`, `trio.open_tcp_stream`,
    /// `trio.lowlevel.checkpoint`, ...) that are not immediately awaited. Same code and
    /// meaning as flake8-async's ASYNC105, so `# noqa: ASYNC105` comments carry over.
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
    if !checker.enabled(&RULE) {
        return;
    }
    let Some(qualified) = qualified.filter(|q| is_trio_async_function(q)) else {
        return;
    };
    if matches!(checker.parent_expr(), Some(Expr::Await(_))) {
        return;
    }
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
    checker.report(
        &RULE,
        call.range(),
        format!(
            "`{qualified}()` is a trio async function called without `await`: it only creates \
             a coroutine and does nothing (RuntimeWarning: coroutine was never awaited)"
        ),
        fix,
    );
}
