//! Cancellation and structured concurrency: flake8-async's rules about cancel scopes,
//! nurseries and task groups, cancellation exceptions, `finally`, and startable tasks
//! (ASYNC101-104, 110-114, 119-122, 128).

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use handlers::AwaitContext;

use crate::analysis::checker::Checker;

pub mod async101_yield_in_cancel_scope;
pub mod async102_await_in_finally_or_cancelled;
pub mod async103_cancellation_not_reraised;
pub mod async104_cancellation_swallowed;
pub mod async110_busy_wait;
pub mod async111_variable_outlived_by_task;
pub mod async112_useless_nursery;
pub mod async113_start_soon_in_aenter;
pub mod async114_startable_not_configured;
pub mod async119_yield_in_cm_in_async_generator;
pub mod async120_await_in_except;
pub mod async121_control_flow_in_task_group;
pub mod async122_delayed_cancel_scope_entry;
pub mod async128_task_status_never_started;
pub(crate) mod context;
pub(crate) mod handlers;
pub(crate) mod reraise;

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
        Stmt::Try(try_) => reraise::check_try(checker, try_),
        Stmt::Return(_) | Stmt::Break(_) | Stmt::Continue(_) => {
            async121_control_flow_in_task_group::check(checker, stmt);
        }
        _ => {}
    }
}

/// Called for every expression before its children.
pub(crate) fn on_expr(checker: &mut Checker, expr: &Expr) {
    match expr {
        Expr::Await(awaited) => {
            check_checkpoint_in_cleanup(checker, awaited.range, "await", Some(&awaited.value));
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

/// Called for every call, with its callee resolved through the imports.
pub(crate) fn on_call(
    checker: &mut Checker,
    call: &ruff_python_ast::ExprCall,
    qualified: Option<&str>,
) {
    async111_variable_outlived_by_task::check_call(checker, call);
    if let Some(qualified) = qualified {
        async122_delayed_cancel_scope_entry::check_call(checker, call, qualified);
    }
}

/// Called for `await`, `async for`, `async with` and async comprehension generators.
pub(crate) fn on_await_like(checker: &mut Checker, range: TextRange, what: &'static str) {
    if !checker.enabled(async102_await_in_finally_or_cancelled::RULE)
        && !checker.enabled(async120_await_in_except::RULE)
    {
        return;
    }
    // `await` comes through `on_expr`, which sees what is awaited. Only statements count
    // here: an async comprehension's `async for` is not a flake8-async checkpoint.
    let statement = match checker.enclosing_stmts().last() {
        Some(Stmt::For(looping)) if what == "async for" => {
            looping.is_async && looping.start() == range.start()
        }
        Some(Stmt::With(with)) if what == "async with" => {
            with.start() == range.start() && handlers::async_with_checkpoints(checker, with)
        }
        _ => false,
    };
    if statement {
        check_checkpoint_in_cleanup(checker, range, what, None);
    }
}

/// ASYNC102 and ASYNC120 share the walk that finds where a checkpoint sits.
/// `awaited` is the operand of an `await`, which may be a call that is safe in cleanup.
fn check_checkpoint_in_cleanup(
    checker: &mut Checker,
    range: TextRange,
    what: &str,
    awaited: Option<&Expr>,
) {
    let check_102 = checker.enabled(async102_await_in_finally_or_cancelled::RULE);
    let check_120 = checker.enabled(async120_await_in_except::RULE);
    if !check_102 && !check_120 {
        return;
    }
    let context = handlers::await_context(checker, range);
    if matches!(context, AwaitContext::Unprotected)
        || awaited.is_some_and(|awaited| handlers::is_safe_cleanup_await(checker, awaited))
    {
        return;
    }
    match context {
        AwaitContext::Unprotected => {}
        AwaitContext::Cleanup(place) => {
            if check_102 {
                async102_await_in_finally_or_cancelled::report(checker, range, what, &place);
            }
        }
        AwaitContext::Handler(handler) => {
            if check_120 && handlers::raises_after(handler, range.start()) {
                async120_await_in_except::report(checker, range, what);
            }
        }
    }
}
