//! Blocking calls: flake8-async's ASYNC2xx inside `async def`, and their cell-level
//! counterpart LOOP400, plus the notebook rules about cells that never finish (LOOP403)
//! and state across IPython's per-cell `trio.run` (LOOP404).

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::analysis::checker::{Checker, ExecContext};
use crate::analysis::rules::RuleSet;

pub mod calls;

pub mod async200_blocking_configured_call;
pub mod async210_blocking_http_call;
pub mod async211_blocking_http_call_pool;
pub mod async212_blocking_http_call_httpx;
pub mod async220_create_subprocess;
pub mod async221_run_process;
pub mod async222_wait_process;
pub mod async230_blocking_open_call;
pub mod async231_blocking_fdopen;
pub mod async232_blocking_file_call;
pub mod async240_blocking_path_call;
pub mod async250_blocking_input;
pub mod async251_blocking_sleep;
pub mod loop400_blocking_call_stalls_background;
pub mod loop403_cell_waits_on_nursery;
pub mod loop404_state_across_trio_runs;

/// The rules that look at calls inside `async def`: flake8-async's ASYNC2xx (all of
/// them in this family); the LOOP4xx rules look at cells.
const ASYNC_CALL_RULES: RuleSet = RuleSet::with_prefix("ASYNC2");

/// Called for every statement before its children.
pub(crate) fn on_stmt(checker: &mut Checker, stmt: &Stmt) {
    match stmt {
        Stmt::With(_) => loop403_cell_waits_on_nursery::check_stmt(checker, stmt),
        Stmt::Assign(_) => loop404_state_across_trio_runs::check_stmt(checker, stmt),
        _ => {}
    }
}

/// Called for every expression before its children; calls come through [`on_call`].
pub(crate) fn on_expr(checker: &mut Checker, expr: &Expr) {
    if let Expr::Name(name) = expr {
        loop404_state_across_trio_runs::check_name(checker, name);
    }
}

/// Called for every call, with its callee resolved through the imports.
pub(crate) fn on_call(
    checker: &mut Checker,
    call: &ruff_python_ast::ExprCall,
    qualified: Option<&str>,
) {
    match checker.exec_context() {
        ExecContext::AsyncFunction => async_call(checker, call, qualified),
        ExecContext::TopLevel if checker.kind().has_cells() => {
            loop400_blocking_call_stalls_background::check_call(checker, call);
            loop404_state_across_trio_runs::check_call(checker, call);
        }
        _ => {}
    }
}

/// A call inside `async def` (not in a nested sync `def` or lambda, which run wherever
/// they are called from), as flake8-async decides it.
fn async_call(checker: &mut Checker, call: &ruff_python_ast::ExprCall, qualified: Option<&str>) {
    if !checker.enabled_any(ASYNC_CALL_RULES) {
        return;
    }
    // flake8-async leaves awaited calls alone: an awaitable is not the sync API.
    if matches!(checker.parent_expr(), Some(Expr::Await(_))) {
        return;
    }
    async211_blocking_http_call_pool::check(checker, call, qualified);
    if let Some(receiver) = receiver_variable(call) {
        if checker.enabled(async212_blocking_http_call_httpx::RULE)
            || checker.enabled(async232_blocking_file_call::RULE)
        {
            if let Some(typed) = calls::variable_type(checker, receiver, call.start()) {
                async212_blocking_http_call_httpx::check(checker, call, &typed);
                async232_blocking_file_call::check(checker, call, &typed);
            }
        }
    }
    // A pattern may match a callee that is no dotted name (`make().session.get`).
    async200_blocking_configured_call::check(checker, call, qualified);
    let Some(qualified) = qualified else { return };
    async210_blocking_http_call::check(checker, call, qualified);
    async220_create_subprocess::check(checker, call, qualified);
    async221_run_process::check(checker, call, qualified);
    async222_wait_process::check(checker, call, qualified);
    async230_blocking_open_call::check(checker, call, qualified);
    async231_blocking_fdopen::check(checker, call, qualified);
    async240_blocking_path_call::check(checker, call, qualified);
    async250_blocking_input::check(checker, call, qualified);
    async251_blocking_sleep::check(checker, call, qualified);
}

/// `x` in `x.method(...)`.
fn receiver_variable(call: &ruff_python_ast::ExprCall) -> Option<&str> {
    match call.func.as_ref() {
        Expr::Attribute(attribute) => match attribute.value.as_ref() {
            Expr::Name(name) => Some(name.id.as_str()),
            _ => None,
        },
        _ => None,
    }
}

/// Called for `await`, `async for`, `async with` and async comprehension generators.
pub(crate) fn on_await_like(_checker: &mut Checker, _range: TextRange, _what: &'static str) {}
