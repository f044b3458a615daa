//! ASYNC113: `start_soon` of a startable function while entering a context manager.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::async114_startable_not_configured::{is_listed_startable, TRIO_STARTABLE};
use super::context::{
    contains_yield, has_decorator, method_call, task_group_kind, walk_scope, Node,
};
use crate::analysis::checker::Checker;
use crate::analysis::depth::guarded;
use crate::analysis::index::Library;

rule! {
    /// ## What it does
    /// Flags `nursery.start_soon(f, ...)` (or `task_group.start_soon`, or asyncio's
    /// `create_task`) of a startable function `f` (`trio.serve_tcp`,
    /// `trio.serve_listeners`, `trio.run_process`, a function named `serve`, or one
    /// listed in `startable-in-context-manager`) inside `__aenter__` or an
    /// `@asynccontextmanager` before its `yield`. Same code and meaning as
    /// flake8-async's ASYNC113.
    ///
    /// ## Why is this bad?
    /// `start_soon` only schedules the task: `__aenter__` returns, and the body of the
    /// `async with` runs, before the server is listening or the process has started.
    /// `await nursery.start(f)` waits until `f` reports itself ready.
    ///
    /// ## Example
    /// ```python
    /// from contextlib import asynccontextmanager
    /// import trio
    ///
    /// @asynccontextmanager
    /// async def running_server(nursery):
    ///     nursery.start_soon(trio.serve_tcp, handler, 8080)
    ///     yield
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// from contextlib import asynccontextmanager
    /// import trio
    ///
    /// @asynccontextmanager
    /// async def running_server(nursery):
    ///     await nursery.start(trio.serve_tcp, handler, 8080)
    ///     yield
    /// ```
    ///
    /// ## Fix safety
    /// No fix: `start` requires the function to accept `task_status` and call
    /// `task_status.started()`, which only its author can confirm.
    "ASYNC113" "start-soon-in-async-cm" {
        library: "trio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check_def(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    if !checker.enabled(RULE) || !def.is_async {
        return;
    }
    let aenter = def.name.as_str() == "__aenter__";
    if !aenter && !has_decorator(checker, def, &["asynccontextmanager"], false) {
        return;
    }
    let task_groups = task_group_variables(checker, def);
    let library = checker.library();
    let trio = library.is_trio() || checker.imports_module("trio");
    let anyio = library == Library::Anyio;
    // In an `@asynccontextmanager`, only calls before the `yield` run during entry.
    let mut pending: Vec<(TextRange, String)> = Vec::new();
    let mut findings: Vec<(TextRange, String)> = Vec::new();
    let mut entering = true;
    walk_scope(&def.body, &mut |node| match node {
        // A block without `yield` finishes (its nursery waits for its tasks) before
        // entry completes.
        Node::Stmt(Stmt::With(with)) => contains_yield(&with.body),
        Node::Expr(Expr::Yield(_) | Expr::YieldFrom(_)) => {
            findings.append(&mut pending);
            entering = false;
            true
        }
        Node::Expr(Expr::Call(call)) if entering => {
            let Some((receiver, method)) = method_call(call) else {
                return true;
            };
            if method != "start_soon" && method != "create_task" {
                return true;
            }
            let receiver_text = checker.source(receiver.range());
            let is_task_group = (trio && receiver_text.ends_with("nursery"))
                || (anyio && receiver_text.ends_with("task_group"))
                || (matches!(receiver, Expr::Name(_) | Expr::Attribute(_))
                    && task_groups.iter().any(|bound| bound == receiver_text));
            if !is_task_group {
                return true;
            }
            let Some(function) = call.arguments.args.first() else {
                return true;
            };
            if !is_startable(checker, function) {
                return true;
            }
            let message = format!(
                "`{receiver_text}.{method}({})` only schedules the task: entry finishes before \
                 it is ready (listening, running); use `await {receiver_text}.start(...)`, \
                 which waits for `task_status.started()`",
                checker.source(function.range())
            );
            if aenter {
                findings.push((call.range(), message));
            } else {
                pending.push((call.range(), message));
            }
            true
        }
        _ => true,
    });
    for (range, message) in findings {
        checker.report(RULE, range, message, None);
    }
}

/// Whether the function handed to `start_soon` is known to be startable; a call such as
/// `functools.partial(trio.serve_tcp, ...)` counts when one of its arguments is.
fn is_startable(checker: &Checker, function: &Expr) -> bool {
    guarded(|| {
        match function {
            Expr::Name(name) => is_listed_startable(checker, name.id.as_str()),
            Expr::Attribute(attribute) => {
                let attr = attribute.attr.as_str();
                if !is_listed_startable(checker, attr) {
                    return false;
                }
                // `proc.run_process` of some other module is not trio's startable one.
                if TRIO_STARTABLE.contains(&attr) {
                    if let Expr::Name(_) = &*attribute.value {
                        return checker
                            .qualified_name(function)
                            .is_some_and(|q| q.strip_prefix("trio.") == Some(attr));
                    }
                }
                true
            }
            Expr::Call(call) => call
                .arguments
                .args
                .iter()
                .any(|argument| is_startable(checker, argument)),
            _ => false,
        }
    })
}

/// Names in the function known to hold a nursery or task group: bound by
/// `async with trio.open_nursery() as name`, assigned one, or annotated as one (a
/// parameter, or an annotated assignment `name: trio.Nursery = ...`, also of an
/// attribute, `self.name: trio.Nursery`), as written.
fn task_group_variables(checker: &Checker, def: &ast::StmtFunctionDef) -> Vec<String> {
    let is_task_group_type = |annotation: &Expr| {
        matches!(
            checker.qualified_name(annotation).as_deref(),
            Some(
                "trio.Nursery"
                    | "anyio.TaskGroup"
                    | "anyio.abc.TaskGroup"
                    | "asyncio.TaskGroup"
                    | "asyncio.taskgroups.TaskGroup"
            )
        )
    };
    let mut names = Vec::new();
    for parameter in def.parameters.iter() {
        if parameter.annotation().is_some_and(is_task_group_type) {
            names.push(parameter.name().to_string());
        }
    }
    walk_scope(&def.body, &mut |node| {
        match node {
            Node::Stmt(Stmt::With(with)) => {
                for item in &with.items {
                    if let Some(Expr::Name(name)) = item.optional_vars.as_deref() {
                        if task_group_kind(checker, &item.context_expr).is_some() {
                            names.push(name.id.to_string());
                        }
                    }
                }
            }
            Node::Stmt(Stmt::Assign(assign)) => {
                if let [Expr::Name(name)] = assign.targets.as_slice() {
                    if task_group_kind(checker, &assign.value).is_some() {
                        names.push(name.id.to_string());
                    }
                }
            }
            // `boo: trio.Nursery = ...` or `self.boo: trio.Nursery`, with or without a
            // value.
            Node::Stmt(Stmt::AnnAssign(assign)) => {
                if matches!(assign.target.as_ref(), Expr::Name(_) | Expr::Attribute(_))
                    && is_task_group_type(&assign.annotation)
                {
                    names.push(checker.source(assign.target.range()).to_string());
                }
            }
            _ => {}
        }
        true
    });
    names
}
