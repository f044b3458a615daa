//! `trio.sleep(0)` / `anyio.sleep(0)` used as a checkpoint.

use ruff_python_ast::{self as ast, Expr, Number};
use ruff_text_size::Ranged;

use super::common::{replace_library_call, trio_or_anyio};
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags `trio.sleep(0)` and `anyio.sleep(0)`. asyncio's `asyncio.sleep(0)` is the
    /// documented way to yield there and is not flagged.
    ///
    /// ## Why is this bad?
    /// A zero sleep is a checkpoint in disguise: it yields to the scheduler and checks
    /// for cancellation. `trio.lowlevel.checkpoint()` (`anyio.lowlevel.checkpoint()`)
    /// says so, and reads as intended rather than as a leftover from a real sleep.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def spin():
    ///     await trio.sleep(0)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def spin():
    ///     await trio.lowlevel.checkpoint()
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces the call with `<library>.lowlevel.checkpoint()` and is safe: both
    /// libraries implement a zero sleep as exactly that checkpoint. It is offered when the
    /// call is written through the module (`trio.sleep(0)`, `t.sleep(0)`), not for a bare
    /// `sleep` imported from the library.
    "ASYNC115" "async-zero-sleep" {
        library: "trio/anyio",
        default: true,
        severity: Information,
        fix: Sometimes(Safe),
    }
}

pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if !checker.enabled(RULE) {
        return;
    }
    let Some((base, _)) = trio_or_anyio(qualified, &["sleep"]) else {
        return;
    };
    let arguments = &call.arguments;
    let zero = (arguments.args.len() == 1 && is_zero(&arguments.args[0]))
        || (arguments.keywords.len() == 1 && is_zero(&arguments.keywords[0].value));
    if !zero {
        return;
    }
    let fix = replace_library_call(checker, call, base, "lowlevel.checkpoint()");
    checker.report(
        RULE,
        call.range(),
        format!(
            "`{base}.sleep(0)` is a checkpoint: write `{base}.lowlevel.checkpoint()` to say so"
        ),
        fix,
    );
}

fn is_zero(expr: &Expr) -> bool {
    match expr {
        Expr::NumberLiteral(number) => match &number.value {
            Number::Int(int) => int.as_u64() == Some(0),
            Number::Float(float) => *float == 0.0,
            Number::Complex { .. } => false,
        },
        Expr::BooleanLiteral(boolean) => !boolean.value,
        _ => false,
    }
}
