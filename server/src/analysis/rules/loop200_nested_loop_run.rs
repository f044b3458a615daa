//! Starting an event loop from code that already runs on one.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use super::apis::is_known_async_callee;
use crate::analysis::checker::{Checker, ExecContext};
use crate::analysis::diagnostic::{Edit, Fix};
use crate::analysis::index::Loop;
use crate::analysis::names::last_segment;
use crate::analysis::settings::Target;

rule! {
    /// ## What it does
    /// Flags `asyncio.run()`, `trio.run()`, `anyio.run()`, `loop.run_until_complete()`
    /// and `loop.run_forever()` at cell top level or inside an `async def`.
    ///
    /// ## Why is this bad?
    /// That code already runs on an event loop, and a loop cannot be started inside
    /// itself. It fails with
    /// `RuntimeError: asyncio.run() cannot be called from a running event loop`,
    /// `RuntimeError: This event loop is already running`, or for trio
    /// `RuntimeError: Attempted to call run() from inside a run()`.
    ///
    /// In asyncell every cell runs on the persistent loop. Under stock IPython
    /// (`target = "ipython"`) the kernel's asyncio loop is always running, so asyncio
    /// runners and `anyio.run` always fail at cell top level, while `trio.run` only fails
    /// in cells that also await at top level.
    ///
    /// When the runner belongs to the other library (`asyncio.run()` in a trio
    /// document, `trio.run()` in an asyncio one), nothing raises: the nested loop runs
    /// to completion while the document's own loop, its background tasks included,
    /// stands still. The message says so, and no `await` fix is offered, since the
    /// awaitable belongs to the other library.
    ///
    /// Not flagged: sync functions and a script's module level, where starting a loop is
    /// the normal way to run async code.
    ///
    /// ## Example
    /// ```python
    /// # %%
    /// result = asyncio.run(fetch(url))
    /// trio.run(main, 3)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// # %%
    /// result = await fetch(url)
    /// await main(3)
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces the call with `await`. It is safe at cell top level and inside
    /// `async def`, where the call could never have worked. It is not offered where
    /// `await` is not allowed (a class body) or would change the code's meaning (a
    /// generator expression would become an async generator), nor when the call passes
    /// keyword or starred arguments.
    "LOOP200" "nested-loop-run" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Error,
        fix: Sometimes(Safe),
    }
}

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if !checker.enabled(RULE) {
        return;
    }
    let method = match call.func.as_ref() {
        Expr::Attribute(attribute) => Some(attribute.attr.id.as_str()),
        _ => None,
    };
    let (runner, error) = match (qualified, method) {
        (Some("asyncio.run"), _) => (
            "asyncio.run",
            "RuntimeError: asyncio.run() cannot be called from a running event loop",
        ),
        (Some("trio.run"), _) => (
            "trio.run",
            "RuntimeError: Attempted to call run() from inside a run()",
        ),
        (Some("anyio.run"), _) => (
            "anyio.run",
            "RuntimeError: Already running asyncio in this thread",
        ),
        (_, Some("run_until_complete")) => (
            "run_until_complete",
            "RuntimeError: This event loop is already running",
        ),
        (_, Some("run_forever")) => (
            "run_forever",
            "RuntimeError: This event loop is already running",
        ),
        _ => return,
    };
    let where_ = match checker.exec_context() {
        ExecContext::AsyncFunction => "inside `async def`",
        ExecContext::TopLevel if checker.kind().has_cells() => {
            // Under IPython the kernel's asyncio loop always runs, and anyio.run refuses
            // to start whenever sniffio detects it, whatever the backend. trio.run only
            // fails inside cells that await at top level (`%autoawait trio` wraps those in
            // a trio.run of their own).
            if runner == "trio.run" && !checker.top_level_runs_on_loop() {
                return;
            }
            "at cell top level, which already runs on the loop"
        }
        _ => return,
    };
    let runner_loop = match runner {
        "trio.run" => Loop::Trio,
        // anyio.run refuses to start under either library (it asks sniffio).
        "anyio.run" => Loop::Unknown,
        _ => Loop::Asyncio,
    };
    let document_loop = checker.loop_();
    // Under stock IPython the kernel's own asyncio loop runs in the cell's thread
    // whatever `%autoawait` says, so the asyncio runners raise there after all.
    let kernel_asyncio_runs = checker.kind().has_cells() && checker.index.target == Target::Ipython;
    if !kernel_asyncio_runs
        && runner_loop != Loop::Unknown
        && document_loop != Loop::Unknown
        && runner_loop != document_loop
    {
        let (nested, running) = match runner_loop {
            Loop::Trio => ("trio", "asyncio"),
            _ => ("asyncio", "trio"),
        };
        checker.report(
            RULE,
            call.range(),
            format!(
                "`{runner}()` {where_} starts a nested {nested} loop: the {running} loop and \
                 its background tasks stand still until it returns"
            ),
            None,
        );
        return;
    }
    let fix = await_fix(checker, call, runner);
    checker.report(
        RULE,
        call.range(),
        format!("`{runner}()` {where_}: {error}"),
        fix,
    );
}

/// `asyncio.run(x)` → `await x`; `trio.run(f, a)` → `await f(a)`. Only where `await` is
/// legal and keeps the meaning, and only when every argument carries over.
fn await_fix(checker: &Checker, call: &ast::ExprCall, runner: &str) -> Option<Fix> {
    let arguments = &call.arguments;
    if !checker.can_await_here()
        || !arguments.keywords.is_empty()
        || arguments.args.iter().any(Expr::is_starred_expr)
    {
        return None;
    }
    let replacement = match runner {
        "asyncio.run" | "run_until_complete" => {
            let [awaitable] = &arguments.args[..] else {
                return None;
            };
            let qualified = checker.qualified_name(awaitable);
            if is_known_async_callee(checker, awaitable, qualified.as_deref()) {
                // `asyncio.run(main)` (LOOP303): the coroutine is `main()`.
                checker.await_text(&format!("{}()", checker.primary_source(awaitable)))
            } else {
                checker.await_replacement(awaitable)
            }
        }
        "trio.run" | "anyio.run" => match arguments.args.split_first()? {
            // `trio.run(main(3))` (LOOP303) hands over a coroutine: await it.
            (Expr::Call(inner), []) if last_segment(&inner.func) != Some("partial") => {
                checker.await_replacement(&arguments.args[0])
            }
            (function, rest) => {
                let rest: Vec<&str> = rest.iter().map(|a| checker.source(a.range())).collect();
                checker.await_text(&format!(
                    "{}({})",
                    checker.primary_source(function),
                    rest.join(", ")
                ))
            }
        },
        _ => return None,
    };
    Some(Fix::new(
        format!("Replace with `{replacement}`"),
        vec![Edit::replace(call.range(), replacement)],
    ))
}
