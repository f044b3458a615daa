//! `asyncio.create_task(...)` whose task is dropped.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags an `asyncio.create_task(...)` or `asyncio.ensure_future(...)` whose result
    /// is lost: the value of an expression statement (also inside a list, tuple or set
    /// display, a conditional expression's branch, a boolean operator, or a list, set or
    /// generator expression used as a statement), a value only tested for truth (the
    /// condition of `if`, `while`, `assert` or a conditional expression, the operand of
    /// `not`, a comprehension's `if`), the context manager of a `with`, or the iterable
    /// of a `for` that holds the tasks only while it runs. A value tested for truth is
    /// lost even where flake8-async sees an assignment (`ok = not create_task(...)`).
    ///
    /// Unlike flake8-async, `await asyncio.create_task(...)` is not flagged (the
    /// awaiting coroutine holds the task until it finishes), nor is a task that is
    /// yielded, returned from a lambda or stored with an annotated assignment; and
    /// `ensure_future` is checked as well as `create_task`.
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

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if !checker.enabled(RULE) {
        return;
    }
    let Some(name @ ("asyncio.create_task" | "asyncio.ensure_future")) = qualified else {
        return;
    };
    let Some(fate) = dropped(checker, call) else {
        return;
    };
    let what = match fate {
        Fate::Discarded => "is not stored",
        Fate::NeverIterated => {
            "is in a generator expression that is dropped without running, so it never even \
             starts"
        }
        Fate::TestedForTruth => "is only tested for truth and then dropped",
        Fate::EnteredAsContext => {
            "is used as a context manager (which a task is not) instead of being stored"
        }
        Fate::IteratedOnce => "is only referenced while the loop iterates",
    };
    checker.report(
        RULE,
        call.range(),
        format!(
            "the task from `{name}()` {what}: the loop holds tasks only weakly, so it can be \
             garbage-collected mid-flight; keep a reference (a set of tasks, or a `TaskGroup`)"
        ),
        None,
    );
}

/// How a task's only reference is lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    /// An expression statement's value (also inside a list or a conditional).
    Discarded,
    /// The element of a generator expression that is itself discarded.
    NeverIterated,
    /// `if create_task(...)`, `not create_task(...)`, a comprehension's `if`.
    TestedForTruth,
    /// `with create_task(...)`.
    EnteredAsContext,
    /// `for t in [create_task(c) for c in coros]`.
    IteratedOnce,
}

/// Follows the task from the call outwards through the expressions that pass it on
/// (displays, comprehension elements, boolean operators, a conditional's branches)
/// to what finally takes it. Anything else keeps or uses the value (an argument, an
/// `await`, `:=`, a lambda's return value, an attribute such as
/// `.add_done_callback`), and so does every statement but the ones matched here.
fn dropped(checker: &Checker, call: &ast::ExprCall) -> Option<Fate> {
    let exprs = checker.enclosing_exprs();
    let mut child = call.range();
    let mut in_generator = false;
    for parent in exprs.iter().rev().skip(1) {
        let is_child = |expr: &Expr| expr.range() == child;
        let in_ifs = |generators: &[ast::Comprehension]| {
            generators.iter().flat_map(|g| &g.ifs).any(is_child)
        };
        match parent {
            Expr::List(_)
            | Expr::Tuple(_)
            | Expr::Set(_)
            | Expr::Dict(_)
            | Expr::Starred(_)
            | Expr::BoolOp(_) => {}
            Expr::If(conditional) if is_child(&conditional.test) => {
                return Some(Fate::TestedForTruth)
            }
            Expr::If(_) => {}
            Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::Not => {
                return Some(Fate::TestedForTruth)
            }
            Expr::ListComp(ast::ExprListComp {
                elt, generators, ..
            })
            | Expr::SetComp(ast::ExprSetComp {
                elt, generators, ..
            })
            | Expr::Generator(ast::ExprGenerator {
                elt, generators, ..
            }) => {
                if in_ifs(generators) {
                    return Some(Fate::TestedForTruth);
                }
                if !is_child(elt) {
                    return None;
                }
                in_generator |= parent.is_generator_expr();
            }
            Expr::DictComp(comprehension) => {
                if in_ifs(&comprehension.generators) {
                    return Some(Fate::TestedForTruth);
                }
                let is_element = comprehension.key.as_deref().is_some_and(is_child)
                    || is_child(&comprehension.value);
                if !is_element {
                    return None;
                }
            }
            _ => return None,
        }
        child = parent.range();
    }
    let is_child = |expr: &Expr| expr.range() == child;
    match checker.enclosing_stmts().last()? {
        Stmt::Expr(_) if in_generator => Some(Fate::NeverIterated),
        Stmt::Expr(_) => Some(Fate::Discarded),
        // Every expression an `if` or `while` statement holds itself is a condition.
        Stmt::If(_) | Stmt::While(_) => Some(Fate::TestedForTruth),
        Stmt::Assert(assert) if is_child(&assert.test) => Some(Fate::TestedForTruth),
        Stmt::With(with) if with.items.iter().any(|item| is_child(&item.context_expr)) => {
            Some(Fate::EnteredAsContext)
        }
        Stmt::For(looping) if is_child(&looping.iter) => Some(Fate::IteratedOnce),
        _ => None,
    }
}
