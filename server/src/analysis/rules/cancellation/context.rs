//! Facts the cancellation rules share: which calls open a nursery, a task group or a
//! cancel scope, decorators that turn a generator into a context manager, the
//! statements of the current function, and a walker over one function body that stays
//! out of nested scopes (whose code runs elsewhere, later). The library is
//! [`crate::analysis::index::Library`], read through `Checker::library`.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::analysis::checker::Checker;
use crate::analysis::depth::{guarded, guarded_nested_visits};
use crate::analysis::rules::common::decorator_name;

/// The qualified name of the function `expr` calls, if it is a call.
pub(crate) fn callee(checker: &Checker, expr: &Expr) -> Option<String> {
    match expr {
        Expr::Call(call) => checker.qualified_name(&call.func),
        _ => None,
    }
}

/// What a `with` item opens, for nurseries and task groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TaskGroupKind {
    /// `trio.open_nursery()`.
    Nursery,
    /// `anyio.create_task_group()`.
    AnyioTaskGroup,
    /// `asyncio.TaskGroup()`.
    AsyncioTaskGroup,
}

impl TaskGroupKind {
    pub(crate) fn noun(self) -> &'static str {
        match self {
            TaskGroupKind::Nursery => "nursery",
            TaskGroupKind::AnyioTaskGroup | TaskGroupKind::AsyncioTaskGroup => "task group",
        }
    }

    /// The methods that start a task in it.
    pub(crate) fn start_methods(self) -> &'static [&'static str] {
        match self {
            TaskGroupKind::Nursery | TaskGroupKind::AnyioTaskGroup => &["start", "start_soon"],
            TaskGroupKind::AsyncioTaskGroup => &["create_task"],
        }
    }
}

/// Whether `expr` is a call that opens a nursery or a task group.
pub(crate) fn task_group_kind(checker: &Checker, expr: &Expr) -> Option<TaskGroupKind> {
    match callee(checker, expr)?.as_str() {
        "trio.open_nursery" => Some(TaskGroupKind::Nursery),
        "anyio.create_task_group" => Some(TaskGroupKind::AnyioTaskGroup),
        "asyncio.TaskGroup" => Some(TaskGroupKind::AsyncioTaskGroup),
        _ => None,
    }
}

/// trio's and anyio's cancel scope constructors (`trio.fail_after` ...).
pub(crate) const CANCEL_SCOPE_NAMES: &[&str] = &[
    "fail_after",
    "fail_at",
    "move_on_after",
    "move_on_at",
    "CancelScope",
];

/// If `qualified` is `trio.<name>` or `anyio.<name>` with `name` in `names`, that name.
pub(crate) fn trio_or_anyio<'q>(qualified: &'q str, names: &[&str]) -> Option<&'q str> {
    let name = qualified
        .strip_prefix("trio.")
        .or_else(|| qualified.strip_prefix("anyio."))?;
    names.contains(&name).then_some(name)
}

/// Whether the function has a decorator whose last name is one of `names`, or one of
/// the configured `transform_async_generator_decorators` when `transforms` is set
/// (compared by their last component, as flake8-async does).
pub(crate) fn has_decorator(
    checker: &Checker,
    def: &ast::StmtFunctionDef,
    names: &[&str],
    transforms: bool,
) -> bool {
    let configured = &checker.options().transform_async_generator_decorators;
    def.decorator_list
        .iter()
        .filter_map(decorator_name)
        .any(|name| {
            names.contains(&name)
                || (transforms
                    && configured
                        .iter()
                        .any(|option| last_component(option) == name))
        })
}

/// `a.b.c` → `c`; also strips a leading `@` from configured decorator names.
pub(crate) fn last_component(dotted: &str) -> &str {
    let dotted = dotted.trim_start_matches('@');
    dotted.rsplit('.').next().unwrap_or(dotted)
}

/// The enclosing statements that belong to the current function (or module, or class
/// body): those after the innermost enclosing `def` or `class`, outermost first. The
/// statement being visited is last.
pub(crate) fn function_stmts<'c, 'a>(checker: &'c Checker<'a>) -> &'c [&'a Stmt] {
    let stmts = checker.enclosing_stmts();
    // The current statement may itself be a def: it belongs to the outer body.
    let before_current = stmts.len().saturating_sub(1);
    let start = stmts[..before_current]
        .iter()
        .rposition(|s| matches!(s, Stmt::FunctionDef(_) | Stmt::ClassDef(_)))
        .map_or(0, |i| i + 1);
    &stmts[start..]
}

/// Whether `inner` lies inside one of `body`'s statements.
pub(crate) fn in_body(body: &[Stmt], inner: TextRange) -> bool {
    match (body.first(), body.last()) {
        (Some(first), Some(last)) => {
            TextRange::new(first.start(), last.end()).contains_range(inner)
        }
        _ => false,
    }
}

/// A node met by [`walk_scope`].
#[derive(Clone, Copy)]
pub(crate) enum Node<'a> {
    Stmt(&'a Stmt),
    Expr(&'a Expr),
}

/// Calls `f` on every statement and expression of `body` in source order, without
/// entering nested functions, classes and lambdas (their code runs later, elsewhere).
/// `f` returns whether to descend into the node's children.
pub(crate) fn walk_scope<'a>(body: &'a [Stmt], f: &mut dyn FnMut(Node<'a>) -> bool) {
    let mut walker = ScopeWalker { f };
    walker.visit_body(body);
}

struct ScopeWalker<'f, 'a> {
    f: &'f mut dyn FnMut(Node<'a>) -> bool,
}

impl<'a> Visitor<'a> for ScopeWalker<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        guarded(|| {
            if !(self.f)(Node::Stmt(stmt)) {
                return;
            }
            if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                return;
            }
            visitor::walk_stmt(self, stmt);
        });
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        guarded(|| {
            if !(self.f)(Node::Expr(expr)) {
                return;
            }
            if matches!(expr, Expr::Lambda(_)) {
                return;
            }
            visitor::walk_expr(self, expr);
        });
    }

    guarded_nested_visits!('a);
}

/// Whether a `yield` (or `yield from`) occurs in `body` outside nested scopes.
pub(crate) fn contains_yield(body: &[Stmt]) -> bool {
    let mut found = false;
    walk_scope(body, &mut |node| {
        if let Node::Expr(Expr::Yield(_) | Expr::YieldFrom(_)) = node {
            found = true;
        }
        !found
    });
    found
}

/// The expression passed as a method's receiver: `x` in `x.start_soon(...)`.
pub(crate) fn method_call(call: &ast::ExprCall) -> Option<(&Expr, &str)> {
    match &*call.func {
        Expr::Attribute(attribute) => Some((&attribute.value, attribute.attr.as_str())),
        _ => None,
    }
}
