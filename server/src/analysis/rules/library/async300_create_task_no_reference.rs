//! `asyncio.create_task(...)` whose task is dropped.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::analysis::checker::Checker;
use crate::analysis::depth::guarded;

rule! {
    /// ## What it does
    /// Flags an `asyncio.create_task(...)` or `asyncio.ensure_future(...)` whose result
    /// is thrown away: a bare expression statement (also inside a conditional
    /// expression, a boolean operator or a list or set comprehension used as a
    /// statement).
    ///
    /// Unlike flake8-async, `await asyncio.create_task(...)` is not flagged (the
    /// awaiting coroutine holds the task until it finishes), and `ensure_future` is
    /// checked as well as `create_task`.
    ///
    /// ## Why is this bad?
    /// The event loop keeps only a weak reference to its tasks. A task nobody holds can
    /// be garbage-collected while it is still running: it vanishes mid-flight, without
    /// an error, and its exceptions are never seen.
    ///
    /// ## Example
    /// ```python
    /// import asyncio
    ///
    /// async def main():
    ///     asyncio.create_task(poll())
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import asyncio
    ///
    /// background_tasks = set()
    ///
    /// async def main():
    ///     task = asyncio.create_task(poll())
    ///     background_tasks.add(task)
    ///     task.add_done_callback(background_tasks.discard)
    /// ```
    ///
    /// ## Fix safety
    /// No fix: where to keep the task (a set, a `TaskGroup`, a nursery) is a design
    /// decision.
    "ASYNC300" "create-task-no-reference" {
        library: "asyncio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check_expression_statement(checker: &mut Checker, value: &Expr) {
    if !checker.enabled(&RULE) {
        return;
    }
    check_dropped(checker, value);
}

fn check_dropped(checker: &mut Checker, value: &Expr) {
    guarded(|| match value {
        Expr::Call(call) => report_if_task(checker, call),
        Expr::If(conditional) => {
            check_dropped(checker, &conditional.body);
            check_dropped(checker, &conditional.orelse);
        }
        Expr::BoolOp(boolean) => {
            for operand in &boolean.values {
                check_dropped(checker, operand);
            }
        }
        Expr::ListComp(comprehension) => check_dropped(checker, &comprehension.elt),
        Expr::SetComp(comprehension) => check_dropped(checker, &comprehension.elt),
        _ => {}
    })
}

fn report_if_task(checker: &mut Checker, call: &ast::ExprCall) {
    let qualified = checker.qualified_name(&call.func);
    let Some(name @ ("asyncio.create_task" | "asyncio.ensure_future")) = qualified.as_deref()
    else {
        return;
    };
    checker.report(
        &RULE,
        call.range(),
        format!(
            "the task from `{name}()` is not stored: the loop holds tasks only weakly, so it \
             can be garbage-collected mid-flight; keep a reference (a set of tasks, or a \
             `TaskGroup`)"
        ),
        None,
    );
}
