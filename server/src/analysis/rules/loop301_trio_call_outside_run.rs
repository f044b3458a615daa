//! trio APIs that need a running trio loop on this thread, called where none runs.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};

use crate::analysis::checker::{Checker, ExecContext};
use crate::analysis::depth::{guarded, guarded_nested_visits};
use crate::analysis::facts::is_thread_launcher;
use crate::analysis::index::{DocumentIndex, Loop};
use crate::analysis::names::dotted_name;

rule! {
    /// ## What it does
    /// Flags calls to trio APIs that need a trio run active on the calling thread
    /// (`trio.current_time`, `trio.current_effective_deadline`,
    /// `trio.lowlevel.current_task`, `current_trio_token`, `spawn_system_task`, ...) where
    /// none is:
    ///
    /// - at module level of a plain script;
    /// - in a sync function handed to another thread (`trio.to_thread.run_sync`,
    ///   `anyio.to_thread.run_sync`, `threading.Thread(target=...)`, `run_in_executor`);
    /// - anywhere in a document whose loop is asyncio;
    /// - with `target = "ipython"`, at top level of a cell that has no top-level await
    ///   (IPython runs such cells outside the loop).
    ///
    /// ## Why is this bad?
    /// The call fails with `RuntimeError: must be called from async context`.
    ///
    /// Not flagged: trio-mode cells under asyncell, where every cell (sync or async) runs
    /// on the persistent trio loop, and sync helpers merely called from async code.
    ///
    /// ## Example
    /// ```python
    /// # %%
    /// def work():
    ///     return trio.current_time()
    ///
    /// await trio.to_thread.run_sync(work)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// # %%
    /// def work(now):
    ///     return now
    ///
    /// await trio.to_thread.run_sync(work, trio.current_time())
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    "LOOP301" "trio-call-outside-run" {
        library: "trio",
        default: true,
        severity: Error,
        fix: None,
    }
}

/// trio APIs that look up the current run through thread-local state.
const NEEDS_RUN: &[&str] = &[
    "trio.current_time",
    "trio.current_effective_deadline",
    "trio.current_root_task",
    "trio.lowlevel.current_task",
    "trio.lowlevel.current_root_task",
    "trio.lowlevel.current_trio_token",
    "trio.lowlevel.current_clock",
    "trio.lowlevel.current_statistics",
    "trio.lowlevel.spawn_system_task",
    "trio.lowlevel.add_instrument",
    "trio.lowlevel.remove_instrument",
    "trio.lowlevel.notify_closing",
];

const ERROR: &str = "RuntimeError: must be called from async context";

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if !checker.enabled(RULE) {
        return;
    }
    check_lambdas_sent_to_threads(checker, call);
    let Some(api) = qualified.filter(|q| NEEDS_RUN.contains(q)) else {
        return;
    };
    // Already reported as the body of a lambda handed to a thread.
    if checker.already_reported(RULE, call.range()) {
        return;
    }
    let reason = match checker.exec_context() {
        _ if checker.loop_() == Loop::Asyncio => {
            Some("in an asyncio-mode document, where no trio loop runs".to_string())
        }
        ExecContext::TopLevel if !checker.kind().has_cells() => {
            Some("at module level of a script, before `trio.run` starts".to_string())
        }
        ExecContext::TopLevel if !checker.top_level_runs_on_loop() => Some(
            "at top level of a cell without top-level await, which IPython runs outside the loop"
                .to_string(),
        ),
        ExecContext::SyncFunction => checker
            .enclosing_function()
            .filter(|def| !def.is_async && checker.index.is_thread_target(def.name.id.as_str()))
            .map(|def| format!("in `{}`, which runs in another thread", def.name.id)),
        _ => None,
    };
    if let Some(reason) = reason {
        checker.report(
            RULE,
            call.range(),
            format!("`{api}()` {reason}: {ERROR}"),
            None,
        );
    }
}

/// `to_thread.run_sync(lambda: trio.current_time())`: the lambda body runs in the worker.
fn check_lambdas_sent_to_threads(checker: &mut Checker, call: &ast::ExprCall) {
    let Some(callee) = dotted_name(&call.func) else {
        return;
    };
    if !is_thread_launcher(&callee) {
        return;
    }
    let lambdas = call
        .arguments
        .args
        .iter()
        .chain(call.arguments.keywords.iter().map(|k| &k.value))
        .filter_map(|arg| match arg {
            Expr::Lambda(lambda) => Some(lambda.body.as_ref()),
            _ => None,
        });
    let mut finder = NeedsRunFinder {
        index: checker.index,
        found: Vec::new(),
    };
    for body in lambdas {
        finder.visit_expr(body);
    }
    for (range, api) in finder.found {
        checker.report(
            RULE,
            range,
            format!("`{api}()` in a lambda that runs in another thread: {ERROR}"),
            None,
        );
    }
}

struct NeedsRunFinder<'i> {
    index: &'i DocumentIndex,
    found: Vec<(TextRange, String)>,
}

impl<'a> Visitor<'a> for NeedsRunFinder<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        guarded(|| {
            if let Expr::Call(call) = expr {
                if let Some(api) = self
                    .index
                    .qualified_name(&call.func)
                    .filter(|q| NEEDS_RUN.contains(&q.as_str()))
                {
                    self.found.push((call.range(), api));
                }
            }
            visitor::walk_expr(self, expr);
        });
    }

    guarded_nested_visits!('a);
}
