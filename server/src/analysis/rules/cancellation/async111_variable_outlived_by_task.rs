//! ASYNC111: a task started in a nursery uses a value whose context manager closes
//! before the nursery does.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::context::{function_stmts, method_call, task_group_kind};
use crate::analysis::checker::Checker;
use crate::analysis::depth::{guarded, guarded_nested_visits};

rule! {
    /// ## What it does
    /// Flags a variable bound by a `with` block nested *inside* a nursery or task group
    /// (`async with trio.open_nursery() as nursery: with open(path) as f:`) and passed to
    /// `nursery.start_soon(...)`, `nursery.start(...)` or `tg.create_task(...)`. Same
    /// code and meaning as flake8-async's ASYNC111.
    ///
    /// ## Why is this bad?
    /// The task runs concurrently and may outlive the inner block: the nursery waits
    /// for it only at its own end, after the inner context manager has already closed
    /// the file, released the lock or closed the connection. The task then works with a
    /// closed resource. The nursery should be the innermost context manager.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def main(path):
    ///     async with trio.open_nursery() as nursery:
    ///         async with await trio.open_file(path) as f:
    ///             nursery.start_soon(consume, f)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def main(path):
    ///     async with await trio.open_file(path) as f:
    ///         async with trio.open_nursery() as nursery:
    ///             nursery.start_soon(consume, f)
    /// ```
    ///
    /// ## Fix safety
    /// No fix: reordering the blocks changes when each one is entered and exited.
    "ASYNC111" "variable-outlived-by-task" {
        library: "trio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

/// A `with` item that binds a name, among the statements around the call.
struct Bound<'a> {
    name: &'a str,
    manager: &'a Expr,
    task_group: bool,
}

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall) {
    if !checker.enabled(RULE) {
        return;
    }
    let Some((Expr::Name(receiver), method)) = method_call(call) else {
        return;
    };
    if !matches!(method, "start" | "start_soon" | "create_task") {
        return;
    }
    let mut stack: Vec<Bound> = Vec::new();
    for stmt in function_stmts(checker) {
        if let Stmt::With(with) = stmt {
            for item in &with.items {
                if let Some(Expr::Name(name)) = item.optional_vars.as_deref() {
                    stack.push(Bound {
                        name: name.id.as_str(),
                        manager: &item.context_expr,
                        task_group: task_group_kind(checker, &item.context_expr).is_some(),
                    });
                }
            }
        }
    }
    // The innermost binding of the receiver decides what it is.
    let Some(nursery) = stack
        .iter()
        .rposition(|bound| bound.name == receiver.id.as_str())
        .filter(|&i| stack[i].task_group)
    else {
        return;
    };
    let mut uses = Uses(Vec::new());
    for argument in call.arguments.args.iter() {
        uses.visit_expr(argument);
    }
    for keyword in call.arguments.keywords.iter() {
        uses.visit_expr(&keyword.value);
    }
    let mut findings: Vec<(TextRange, String)> = Vec::new();
    for (range, name) in uses.0 {
        let Some(inner) = stack[nursery + 1..].iter().find(|bound| bound.name == name) else {
            continue;
        };
        let manager = short(checker.source(inner.manager.range()));
        let opener = short(checker.source(stack[nursery].manager.range()));
        findings.push((
            range,
            format!(
                "`{name}` comes from `{manager}`, which closes before `{opener}` waits for \
                 the task: the task may use it after it is closed; make the {} the \
                 innermost context manager",
                task_group_kind(checker, stack[nursery].manager).map_or("nursery", |k| k.noun())
            ),
        ));
    }
    for (range, message) in findings {
        checker.report(RULE, range, message, None);
    }
}

fn short(source: &str) -> String {
    const LIMIT: usize = 40;
    let single_line = source.split_whitespace().collect::<Vec<_>>().join(" ");
    if single_line.chars().count() <= LIMIT {
        single_line
    } else {
        let cut: String = single_line.chars().take(LIMIT - 3).collect();
        format!("{cut}...")
    }
}

/// Names read in a task's arguments; lambdas (run later, in their own scope) and nested
/// task-starting calls (checked on their own) are not entered.
struct Uses<'a>(Vec<(TextRange, &'a str)>);

impl<'a> Visitor<'a> for Uses<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        guarded(|| match expr {
            Expr::Name(name) if name.ctx.is_load() => self.0.push((name.range, name.id.as_str())),
            Expr::Lambda(_) => {}
            Expr::Call(call)
                if method_call(call).is_some_and(|(receiver, method)| {
                    matches!(receiver, Expr::Name(_))
                        && matches!(method, "start" | "start_soon" | "create_task")
                }) => {}
            _ => visitor::walk_expr(self, expr),
        });
    }

    guarded_nested_visits!('a);
}
