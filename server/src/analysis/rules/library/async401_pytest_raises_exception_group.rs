//! `pytest.raises(ExceptionGroup)`.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::analysis::checker::Checker;
use crate::analysis::depth::guarded;

rule! {
    /// ## What it does
    /// Flags `pytest.raises(ExceptionGroup)` and `pytest.raises(BaseExceptionGroup)`
    /// (builtin or from the `exceptiongroup` backport, alone or in a tuple).
    ///
    /// ## Why is this bad?
    /// It passes for any group, whatever is inside: a test expecting a `ValueError`
    /// from a task group also passes when the group holds a `TypeError` or a
    /// cancellation. `pytest.RaisesGroup` (pytest 8.4+) checks the group's contents.
    ///
    /// ## Example
    /// ```python
    /// import pytest
    ///
    /// def test_fails():
    ///     with pytest.raises(ExceptionGroup):
    ///         run()
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import pytest
    ///
    /// def test_fails():
    ///     with pytest.RaisesGroup(ValueError):
    ///         run()
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the expected contents of the group have to be written down.
    "ASYNC401" "pytest-raises-exception-group" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

const GROUPS: &[&str] = &[
    "ExceptionGroup",
    "BaseExceptionGroup",
    "builtins.ExceptionGroup",
    "builtins.BaseExceptionGroup",
    "exceptiongroup.ExceptionGroup",
    "exceptiongroup.BaseExceptionGroup",
];

pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if !checker.enabled(RULE) || qualified != Some("pytest.raises") {
        return;
    }
    let Some(expected) = call.arguments.find_argument_value("expected_exception", 0) else {
        return;
    };
    let Some(group) = group_in(checker, expected) else {
        return;
    };
    checker.report(
        RULE,
        call.range(),
        format!(
            "`pytest.raises({group})` passes whatever the group holds: use \
             `pytest.RaisesGroup(...)` to check its contents"
        ),
        None,
    );
}

fn group_in(checker: &Checker, expr: &Expr) -> Option<String> {
    if let Expr::Tuple(tuple) = expr {
        return tuple
            .elts
            .iter()
            .find_map(|e| guarded(|| group_in(checker, e)));
    }
    let qualified = checker.qualified_name(expr)?;
    GROUPS
        .contains(&qualified.as_str())
        .then(|| checker.source(expr.range()).to_string())
}
