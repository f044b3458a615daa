//! LOOP400: a blocking call at cell top level while background tasks run on the loop.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::calls::{is_sleep, sleep_fix, stalls_thread};
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags a blocking call at cell top level (`time.sleep`, `requests.get`,
    /// `urllib.request.urlopen`, sync `httpx` calls, `subprocess.run`, `os.system`,
    /// `input`, and the `blocking-calls` option's patterns: the same tables as the
    /// ASYNC2xx rules) in a notebook or cell file where an earlier cell started background
    /// tasks that outlive it: `background.start_soon(f)`, a global nursery's
    /// `start_soon(f)` or `start(f)`, `asyncio.create_task`, `asyncio.ensure_future`,
    /// `loop.create_task`. The message names where they were started: the cell number in
    /// a notebook (counted as `asyncell check` reports cells: 1-based, markdown cells
    /// included), the line in a cell file.
    ///
    /// Tasks started in a nursery or task group that the same cell opens
    /// (`async with trio.open_nursery() as nursery:`, `asyncio.TaskGroup()`) end with
    /// that block, so they count only for blocking calls later in the same block.
    /// `thread.start()` starts a thread, not a task, and never counts.
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
    /// imported under its own name. The cell still waits as long, but the background
    /// tasks now run meanwhile, so the fix is unsafe. Other calls have no automatic fix.
    "LOOP400" "blocking-call-stalls-background" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: Sometimes(Unsafe),
    }
}

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall) {
    if !checker.enabled(RULE) || !checker.top_level_runs_on_loop() {
        return;
    }
    let position = checker.position;
    let earlier = checker
        .index
        .background_starts
        .iter()
        .take_while(|start| start.position < position);
    let here = checker
        .unit
        .facts
        .task_starts
        .iter()
        .filter(|start| start.runs_at(call.start()));
    if earlier.clone().next().is_none() && here.clone().next().is_none() {
        return;
    }
    let Some(qualified) = checker.qualified_name(&call.func) else {
        return;
    };
    let Some(what) = stalls_thread(checker, call, &qualified) else {
        return;
    };
    let started = where_started(
        earlier.map(|start| (start.place.as_str(), start.call.as_str())),
        here.map(|start| start.call.as_str()),
    );
    let lib = checker.library().suggested();
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
        RULE,
        call.range(),
        format!(
            "`{written}()` {what} on the loop's thread, freezing the background tasks started \
             {started}; {instead}"
        ),
        fix,
    );
}

/// How many starting calls a message lists before "and N more".
const LISTED: usize = 3;

/// Where the running tasks were started, as users find them: "in cell 2
/// (`asyncio.create_task(poll())`) and cell 4 (`asyncio.ensure_future(beat())`)" in a
/// notebook, "at line 12 (`background.start_soon(beat)`)" in a cell file, "earlier in
/// this cell (`nursery.start_soon(beat)`)"; at most [`LISTED`] calls, then "and N more".
/// Calls of the same cell are grouped: "in cell 2 (`a.start_soon(x)`, `b.start_soon(y)`)".
fn where_started<'a>(
    earlier: impl Iterator<Item = (&'a str, &'a str)>,
    here: impl Iterator<Item = &'a str>,
) -> String {
    // (place, calls) groups in document order; `None` is this cell.
    let mut groups: Vec<(Option<&str>, Vec<&str>)> = Vec::new();
    let mut listed = 0;
    let mut more = 0;
    let all = earlier
        .map(|(place, call)| (Some(place), call))
        .chain(here.map(|call| (None, call)));
    for (place, call) in all {
        if listed == LISTED {
            more += 1;
            continue;
        }
        listed += 1;
        match groups.last_mut() {
            Some((last, calls)) if *last == place => calls.push(call),
            _ => groups.push((place, vec![call])),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(place, calls)| {
            let calls = calls
                .iter()
                .map(|call| format!("`{call}`"))
                .collect::<Vec<_>>()
                .join(", ");
            match place {
                Some(place) => format!("{place} ({calls})"),
                None => format!("earlier in this cell ({calls})"),
            }
        })
        .collect();
    // "in cell 2 (...)", "at line 12 (...)"; the first part carries the preposition.
    let mut text = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            text.push_str(if i + 1 == parts.len() && more == 0 {
                " and "
            } else {
                ", "
            });
        } else if part.starts_with("line") {
            text.push_str("at ");
        } else if part.starts_with("cell") {
            text.push_str("in ");
        }
        text.push_str(part);
    }
    if more > 0 {
        text.push_str(&format!(", and {more} more"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::where_started;

    #[test]
    fn starts_are_grouped_by_cell_and_capped() {
        let earlier = [
            ("cell 2", "a.start_soon(x)"),
            ("cell 2", "b.start_soon(y)"),
            ("cell 4", "asyncio.create_task(c())"),
        ];
        assert_eq!(
            where_started(earlier.into_iter(), std::iter::empty()),
            "in cell 2 (`a.start_soon(x)`, `b.start_soon(y)`) and cell 4 \
             (`asyncio.create_task(c())`)"
        );
        assert_eq!(
            where_started(earlier.into_iter(), ["n.start_soon(z)"].into_iter()),
            "in cell 2 (`a.start_soon(x)`, `b.start_soon(y)`), cell 4 \
             (`asyncio.create_task(c())`), and 1 more"
        );
        assert_eq!(
            where_started([("line 12", "f(x)")].into_iter(), ["g(y)"].into_iter()),
            "at line 12 (`f(x)`) and earlier in this cell (`g(y)`)"
        );
        assert_eq!(
            where_started(std::iter::empty(), ["g(y)"].into_iter()),
            "earlier in this cell (`g(y)`)"
        );
    }
}
