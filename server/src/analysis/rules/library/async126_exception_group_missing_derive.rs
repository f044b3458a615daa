//! An `ExceptionGroup` subclass without `derive`.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags a class that subclasses `ExceptionGroup` or `BaseExceptionGroup` (builtin
    /// or from the `exceptiongroup` backport) without defining `derive`.
    ///
    /// ## Why is this bad?
    /// `split()` and `subgroup()` build their results with `derive()`. The inherited
    /// one returns a plain `ExceptionGroup`, so every group that passes through
    /// `except*`, a nursery or a task group silently loses the subclass, its extra
    /// attributes and any `except MyGroup` meant to catch it.
    ///
    /// ## Example
    /// ```python
    /// class RequestErrors(ExceptionGroup):
    ///     pass
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// class RequestErrors(ExceptionGroup):
    ///     def derive(self, excs):
    ///         return RequestErrors(self.message, excs)
    /// ```
    ///
    /// ## Fix safety
    /// No fix: `derive` has to copy the subclass's own state.
    "ASYNC126" "exception-group-missing-derive" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check(checker: &mut Checker, class: &ast::StmtClassDef) {
    if !checker.enabled(RULE) {
        return;
    }
    let Some(arguments) = class.arguments.as_deref() else {
        return;
    };
    let subclasses_group = arguments.args.iter().any(|base| {
        // `ExceptionGroup[ValueError]`: the generic's origin.
        let base = match base {
            Expr::Subscript(subscript) => subscript.value.as_ref(),
            other => other,
        };
        checker.qualified_name(base).is_some_and(|name| {
            matches!(
                name.rsplit('.').next(),
                Some("ExceptionGroup" | "BaseExceptionGroup")
            )
        })
    });
    if !subclasses_group {
        return;
    }
    let defines_derive = class
        .body
        .iter()
        .any(|stmt| matches!(stmt, Stmt::FunctionDef(def) if def.name.id.as_str() == "derive"));
    if defines_derive {
        return;
    }
    let name = class.name.id.as_str();
    checker.report(
        RULE,
        class.range(),
        format!(
            "`{name}` subclasses an exception group but does not override `derive`: `split()` \
             and `subgroup()` (used by `except*`, nurseries and task groups) will turn it into \
             a plain `ExceptionGroup`"
        ),
        None,
    );
}
