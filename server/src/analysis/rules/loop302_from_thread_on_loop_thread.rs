//! `from_thread.run` called on the loop's own thread.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use crate::analysis::checker::{Checker, ExecContext};
use crate::analysis::diagnostic::{Edit, Fix};

rule! {
    /// ## What it does
    /// Flags `trio.from_thread.run`, `trio.from_thread.run_sync` and anyio's
    /// `from_thread.run`/`run_sync` called inside an `async def` or at cell top level.
    ///
    /// ## Why is this bad?
    /// These functions exist for worker threads to call back into the loop, and they block
    /// until the loop answers. On the loop's own thread the loop can never answer: trio
    /// raises `RuntimeError: this thread wasn't created by Trio, pass kwarg trio_token=...`
    /// (or `this is a blocking function; call it from a thread` with a token), and anyio
    /// refuses likewise.
    ///
    /// Under stock IPython (`target = "ipython"`) a cell without top-level `await` runs
    /// outside any trio run, so there the call fails for want of a loop; it is flagged
    /// too, unless it passes `trio_token=` for a loop running in another thread.
    ///
    /// Not flagged: functions handed to `to_thread.run_sync`, where they belong.
    ///
    /// ## Example
    /// ```python
    /// async def handler():
    ///     trio.from_thread.run(refresh, 1)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// async def handler():
    ///     await refresh(1)
    /// ```
    ///
    /// ## Fix safety
    /// The fix calls the function directly (`await f(a)` for `run`, `f(a)` for
    /// `run_sync`). It is safe where the original call could never succeed.
    "LOOP302" "from-thread-on-loop-thread" {
        library: "trio/anyio",
        default: true,
        severity: Error,
        fix: Sometimes(Safe),
    }
}

const APIS: &[&str] = &[
    "trio.from_thread.run",
    "trio.from_thread.run_sync",
    "anyio.from_thread.run",
    "anyio.from_thread.run_sync",
];

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if !checker.enabled(RULE) {
        return;
    }
    let Some(api) = qualified.filter(|q| APIS.contains(q)) else {
        return;
    };
    let on_loop_thread = match checker.exec_context() {
        ExecContext::AsyncFunction => "inside `async def`",
        ExecContext::TopLevel if checker.kind().has_cells() && checker.top_level_runs_on_loop() => {
            "at cell top level"
        }
        ExecContext::TopLevel if checker.kind().has_cells() => {
            // Stock IPython runs a cell without top-level await outside any trio run: the
            // call fails for want of a loop, unless a token names one in another thread.
            let has_token = call
                .arguments
                .keywords
                .iter()
                .any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "trio_token"));
            if has_token {
                return;
            }
            let fix = direct_call_fix(checker, call, api.ends_with("run_sync"));
            checker.report(
                RULE,
                call.range(),
                format!(
                    "`{api}()` at cell top level: under IPython a cell without top-level `await` \
                     runs outside any Trio run (RuntimeError: this thread wasn't created by Trio)"
                ),
                fix,
            );
            return;
        }
        _ => return,
    };
    let fix = direct_call_fix(checker, call, api.ends_with("run_sync"));
    checker.report(
        RULE,
        call.range(),
        format!(
            "`{api}()` {on_loop_thread}, on the loop's own thread: it waits for the loop it is \
             blocking (RuntimeError: this thread wasn't created by Trio)"
        ),
        fix,
    );
}

fn direct_call_fix(checker: &Checker, call: &ast::ExprCall, sync: bool) -> Option<Fix> {
    let arguments = &call.arguments;
    let (function, rest) = arguments.args.split_first()?;
    if !arguments.keywords.is_empty() || function.is_starred_expr() {
        return None;
    }
    let args: Vec<&str> = rest.iter().map(|a| checker.source(a.range())).collect();
    let direct = format!("{}({})", checker.primary_source(function), args.join(", "));
    let replacement = match (sync, checker.can_await_here()) {
        (true, _) => direct,
        (false, true) => checker.await_text(&direct),
        // Without `await` the direct call would only create a coroutine.
        (false, false) => return None,
    };
    Some(Fix::new(
        format!("Call directly: `{replacement}`"),
        vec![Edit::replace(call.range(), replacement)],
    ))
}
