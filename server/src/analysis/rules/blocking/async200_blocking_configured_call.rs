//! ASYNC200: a call the project configured as blocking, inside `async def`.

use ruff_python_ast as ast;

use super::calls::{configured, report_blocking_call};
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags calls inside `async def` that match a pattern of the `blocking-calls` option,
    /// and names the replacement configured for it. Same code and meaning as
    /// flake8-async's ASYNC200 (its `async200-blocking-calls` option), so
    /// `# noqa: ASYNC200` comments carry over.
    ///
    /// ```toml
    /// [tool.asyncell.blocking-calls]
    /// "mylib.fetch" = "mylib.async_fetch"
    /// "mylib.*.save" = "mylib.aio.save"
    /// ```
    ///
    /// Patterns are matched as flake8-async matches them, with Python's `fnmatch`,
    /// against the callee as written and as resolved through imports: `*` is any run of
    /// characters, dots included (`"*session.get"` matches `self.session.get`,
    /// `"my*.fetch"` matches `mylib.fetch`), `?` one character, `[abc]` one of a set.
    /// Without configured patterns the rule does nothing.
    ///
    /// ## Why is this bad?
    /// A blocking call inside a coroutine holds the event loop's thread: every other task
    /// (and, in asyncell, every cell's background task) stops until it returns.
    ///
    /// ## Example
    /// With the configuration above:
    /// ```python
    /// import mylib
    ///
    /// async def refresh(url):
    ///     return mylib.fetch(url)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import mylib
    ///
    /// async def refresh(url):
    ///     return await mylib.async_fetch(url)
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the replacement's signature is not known.
    "ASYNC200" "blocking-configured-call" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

/// `qualified` is the callee resolved through the imports, when it is a dotted name.
pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if !checker.enabled(RULE) {
        return;
    }
    let Some((pattern, replacement)) = configured(checker, call, qualified) else {
        return;
    };
    report_blocking_call(checker, RULE, call, |written| {
        format!(
            "`{written}()` is configured as blocking (`{pattern}`): in an async function it \
             stalls the event loop and every other task; use `{replacement}` instead"
        )
    });
}
