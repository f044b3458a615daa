//! Blocking calls: flake8-async's ASYNC2xx inside `async def`, and their cell-level
//! counterpart LOOP400, plus the notebook rules about cells that never finish (LOOP403)
//! and state across IPython's per-cell `trio.run` (LOOP404).

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
