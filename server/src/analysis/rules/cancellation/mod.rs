//! Cancellation and structured concurrency: flake8-async's rules about cancel scopes,
//! nurseries and task groups, cancellation exceptions, `finally`, and startable tasks
//! (ASYNC101-104, 110-114, 119-122, 128).

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::TextRange;

use crate::analysis::checker::Checker;
use crate::analysis::rules::RuleMeta;

pub mod async101_yield_in_cancel_scope;
pub mod async110_busy_wait;
pub mod async112_useless_nursery;
pub mod async113_start_soon_in_aenter;
pub mod async114_startable_not_configured;
pub mod async119_yield_in_cm_in_async_generator;
pub mod async121_control_flow_in_task_group;
pub mod async122_delayed_cancel_scope_entry;
pub mod async128_task_status_never_started;
pub(crate) mod context;

/// The family's rules, in any order (the catalogue sorts them).
pub static RULES: &[&RuleMeta] = &[
    &async101_yield_in_cancel_scope::RULE,
    &async110_busy_wait::RULE,
    &async112_useless_nursery::RULE,
    &async113_start_soon_in_aenter::RULE,
    &async114_startable_not_configured::RULE,
    &async119_yield_in_cm_in_async_generator::RULE,
    &async121_control_flow_in_task_group::RULE,
    &async122_delayed_cancel_scope_entry::RULE,
    &async128_task_status_never_started::RULE,
];

/// Called for every statement before its children.
pub(crate) fn on_stmt(checker: &mut Checker, stmt: &Stmt) {
    match stmt {
        Stmt::While(looping) => async110_busy_wait::check_while(checker, looping),
        Stmt::With(with) => async112_useless_nursery::check_with(checker, with),
        Stmt::FunctionDef(def) => {
            async113_start_soon_in_aenter::check_def(checker, def);
            async114_startable_not_configured::check_def(checker, def);
            async128_task_status_never_started::check_def(checker, def);
        }
        Stmt::Return(_) | Stmt::Break(_) | Stmt::Continue(_) => {
            async121_control_flow_in_task_group::check(checker, stmt);
        }
        _ => {}
    }
}

/// Called for every expression before its children.
pub(crate) fn on_expr(checker: &mut Checker, expr: &Expr) {
    match expr {
        Expr::Call(call) => {
            if !checker.enabled(&async122_delayed_cancel_scope_entry::RULE) {
                return;
            }
            if let Some(qualified) = checker.qualified_name(&call.func) {
                async122_delayed_cancel_scope_entry::check_call(checker, call, &qualified);
            }
        }
        Expr::Yield(_) | Expr::YieldFrom(_) => {
            async101_yield_in_cancel_scope::check_yield(checker, expr);
            if let Expr::Yield(_) = expr {
                async119_yield_in_cm_in_async_generator::check_yield(checker, expr);
            }
        }
        _ => {}
    }
}

/// Called for `await`, `async for`, `async with` and async comprehension generators.
pub(crate) fn on_await_like(_checker: &mut Checker, _range: TextRange, _what: &'static str) {}
