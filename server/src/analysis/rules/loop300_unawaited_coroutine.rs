//! A coroutine created and dropped by an expression statement.

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use super::apis::{is_known_async_callee, is_trio_async_function};
use crate::analysis::checker::Checker;
use crate::analysis::names::dotted_name;

rule! {
    /// ## What it does
    /// Flags an expression statement that calls an async function and drops the result:
    /// an `async def` of this document or notebook (defined in any cell), an `async def`
    /// nested in the calling function, an async method called as `self.method()` from
    /// its own class, or an asyncio or anyio coroutine API such as `asyncio.sleep` or
    /// `anyio.sleep`. trio's own APIs are reported by ASYNC105.
    ///
    /// ## Why is this bad?
    /// The call creates a coroutine object and nothing else. The function body never
    /// runs, and the only trace is a late
    /// `RuntimeWarning: coroutine 'fetch' was never awaited`. In a notebook this is the
    /// classic "the cell ran but nothing happened".
    ///
    /// Not flagged: coroutines that are stored, passed on or awaited.
    ///
    /// ## Example
    /// ```python
    /// # %%
    /// async def refresh():
    ///     ...
    ///
    /// # %%
    /// refresh()
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// # %%
    /// await refresh()
    /// ```
    ///
    /// ## Fix safety
    /// The fix adds `await` where awaiting is legal (inside `async def`, or at cell top
    /// level). It is unsafe: the function now actually runs.
    "LOOP300" "unawaited-coroutine" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: Sometimes(Unsafe),
    }
}

pub(crate) fn check_expression_statement(checker: &mut Checker, value: &Expr) {
    if !checker.enabled(RULE) {
        return;
    }
    let Expr::Call(call) = value else { return };
    let qualified = checker.qualified_name(&call.func);
    if qualified.as_deref().is_some_and(is_trio_async_function) {
        return;
    }
    if !is_known_async_callee(checker, &call.func, qualified.as_deref()) {
        return;
    }
    let name = dotted_name(&call.func).unwrap_or_else(|| "the function".into());
    let fix = checker
        .can_await_here()
        .then(|| checker.add_await_fix(value.range()));
    checker.report(
        RULE,
        value.range(),
        format!(
            "`{name}()` is async but its coroutine is dropped: the body never runs \
             (RuntimeWarning: coroutine '{}' was never awaited)",
            name.rsplit('.').next().unwrap_or(&name)
        ),
        fix,
    );
}
