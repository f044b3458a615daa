//! ASYNC121: `return`, `break` or `continue` inside a nursery or task group.

use ruff_python_ast::Stmt;
use ruff_text_size::Ranged;

use super::context::{function_stmts, in_body, task_group_kind, TaskGroupKind};
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags `return`, and `break` or `continue` of a loop outside it, inside the body
    /// of `async with trio.open_nursery()`, `anyio.create_task_group()` or
    /// `asyncio.TaskGroup()`. Same code and meaning as flake8-async's ASYNC121.
    ///
    /// ## Why is this bad?
    /// Leaving the block does not leave it: the nursery still waits for every task it
    /// started, so the `return` takes effect only when they all finish. If a task
    /// fails, its exception replaces the `return`, `break` or `continue` altogether.
    /// The code reads as if it exits early, and it does not.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def first_result(urls):
    ///     async with trio.open_nursery() as nursery:
    ///         for url in urls:
    ///             nursery.start_soon(fetch, url)
    ///         return await results.receive()
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def first_result(urls):
    ///     async with trio.open_nursery() as nursery:
    ///         for url in urls:
    ///             nursery.start_soon(fetch, url)
    ///         result = await results.receive()
    ///         nursery.cancel_scope.cancel()
    ///     return result
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the code after the block has to be restructured by hand.
    "ASYNC121" "control-flow-in-taskgroup" {
        library: "trio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check(checker: &mut Checker, stmt: &Stmt) {
    if !checker.enabled(RULE) {
        return;
    }
    let (keyword, is_return) = match stmt {
        Stmt::Return(_) => ("return", true),
        Stmt::Break(_) => ("break", false),
        Stmt::Continue(_) => ("continue", false),
        _ => return,
    };
    let range = stmt.range();
    let mut found: Option<TaskGroupKind> = None;
    // Innermost first: `break` and `continue` stop at their loop, `return` does not.
    for ancestor in function_stmts(checker).iter().rev().skip(1) {
        match ancestor {
            Stmt::For(looping) if !is_return && in_body(&looping.body, range) => break,
            Stmt::While(looping) if !is_return && in_body(&looping.body, range) => break,
            Stmt::With(with) if with.is_async && in_body(&with.body, range) => {
                if let Some(kind) = with
                    .items
                    .iter()
                    .find_map(|item| task_group_kind(checker, &item.context_expr))
                {
                    found = Some(kind);
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(kind) = found else {
        return;
    };
    let noun = kind.noun();
    let message = if is_return {
        format!(
            "`return` inside a {noun} only takes effect when every task in it has finished, \
             and a failing task replaces it with its exception; return after the block"
        )
    } else {
        format!(
            "`{keyword}` inside a {noun} leaves the loop only when every task in it has \
             finished, and a failing task replaces it with its exception; move the loop \
             control outside the block"
        )
    };
    checker.report(RULE, range, message, None);
}
