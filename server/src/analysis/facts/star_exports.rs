//! What `from M import *` binds, for the modules whose names rules look up: a star
//! import binds the module's `__all__`, so `from contextlib import *` makes `suppress`
//! `contextlib.suppress` (ASYNC91x's suppressing context manager) and
//! `asynccontextmanager` `contextlib.asynccontextmanager`. Other modules' star imports
//! bind nothing the index knows, as before.

/// `contextlib.__all__` (CPython 3.10 to 3.14; `chdir` is 3.11+, and binding it on
/// 3.10 only resolves a name that would not exist there).
const CONTEXTLIB: &[&str] = &[
    "asynccontextmanager",
    "contextmanager",
    "closing",
    "nullcontext",
    "AbstractContextManager",
    "AbstractAsyncContextManager",
    "AsyncExitStack",
    "ContextDecorator",
    "ExitStack",
    "redirect_stdout",
    "redirect_stderr",
    "suppress",
    "aclosing",
    "chdir",
];

/// The names `from module import *` binds, as far as they are known.
pub(crate) fn star_exports(module: &str) -> &'static [&'static str] {
    match module {
        "contextlib" => CONTEXTLIB,
        _ => &[],
    }
}
