//! ASYNC119: `yield` inside a `with` block of an async generator.

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;

use super::context::{function_stmts, has_decorator};
use crate::analysis::checker::{Checker, ScopeKind};

rule! {
    /// ## What it does
    /// Flags `yield` inside a `with` or `async with` block of an async generator, unless
    /// the generator is an `@asynccontextmanager`, a pytest fixture or decorated with
    /// one of `transform-async-generator-decorators`. Same code and meaning as
    /// flake8-async's ASYNC119.
    ///
    /// ## Why is this bad?
    /// A consumer that stops iterating early leaves the generator suspended at the
    /// `yield`, inside the block. Its cleanup (`__exit__`: closing the file, releasing
    /// the lock) runs only when the generator is garbage collected or finalized by the
    /// loop, at an unpredictable time and possibly in another task, where awaiting
    /// fails.
    ///
    /// ## Example
    /// ```python
    /// async def lines(path):
    ///     async with await trio.open_file(path) as f:
    ///         async for line in f:
    ///             yield line
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// async def lines(path):
    ///     async with await trio.open_file(path) as f:
    ///         return [line async for line in f]
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the generator has to become a context manager or stop being a generator.
    "ASYNC119" "yield-in-cm-in-async-gen" {
        library: "trio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check_yield(checker: &mut Checker, expr: &Expr) {
    if !checker.enabled(RULE) {
        return;
    }
    if checker.scopes().last().map(|s| s.kind) != Some(ScopeKind::AsyncFunction) {
        return;
    }
    let Some(def) = checker.enclosing_function() else {
        return;
    };
    if has_decorator(checker, def, &["asynccontextmanager", "fixture"], true) {
        return;
    }
    if !function_stmts(checker)
        .iter()
        .any(|s| matches!(s, Stmt::With(_)))
    {
        return;
    }
    checker.report(
        RULE,
        expr.range(),
        "`yield` inside a context manager in an async generator: if the consumer stops \
         early, the block's cleanup runs only when the generator is garbage collected; \
         make it an `@asynccontextmanager` or move the `yield` out of the block",
        None,
    );
}
