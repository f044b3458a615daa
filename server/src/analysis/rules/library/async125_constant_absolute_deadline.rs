//! `trio.move_on_at(10)`: an absolute deadline given as a constant.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::common::{is_constant, trio_or_anyio};
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags `fail_at(...)` and `move_on_at(...)` of trio and anyio called with a
    /// constant, and `CancelScope(deadline=...)` with a constant deadline.
    ///
    /// ## Why is this bad?
    /// These deadlines are absolute times on the loop's clock, and that clock starts at
    /// an arbitrary point (trio randomizes it on purpose). `move_on_at(10)` is therefore
    /// either long past, cancelling at once, or hours away. The intent is almost always
    /// a relative timeout.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def main():
    ///     with trio.move_on_at(10):
    ///         await trio.sleep(5)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def main():
    ///     with trio.move_on_after(10):
    ///         await trio.sleep(5)
    /// ```
    ///
    /// ## Fix safety
    /// No fix: whether a relative timeout or `current_time() + n` was meant is for the
    /// author to say.
    "ASYNC125" "constant-absolute-deadline" {
        library: "trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if !checker.enabled(RULE) {
        return;
    }
    let Some((base, name)) = trio_or_anyio(qualified, &["fail_at", "move_on_at", "CancelScope"])
    else {
        return;
    };
    let arguments = &call.arguments;
    let value = if name != "CancelScope" && arguments.args.len() == 1 {
        &arguments.args[0]
    } else {
        match arguments.find_keyword("deadline") {
            Some(keyword) => &keyword.value,
            None => return,
        }
    };
    if !is_constant(value) {
        return;
    }
    let relative = match name {
        "fail_at" => format!("`{base}.fail_after(...)`"),
        "move_on_at" => format!("`{base}.move_on_after(...)`"),
        _ => "`relative_deadline=...`".to_string(),
    };
    checker.report(
        RULE,
        value.range(),
        format!(
            "`{base}.{name}` takes an absolute time on the loop's clock, which starts at an \
             arbitrary value: a constant cancels at once or far too late; use {relative} or \
             `{base}.current_time() + ...`"
        ),
        None,
    );
}
