//! ASYNC212: a blocking method of a sync HTTP client object inside `async def`.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags blocking methods called inside `async def` on a variable that holds a sync
    /// HTTP client: an `httpx.Client` (`get`, `post`, `request`, `send`, `stream`,
    /// `close`, ...) or a urllib3 pool (`PoolManager`, `HTTPConnectionPool`, ...: every
    /// method). The variable's type comes from its binding: `client = httpx.Client()`,
    /// `with httpx.Client() as client`, an annotation (`client: httpx.Client`), or an
    /// alias of such a variable (`c = client`), in the same function, else in an
    /// enclosing function (before the nested `def`) or at module level (before the
    /// function). Same code and meaning as flake8-async's ASYNC212.
    ///
    /// Unlike flake8-async, a later rebinding to something unknown (`client = other()`,
    /// a parameter of the same name) ends what is known, and a class attribute is not
    /// taken for a bare name in the class's methods (Python does not resolve it there).
    ///
    /// ## Why is this bad?
    /// The sync client blocks the event loop's thread until the response arrives, so
    /// every other task freezes and cancellation cannot interrupt the request.
    ///
    /// ## Example
    /// ```python
    /// import httpx
    ///
    /// async def fetch(url):
    ///     with httpx.Client() as client:
    ///         return client.get(url).text
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import httpx
    ///
    /// async def fetch(url):
    ///     async with httpx.AsyncClient() as client:
    ///         return (await client.get(url)).text
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the client itself has to become an `AsyncClient`.
    "ASYNC212" "blocking-http-call-httpx" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

const HTTPX_BLOCKING_METHODS: &[&str] = &[
    "close", "delete", "get", "head", "options", "patch", "post", "put", "request", "send",
    "stream",
];

const URLLIB3_POOLS: &[&str] = &[
    "urllib3.HTTPConnectionPool",
    "urllib3.HTTPSConnectionPool",
    "urllib3.PoolManager",
    "urllib3.ProxyManager",
    "urllib3.connectionpool.ConnectionPool",
    "urllib3.connectionpool.HTTPConnectionPool",
    "urllib3.connectionpool.HTTPSConnectionPool",
    "urllib3.poolmanager.PoolManager",
    "urllib3.poolmanager.ProxyManager",
    "urllib3.request.RequestMethods",
];

/// `receiver_type` is the qualified type of the receiver variable, when known.
pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, receiver_type: &str) {
    if !checker.enabled(RULE) {
        return;
    }
    let Expr::Attribute(attribute) = call.func.as_ref() else {
        return;
    };
    let method = attribute.attr.id.as_str();
    let blocks = match receiver_type {
        "httpx.Client" | "httpx2.Client" => HTTPX_BLOCKING_METHODS.contains(&method),
        other => URLLIB3_POOLS.contains(&other),
    };
    if !blocks {
        return;
    }
    let variable = checker.source(attribute.value.range());
    let replacement = if receiver_type.starts_with("httpx") {
        format!("make it an `httpx.AsyncClient` and `await {variable}.{method}(...)`")
    } else {
        "use an async client such as `httpx.AsyncClient`".to_string()
    };
    checker.report(
        RULE,
        call.range(),
        format!(
            "`{variable}.{method}()` on a sync `{receiver_type}` blocks the event loop until \
             the response arrives; {replacement}"
        ),
        None,
    );
}
