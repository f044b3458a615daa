//! ASYNC124: an async function that never awaits.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::checker::{Checker, ScopeKind};
use crate::analysis::depth::{guarded, guarded_nested_visits};

use super::{exempt_by_decorator, is_empty_body};
use crate::analysis::rules::common::decorator_name;

rule! {
    /// ## What it does
    /// Flags an `async def` with no `await`, `async for` or `async with` in its body
    /// (nested functions aside).
    ///
    /// ## Why is this bad?
    /// Calling an async function creates a coroutine object and needs an `await` and a
    /// trip through the event loop machinery; a plain function does the same work for
    /// less, and callers do not have to await it. Such a function also never
    /// checkpoints, which callers may not expect.
    ///
    /// Methods are not flagged (they may implement an async interface), nor functions
    /// whose body is only `pass`, `...` or a docstring, `@overload`s, pytest fixtures
    /// with parameters (they may depend on async fixtures), and functions with a
    /// decorator listed in `no-checkpoint-warning-decorators`.
    ///
    /// ## Example
    /// ```python
    /// async def total(prices):
    ///     return sum(prices)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// def total(prices):
    ///     return sum(prices)
    /// ```
    ///
    /// On by default, as in flake8-async. Stub bodies (`...`, `pass`, a docstring),
    /// `@overload`s, methods (they may implement an async interface) and pytest
    /// fixtures with parameters are exempt, as are functions with a decorator listed
    /// in `no-checkpoint-warning-decorators` (by default `@asynccontextmanager`, as in
    /// flake8-async).
    ///
    /// ## Fix safety
    /// There is no automatic fix: every caller's `await` would have to go too.
    "ASYNC124" "async-function-could-be-sync" {
        library: "trio, anyio, asyncio",
        default: true,
        severity: Information,
        fix: None,
    }
}

pub(crate) fn check(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    if !checker.enabled(RULE) {
        return;
    }
    // Methods: the scope around the `def` is a class body.
    if checker.scopes().last().map(|s| s.kind) == Some(ScopeKind::Class) {
        return;
    }
    let decorated = |wanted: &str| {
        def.decorator_list
            .iter()
            .any(|d| decorator_name(d) == Some(wanted))
    };
    if is_empty_body(&def.body)
        || decorated("overload")
        || (decorated("fixture") && !def.parameters.is_empty())
        || exempt_by_decorator(checker, def)
        || awaits(&def.body)
    {
        return;
    }
    checker.report(
        RULE,
        def.name.range(),
        format!(
            "async function `{}` never awaits: calling it only builds a coroutine to run \
             code that could run directly; make it a plain `def` (and drop the `await` at \
             its call sites)",
            def.name.id
        ),
        None,
    );
}

/// Whether a body awaits in its own scope: `await`, `async for`, `async with`, async
/// comprehensions. Nested functions do not count; of a generator expression only the
/// first iterable runs in this scope.
fn awaits(body: &[Stmt]) -> bool {
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            guarded(|| {
                if self.0 {
                    return;
                }
                match stmt {
                    Stmt::FunctionDef(def) => {
                        for decorator in &def.decorator_list {
                            self.visit_expr(&decorator.expression);
                        }
                        for parameter in def.parameters.iter() {
                            if let Some(default) = parameter.default() {
                                self.visit_expr(default);
                            }
                        }
                    }
                    Stmt::For(ast::StmtFor { is_async: true, .. })
                    | Stmt::With(ast::StmtWith { is_async: true, .. }) => self.0 = true,
                    _ => visitor::walk_stmt(self, stmt),
                }
            });
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            guarded(|| match expr {
                Expr::Await(_) => self.0 = true,
                Expr::Generator(generator) => {
                    if let Some(first) = generator.generators.first() {
                        self.visit_expr(&first.iter);
                    }
                }
                _ => visitor::walk_expr(self, expr),
            });
        }
        fn visit_comprehension(&mut self, comprehension: &'a ast::Comprehension) {
            if comprehension.is_async {
                self.0 = true;
            }
            visitor::walk_comprehension(self, comprehension);
        }

        guarded_nested_visits!('a);
    }
    let mut finder = Finder(false);
    finder.visit_body(body);
    finder.0
}
