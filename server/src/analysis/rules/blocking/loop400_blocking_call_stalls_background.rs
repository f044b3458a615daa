//! LOOP400: a blocking call at cell top level while background tasks run on the loop.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::calls::{is_sleep, library, sleep_fix, stalls_thread};
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags a blocking call at cell top level (`time.sleep`, `requests.get`,
    /// `urllib.request.urlopen`, sync `httpx` calls, `subprocess.run`, `os.system`,
    /// `input`, and the `blocking-calls` option's patterns: the same tables as the
    /// ASYNC2xx rules) in a notebook or cell file where an earlier cell, or earlier code
    /// of the same cell, started background tasks (`background.start_soon`,
    /// `asyncio.create_task`, `asyncio.ensure_future`, `loop.create_task`, a global
    /// nursery's `start_soon`).
    ///
    /// Without background tasks a top-level `time.sleep` is ordinary notebook code and is
    /// not flagged. Under `target = "ipython"`, cells without top-level `await` run off
    /// the loop and are not flagged either.
    ///
    /// ## Why is this bad?
    /// In asyncell every cell runs on the persistent event loop, the same thread as the
    /// background tasks. A blocking call holds that thread: the tasks started earlier
    /// (a heartbeat, a poller, a server) freeze until it returns.
    ///
    /// ## Example
    /// ```python
    /// # %%
    /// import trio
    /// from asyncell import background
    /// background.start_soon(poll_prices)
    ///
    /// # %%
    /// import time
    /// time.sleep(10)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// # %%
    /// import trio
    /// from asyncell import background
    /// background.start_soon(poll_prices)
    ///
    /// # %%
    /// await trio.sleep(10)
    /// ```
    ///
    /// ## Fix safety
    /// For `time.sleep(x)` the fix replaces the call with the loop's own sleep
    /// (`await trio.sleep(x)`, `await asyncio.sleep(x)`, `await anyio.sleep(x)`), only
    /// when the call has one plain argument, awaiting is legal there and the module is
    /// imported under its own name. The cell still waits as long; the background tasks
    /// now run meanwhile. Other calls have no automatic fix.
    "LOOP400" "blocking-call-stalls-background" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: Sometimes,
    }
}

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall) {
    if !checker.enabled(&RULE) || !checker.top_level_runs_on_loop() {
        return;
    }
    let position = checker.position;
    let earlier: Vec<usize> = checker
        .index
        .task_starting_units
        .iter()
        .copied()
        .filter(|&unit| unit < position)
        .collect();
    let in_this_cell = checker
        .unit
        .facts
        .task_starts
        .iter()
        .any(|start| start.range.end() <= call.start());
    if earlier.is_empty() && !in_this_cell {
        return;
    }
    let Some(qualified) = checker.qualified_name(&call.func) else {
        return;
    };
    let Some(what) = stalls_thread(checker, call, &qualified) else {
        return;
    };
    let lib = library(checker);
    let written = checker.source(call.func.range());
    let (instead, fix) = if is_sleep(&qualified) {
        (
            format!("use `await {}.sleep(...)`", lib.name()),
            sleep_fix(checker, call, lib),
        )
    } else {
        (
            format!(
                "run it in a thread with `await {}(...)` or use the async API",
                lib.to_thread()
            ),
            None,
        )
    };
    checker.report(
        &RULE,
        call.range(),
        format!(
            "`{written}()` {what} on the loop's thread, freezing the background tasks started \
             {}; {instead}",
            where_started(&earlier, in_this_cell)
        ),
        fix,
    );
}

/// "in code cell 2", "in code cells 1 and 3, and earlier in this cell". Cells are
/// counted among code cells, 1-based: the checker knows units, not notebook indices.
fn where_started(earlier: &[usize], in_this_cell: bool) -> String {
    let cells: Vec<String> = earlier.iter().map(|p| (p + 1).to_string()).collect();
    let listed = match cells.as_slice() {
        [] => String::new(),
        [one] => format!("in code cell {one}"),
        [rest @ .., last] => format!("in code cells {} and {last}", rest.join(", ")),
    };
    match (listed.is_empty(), in_this_cell) {
        (true, _) => "earlier in this cell".to_string(),
        (false, true) => format!("{listed}, and earlier in this cell"),
        (false, false) => listed,
    }
}
