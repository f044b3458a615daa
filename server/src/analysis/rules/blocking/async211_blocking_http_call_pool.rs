//! ASYNC211: what looks like a urllib3 pool request inside `async def`.

use ruff_python_ast as ast;

use super::calls::{is_http_pool_call, report_blocking_call};
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags `x.request("GET", ...)` (any HTTP method as a string literal first argument)
    /// inside `async def`, in a document that imports `urllib3`, whose pool managers and
    /// connection pools take the method that way. Same code and meaning as flake8-async's
    /// ASYNC211, with its heuristic: the receiver's type is not known, so the rule only
    /// says "likely".
    ///
    /// ## Why is this bad?
    /// urllib3 is synchronous: the request blocks the event loop's thread until the
    /// response arrives, freezing every other task.
    ///
    /// ## Example
    /// ```python
    /// import urllib3
    ///
    /// async def fetch(pool, url):
    ///     return pool.request("GET", url).data
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import httpx
    ///
    /// async def fetch(client: httpx.AsyncClient, url):
    ///     return (await client.request("GET", url)).content
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: an async client has to replace the pool.
    "ASYNC211" "blocking-http-call-pool" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if !checker.enabled(RULE) || !is_http_pool_call(checker, call) {
        return;
    }
    // A resolved module-level function (`urllib3.request`) is ASYNC210's.
    if qualified.is_some_and(super::calls::is_http_call) {
        return;
    }
    report_blocking_call(checker, RULE, call, |written| {
        format!(
            "`{written}()` is likely a sync urllib3 request: it blocks the event loop until \
             the response arrives; use an async client such as `httpx.AsyncClient`"
        )
    });
}
