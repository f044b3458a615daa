//! ASYNC110: a `while` loop that only sleeps, polling a condition.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::context::callee;
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags `while` loops whose whole body is one `await trio.sleep(...)` (or
    /// `sleep_until`, or `trio.lowlevel.checkpoint()`, and the anyio equivalents): a
    /// busy wait that polls its condition. Same code and meaning as flake8-async's
    /// ASYNC110.
    ///
    /// ## Why is this bad?
    /// The task wakes up over and over only to find nothing changed, burning CPU, and
    /// it notices the change up to one sleep interval late. An `Event` (or a
    /// `Condition`, or a memory channel) wakes the waiter exactly when the other task
    /// makes progress.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def wait_for_ready(state):
    ///     while not state.ready:
    ///         await trio.sleep(0.1)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def wait_for_ready(state):
    ///     await state.ready_event.wait()
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the event must be created and set by the code that changes the state.
    "ASYNC110" "async-busy-wait" {
        library: "trio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check_while(checker: &mut Checker, stmt: &ast::StmtWhile) {
    if !checker.enabled(RULE) {
        return;
    }
    let [Stmt::Expr(statement)] = stmt.body.as_slice() else {
        return;
    };
    let Expr::Await(awaited) = &*statement.value else {
        return;
    };
    let Some(qualified) = callee(checker, &awaited.value) else {
        return;
    };
    let library = match qualified.as_str() {
        "trio.sleep" | "trio.sleep_until" | "trio.lowlevel.checkpoint" => "trio",
        "anyio.sleep" | "anyio.sleep_until" | "anyio.lowlevel.checkpoint" => "anyio",
        _ => return,
    };
    // The `while <condition>` header: the body is the sleep itself.
    let header = TextRange::new(stmt.start(), stmt.test.end());
    checker.report(
        RULE,
        header,
        format!(
            "busy wait: this loop wakes up on every `{qualified}()` only to poll its \
             condition; wait on a `{library}.Event` that the other task sets instead"
        ),
        None,
    );
}
