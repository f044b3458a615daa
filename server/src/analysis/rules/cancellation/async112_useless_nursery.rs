//! ASYNC112: a nursery or task group that only ever runs one task.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::context::{method_call, task_group_kind};
use crate::analysis::checker::Checker;
use crate::analysis::depth::{guarded, guarded_nested_visits};

rule! {
    /// ## What it does
    /// Flags a nursery or task group (`trio.open_nursery()`,
    /// `anyio.create_task_group()`, `asyncio.TaskGroup()`) whose body is a single call
    /// starting one task in it, when that task is not handed the nursery itself. Same
    /// code and meaning as flake8-async's ASYNC112.
    ///
    /// ## Why is this bad?
    /// A nursery with one task waits for that task and re-raises its error: exactly what
    /// awaiting the function directly does, with less code, a shorter traceback and no
    /// `ExceptionGroup` wrapping the error.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def main():
    ///     async with trio.open_nursery() as nursery:
    ///         nursery.start_soon(worker, 1)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def main():
    ///     await worker(1)
    /// ```
    ///
    /// ## Fix safety
    /// No fix: errors no longer arrive wrapped in an `ExceptionGroup`, which changes
    /// what `except*` clauses around it see.
    "ASYNC112" "useless-nursery" {
        library: "trio",
        default: true,
        severity: Information,
        fix: None,
    }
}

pub(crate) fn check_with(checker: &mut Checker, with: &ast::StmtWith) {
    if !checker.enabled(RULE) {
        return;
    }
    let [Stmt::Expr(statement)] = with.body.as_slice() else {
        return;
    };
    let mut body_call = &*statement.value;
    if let Expr::Await(awaited) = body_call {
        body_call = &awaited.value;
    }
    let Expr::Call(call) = body_call else {
        return;
    };
    let Some((Expr::Name(receiver), method)) = method_call(call) else {
        return;
    };
    for item in &with.items {
        let Some(Expr::Name(variable)) = item.optional_vars.as_deref() else {
            continue;
        };
        if variable.id != receiver.id {
            continue;
        }
        let Some(kind) = task_group_kind(checker, &item.context_expr) else {
            continue;
        };
        if !kind.start_methods().contains(&method) {
            continue;
        }
        // A task handed the nursery may start more tasks in it.
        let mut uses = NameUse {
            name: variable.id.as_str(),
            found: false,
        };
        for argument in call.arguments.args.iter() {
            uses.visit_expr(argument);
        }
        for keyword in call.arguments.keywords.iter() {
            uses.visit_expr(&keyword.value);
        }
        if uses.found {
            continue;
        }
        let noun = kind.noun();
        checker.report(
            RULE,
            item.context_expr.range(),
            format!(
                "this {noun} runs a single task and waits for it: await the function \
                 directly instead of `{}.{method}(...)`",
                variable.id
            ),
            None,
        );
    }
}

struct NameUse<'n> {
    name: &'n str,
    found: bool,
}

impl<'a> Visitor<'a> for NameUse<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        guarded(|| {
            if let Expr::Name(name) = expr {
                self.found |= name.id.as_str() == self.name;
            }
            visitor::walk_expr(self, expr);
        });
    }

    guarded_nested_visits!('a);
}
