//! ASYNC912: a cancel scope that checkpoints on some paths only.

use ruff_text_size::TextRange;

use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags a cancel scope or timeout context (`trio.move_on_after`, `anyio.fail_after`,
    /// `asyncio.timeout` ...) whose body checkpoints on some paths but not on all of
    /// them.
    ///
    /// ## Why is this bad?
    /// On the paths without a checkpoint the deadline cannot take effect, so the code
    /// runs unbounded exactly when the timeout was meant to protect it. (A body with no
    /// checkpoint at all is ASYNC100.)
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def refresh(cache, key):
    ///     with trio.move_on_after(1):
    ///         if key not in cache:
    ///             await cache.load(key)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def refresh(cache, key):
    ///     with trio.move_on_after(1):
    ///         if key not in cache:
    ///             await cache.load(key)
    ///         else:
    ///             await trio.lowlevel.checkpoint()
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: where the missing checkpoint belongs depends on the
    /// code.
    "ASYNC912" "cancel-scope-no-guaranteed-checkpoint" {
        library: "trio, anyio, asyncio",
        default: false,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn report(checker: &mut Checker, call: TextRange, name: &str) {
    if !checker.enabled(RULE) {
        return;
    }
    checker.report(
        RULE,
        call,
        format!(
            "`{name}` context may run to its end without a checkpoint on some paths, where \
             its deadline cannot interrupt anything: make every path through it checkpoint"
        ),
        None,
    );
}
