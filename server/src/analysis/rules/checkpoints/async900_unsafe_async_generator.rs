//! ASYNC900: an async generator, unless a known decorator makes it safe.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::checker::Checker;
use crate::analysis::depth::{guarded, guarded_nested_visits};

use crate::analysis::rules::common::decorator_name;

rule! {
    /// ## What it does
    /// Flags an `async def` that contains `yield` (an async generator), unless it is
    /// decorated with `contextlib.asynccontextmanager`, a pytest fixture,
    /// `trio.as_safe_channel` (with trio), or a decorator listed in
    /// `transform-async-generator-decorators`.
    ///
    /// ## Why is this bad?
    /// An async generator that is not fully consumed is finalized later, by the garbage
    /// collector or the event loop, outside the consumer's cancel scopes and nurseries:
    /// its `finally` blocks and `async with` exits run at an unpredictable time or not
    /// at all, and a `yield` inside a cancel scope or nursery delivers exceptions to the
    /// wrong task.
    ///
    /// ## Example
    /// ```python
    /// async def lines(stream):
    ///     async for chunk in stream:
    ///         yield chunk.decode()
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// from contextlib import asynccontextmanager
    ///
    /// @asynccontextmanager
    /// async def opened(path):
    ///     handle = await open_it(path)
    ///     try:
    ///         yield handle
    ///     finally:
    ///         await handle.aclose()
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the generator must be turned into a channel-backed
    /// task or a context manager by hand.
    "ASYNC900" "unsafe-async-generator" {
        library: "trio, anyio, asyncio",
        default: false,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    if !checker.enabled(RULE) {
        return;
    }
    let trio = checker.imports_module("trio") || checker.library().is_trio();
    let options = &checker.options().transform_async_generator_decorators;
    let safe = def.decorator_list.iter().any(|decorator| {
        let Some(name) = decorator_name(decorator) else {
            return false;
        };
        matches!(name, "asynccontextmanager" | "fixture")
            || (trio && name == "as_safe_channel")
            || options
                .iter()
                .any(|option| option.rsplit('.').next() == Some(name))
    });
    if safe || !has_yield(&def.body) {
        return;
    }
    let mut known = Vec::new();
    if trio {
        known.push("trio.as_safe_channel".to_string());
    }
    known.push("contextlib.asynccontextmanager".to_string());
    known.push("pytest.fixture".to_string());
    known.extend(options.iter().cloned());
    checker.report(
        RULE,
        def.name.range(),
        format!(
            "async generator `{}` may be finalized outside its consumer's cancel scopes and \
             nurseries, so its cleanup may run late or never: turn it into a context \
             manager or channel with one of {}",
            def.name.id,
            known.join(", ")
        ),
        None,
    );
}

/// Whether a body yields, not counting nested functions and lambdas.
fn has_yield(body: &[Stmt]) -> bool {
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            guarded(|| {
                if !self.0 && !matches!(stmt, Stmt::FunctionDef(_)) {
                    visitor::walk_stmt(self, stmt);
                }
            });
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            guarded(|| match expr {
                Expr::Yield(_) => self.0 = true,
                Expr::Lambda(_) => {}
                _ => visitor::walk_expr(self, expr),
            });
        }

        guarded_nested_visits!('a);
    }
    let mut finder = Finder(false);
    finder.visit_body(body);
    finder.0
}
