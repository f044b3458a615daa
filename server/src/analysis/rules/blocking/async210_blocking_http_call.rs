//! ASYNC210: a sync HTTP library call inside `async def`.

use ruff_python_ast as ast;

use super::calls::{is_http_call, report_blocking_call};
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags sync HTTP calls inside `async def`: the request functions of `requests` and
    /// `httpx` (`requests.get`, `httpx.post`, `requests.request`, ...), `urllib3.request`
    /// and `urllib.request.urlopen`. Same code and meaning as flake8-async's ASYNC210.
    ///
    /// ## Why is this bad?
    /// The call blocks the event loop's thread until the whole response has arrived:
    /// every other task freezes, timeouts and cancellation stop working, and a slow
    /// server stalls the program (in a notebook, every background task too).
    ///
    /// ## Example
    /// ```python
    /// import requests
    ///
    /// async def fetch(url):
    ///     return requests.get(url).json()
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import httpx
    ///
    /// async def fetch(url):
    ///     async with httpx.AsyncClient() as client:
    ///         return (await client.get(url)).json()
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: an async client has to be created and awaited.
    "ASYNC210" "blocking-http-call" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, qualified: &str) {
    if !checker.enabled(RULE) || !is_http_call(qualified) {
        return;
    }
    report_blocking_call(checker, RULE, call, |written| {
        format!(
            "`{written}()` is a sync HTTP call: it blocks the event loop until the response \
             arrives; use an async client such as `httpx.AsyncClient` and `await` the request"
        )
    });
}
