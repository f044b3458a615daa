//! ASYNC101: `yield` inside a nursery, task group or cancel scope.

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;

use super::context::{callee, function_stmts, has_decorator, trio_or_anyio, CANCEL_SCOPE_NAMES};
use crate::analysis::checker::{Checker, ScopeKind};

rule! {
    /// ## What it does
    /// Flags `yield` inside a `with` block that opens a nursery, task group or cancel
    /// scope (`trio.open_nursery`, `anyio.create_task_group`, `asyncio.TaskGroup`,
    /// `trio`/`anyio` `CancelScope`, `move_on_after`, `fail_after` ..., `asyncio.timeout`,
    /// and third-party context managers that hold one, such as
    /// `trio_websocket.open_websocket`). Generators decorated with `@contextmanager`,
    /// `@asynccontextmanager`, `@pytest.fixture` or one of
    /// `transform-async-generator-decorators` are exempt. Same code and meaning as
    /// flake8-async's ASYNC101.
    ///
    /// ## Why is this bad?
    /// At the `yield`, control goes to the consumer while the scope is still open. A
    /// cancellation or timeout of the scope is then delivered to whatever code the
    /// consumer runs, not to the generator; an exception raised by a task of the
    /// nursery surfaces in the wrong place; and the scope stack gets corrupted when
    /// scopes are exited out of order. Only a context manager's single `yield` is safe.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def ticks():
    ///     with trio.move_on_after(10):
    ///         while True:
    ///             yield await next_tick()
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def ticks(send_channel):
    ///     with trio.move_on_after(10):
    ///         while True:
    ///             await send_channel.send(await next_tick())
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the generator has to be rewritten (a channel, or a context manager).
    "ASYNC101" "yield-in-cancel-scope" {
        library: "trio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

/// Context managers with a cancel scope or a nursery inside, besides trio's and anyio's
/// own cancel scope constructors.
const SCOPE_CONTEXT_MANAGERS: &[&str] = &[
    "trio.open_nursery",
    "anyio.create_task_group",
    "asyncio.TaskGroup",
    "asyncio.timeout",
    "asyncio.timeout_at",
    "trio_websocket.open_websocket",
    "trio_websocket.open_websocket_url",
    "trio_websocket.serve_websocket",
    "trio_asyncio.open_loop",
    "trio_parallel.open_worker_context",
    "trio_util.move_on_when",
    "trio_util.run_and_cancelling",
    "qtrio.open_emissions_nursery",
    "qtrio.enter_emissions_channel",
    "anyio.from_thread.BlockingPortal",
    "anyio.from_thread.start_blocking_portal",
    "asgi_lifespan.LifespanManager",
    "apscheduler.AsyncScheduler",
    "mcp.client.streamable_http.streamablehttp_client",
    "mcp.client.sse.sse_client",
];

pub(crate) fn check_yield(checker: &mut Checker, expr: &Expr) {
    if !checker.enabled(RULE) {
        return;
    }
    // A lambda's `yield` belongs to a generator of its own, run elsewhere.
    if !matches!(
        checker.scopes().last().map(|s| s.kind),
        Some(ScopeKind::AsyncFunction | ScopeKind::SyncFunction)
    ) {
        return;
    }
    let Some(def) = checker.enclosing_function() else {
        return;
    };
    if has_decorator(
        checker,
        def,
        &["contextmanager", "asynccontextmanager", "fixture"],
        true,
    ) {
        return;
    }
    let range = expr.range();
    let scope = function_stmts(checker).iter().rev().find_map(|s| match s {
        Stmt::With(with) if with.body.iter().any(|b| b.range().contains_range(range)) => {
            with.items.iter().find_map(|item| {
                let qualified = callee(checker, &item.context_expr)?;
                let opens_scope = SCOPE_CONTEXT_MANAGERS.contains(&qualified.as_str())
                    || trio_or_anyio(&qualified, CANCEL_SCOPE_NAMES).is_some();
                opens_scope.then_some(qualified)
            })
        }
        _ => None,
    });
    let Some(scope) = scope else {
        return;
    };
    checker.report(
        RULE,
        range,
        format!(
            "`yield` inside `{scope}()`: while the consumer runs, the scope stays open, so \
             its cancellations and errors land in the consumer's code; only a context \
             manager's `yield` is safe here (use a channel instead)"
        ),
        None,
    );
}
