//! `from trio import ...` and `import trio as t`: an import style the other rules and
//! readers recognize less easily.

use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags `from trio import ...`, `from anyio import ...`, `from asyncio import ...`
    /// and aliased imports of the three libraries (`import trio as t`). Off by default:
    /// select `ASYNC106` to enable it. Relative imports (`from .trio import x`) name a
    /// local module and are not flagged.
    ///
    /// ## Why is this bad?
    /// It is a consistency rule. A bare `sleep(1)` or `t.sleep(1)` hides which library
    /// a call belongs to, which matters in code that mixes asyncio, trio and anyio, and
    /// in notebooks whose cells are read out of order. `trio.sleep(1)` says it at the
    /// call.
    ///
    /// ## Example
    /// ```python
    /// from trio import sleep
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    /// ```
    ///
    /// ## Fix safety
    /// No fix: every use of the imported names would have to be rewritten.
    "ASYNC106" "bad-async-library-import" {
        library: "asyncio/trio/anyio",
        default: false,
        severity: Information,
        fix: None,
    }
}

const LIBRARIES: &[&str] = &["trio", "anyio", "asyncio"];

pub(crate) fn check(checker: &mut Checker, stmt: &Stmt) {
    if !checker.enabled(RULE) {
        return;
    }
    match stmt {
        Stmt::ImportFrom(ast::StmtImportFrom {
            module: Some(module),
            level: 0,
            ..
        }) if LIBRARIES.contains(&module.id.as_str()) => {
            let module = module.id.as_str();
            checker.report(
                RULE,
                stmt.range(),
                format!(
                    "import `{module}` itself (`import {module}`) and write `{module}.name` at \
                     each use, so every call shows its library"
                ),
                None,
            );
        }
        Stmt::Import(import) => {
            for alias in &import.names {
                let name = alias.name.id.as_str();
                if alias.asname.is_some() && LIBRARIES.contains(&name) {
                    checker.report(
                        RULE,
                        stmt.range(),
                        format!(
                            "import `{name}` without an alias (`import {name}`), so every call \
                             shows its library"
                        ),
                        None,
                    );
                    break;
                }
            }
        }
        _ => {}
    }
}
