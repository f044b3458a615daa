//! Starting an event loop from code that already runs on one.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::analysis::checker::{Checker, ExecContext};
use crate::analysis::diagnostic::{Edit, Fix};

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
    /// (`target = "ipython"`) the kernel's asyncio loop is always running, while
    /// `trio.run` only fails in cells that also await at top level.
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
    /// `async def`, where the call could never have worked.
    "LOOP200" "nested-loop-run" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Error,
        fix: Sometimes,
    }
}

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if !checker.enabled(&RULE) {
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
            let asyncio_runner = !matches!(runner, "trio.run" | "anyio.run");
            // Under IPython the kernel's asyncio loop always runs; trio only inside
            // cells that await at top level (`%autoawait trio` wraps them in trio.run).
            if !(checker.top_level_runs_on_loop() || asyncio_runner) {
                return;
            }
            "at cell top level, which already runs on the loop"
        }
        _ => return,
    };
    let fix = await_fix(checker, call, runner);
    checker.report(
        &RULE,
        call.range(),
        format!("`{runner}()` {where_}: {error}"),
        fix,
    );
}

/// `asyncio.run(x)` → `await x`; `trio.run(f, a)` → `await f(a)`.
fn await_fix(checker: &Checker, call: &ast::ExprCall, runner: &str) -> Option<Fix> {
    let arguments = &call.arguments;
    match runner {
        "asyncio.run" | "run_until_complete" => {
            if arguments.args.len() != 1 || !arguments.keywords.is_empty() {
                return None;
            }
            let awaitable = checker.source(arguments.args[0].range());
            Some(Fix::new(
                format!("Replace with `await {awaitable}`"),
                vec![Edit::replace(call.range(), format!("await {awaitable}"))],
            ))
        }
        "trio.run" | "anyio.run" => {
            let (function, rest) = arguments.args.split_first()?;
            if !arguments.keywords.is_empty() || rest.iter().any(|a| a.is_starred_expr()) {
                return None;
            }
            let function = checker.source(function.range());
            let rest: Vec<&str> = rest.iter().map(|a| checker.source(a.range())).collect();
            let replacement = format!("await {function}({})", rest.join(", "));
            Some(Fix::new(
                format!("Replace with `{replacement}`"),
                vec![Edit::replace(call.range(), replacement)],
            ))
        }
        _ => None,
    }
}
