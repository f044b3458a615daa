//! ASYNC122: a relative cancel scope created in one place and entered in another.

use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::Ranged;

use super::context::trio_or_anyio;
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags `trio.move_on_after(...)` and `trio.fail_after(...)` (and anyio's) called
    /// anywhere but directly in a `with` statement, e.g. stored in a variable and
    /// entered later. Same code and meaning as flake8-async's ASYNC122.
    ///
    /// ## Why is this bad?
    /// When does the timeout start: at the call or at `with`? Trio 0.27 changed the
    /// answer from the call to the `with`, and anyio measures from the call. Code that
    /// separates the two therefore gets a different deadline depending on the library
    /// and its version, usually without anyone noticing.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def fetch(url):
    ///     scope = trio.move_on_after(5)
    ///     await connect(url)
    ///     with scope:
    ///         await download(url)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def fetch(url):
    ///     await connect(url)
    ///     with trio.move_on_after(5):
    ///         await download(url)
    /// ```
    ///
    /// If you only support trio >= 0.27 and rely on its meaning, disable this rule.
    ///
    /// ## Fix safety
    /// No fix: moving the call changes when the deadline starts.
    "ASYNC122" "delayed-entry-of-relative-cancelscope" {
        library: "trio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, qualified: &str) {
    if !checker.enabled(RULE) {
        return;
    }
    if trio_or_anyio(qualified, &["move_on_after", "fail_after"]).is_none() {
        return;
    }
    // Anywhere inside a `with` item (even nested in another call) counts as entered.
    if let Some(Stmt::With(with)) = checker.enclosing_stmts().last() {
        if with
            .items
            .iter()
            .any(|item| item.context_expr.range().contains_range(call.range()))
        {
            return;
        }
    }
    checker.report(
        RULE,
        call.range(),
        format!(
            "`{qualified}()` is created here but entered later: whether its timeout starts \
             now or at `with` differs between trio before and after 0.27 and anyio; create \
             it directly in the `with` statement"
        ),
        None,
    );
}
