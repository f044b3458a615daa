//! Importing `httpx`, which is no longer maintained.

use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags `import httpx`, `import httpx.x` and `from httpx import ...`.
    ///
    /// ## Why is this bad?
    /// `httpx` is no longer maintained and gets no security updates. Its maintained
    /// continuation is `httpx2`, which keeps the API and works with asyncio, trio and
    /// anyio alike.
    ///
    /// ## Example
    /// ```python
    /// import httpx
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import httpx2
    /// ```
    ///
    /// ## Fix safety
    /// No fix: switching a dependency is a project decision.
    "ASYNC127" "unmaintained-httpx" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Information,
        fix: None,
    }
}

fn is_httpx(module: &str) -> bool {
    module == "httpx" || module.starts_with("httpx.")
}

pub(crate) fn check(checker: &mut Checker, stmt: &Stmt) {
    if !checker.enabled(RULE) {
        return;
    }
    let imports_httpx = match stmt {
        Stmt::Import(import) => import.names.iter().any(|a| is_httpx(a.name.id.as_str())),
        // A relative import names a local module, not the package.
        Stmt::ImportFrom(ast::StmtImportFrom {
            module: Some(module),
            level: 0,
            ..
        }) => is_httpx(module.id.as_str()),
        _ => false,
    };
    if imports_httpx {
        checker.report(
            RULE,
            stmt.range(),
            "`httpx` is no longer maintained and gets no security updates: use `httpx2` instead",
            None,
        );
    }
}
