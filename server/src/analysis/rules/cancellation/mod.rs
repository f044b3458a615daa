//! Cancellation and structured concurrency: flake8-async's rules about cancel scopes,
//! nurseries and task groups, cancellation exceptions, `finally`, and startable tasks
//! (ASYNC101-104, 110-114, 119-122, 128).

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::TextRange;

use crate::analysis::checker::Checker;
use crate::analysis::rules::RuleMeta;

/// The family's rules, in any order (the catalogue sorts them).
pub static RULES: &[&RuleMeta] = &[];

/// Called for every statement before its children.
pub(crate) fn on_stmt(_checker: &mut Checker, _stmt: &Stmt) {}

/// Called for every expression before its children.
pub(crate) fn on_expr(_checker: &mut Checker, _expr: &Expr) {}

/// Called for `await`, `async for`, `async with` and async comprehension generators.
pub(crate) fn on_await_like(_checker: &mut Checker, _range: TextRange, _what: &'static str) {}
