//! `trio.sleep(math.inf)` and sleeps longer than a day.

use ruff_python_ast::{self as ast, Expr, Number};
use ruff_text_size::Ranged;

use super::common::{replace_library_call, trio_or_anyio};
use crate::analysis::checker::Checker;
use crate::analysis::diagnostic::Applicability;

rule! {
    /// ## What it does
    /// Flags `trio.sleep()` and `anyio.sleep()` with an interval longer than 24 hours:
    /// a number above 86400, `math.inf`, `inf` or `float("inf")`.
    ///
    /// ## Why is this bad?
    /// A sleep that long means "wait until cancelled". `sleep_forever()` says that
    /// directly, cannot be mistaken for a typo in the interval, and does not depend on
    /// the clock accepting an infinite deadline.
    ///
    /// ## Example
    /// ```python
    /// import math
    /// import trio
    ///
    /// async def serve():
    ///     await trio.sleep(math.inf)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def serve():
    ///     await trio.sleep_forever()
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces the call with `<library>.sleep_forever()`. It is safe for an
    /// infinite interval. For a finite one above a day it is unsafe in principle: the
    /// task would have woken up after that long and now never does. It is offered when
    /// the call is written through the module (`trio.sleep(...)`), not for a bare `sleep`.
    "ASYNC116" "long-sleep-not-forever" {
        library: "trio/anyio",
        default: true,
        severity: Information,
        fix: Sometimes(Safe | Unsafe),
    }
}

const ONE_DAY: f64 = 86400.0;

pub(crate) fn check(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if !checker.enabled(RULE) {
        return;
    }
    let Some((base, _)) = trio_or_anyio(qualified, &["sleep"]) else {
        return;
    };
    let arguments = &call.arguments;
    let interval = match (arguments.args.len(), arguments.keywords.len()) {
        (1, _) => &arguments.args[0],
        (0, 1) => &arguments.keywords[0].value,
        _ => return,
    };
    if !is_longer_than_a_day(interval) {
        return;
    }
    // An infinite sleep already never wakes up: replacing it keeps the behaviour. A
    // finite one would have woken up, however late.
    let applicability = if is_infinite(interval) {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    let fix = replace_library_call(checker, call, base, "sleep_forever()")
        .map(|fix| fix.with_applicability(applicability));
    checker.report(
        RULE,
        call.range(),
        format!(
            "a sleep longer than a day means \"until cancelled\": use `{base}.sleep_forever()`"
        ),
        fix,
    );
}

fn is_longer_than_a_day(expr: &Expr) -> bool {
    if is_infinite(expr) {
        return true;
    }
    match expr {
        Expr::NumberLiteral(number) => match &number.value {
            // An integer too large for u64 is certainly more than a day.
            Number::Int(int) => int.as_u64().is_none_or(|v| v as f64 > ONE_DAY),
            Number::Float(float) => *float > ONE_DAY,
            Number::Complex { .. } => false,
        },
        _ => false,
    }
}

/// `math.inf`, `numpy.inf`, a bare `inf`, `float("inf")`.
fn is_infinite(expr: &Expr) -> bool {
    match expr {
        Expr::Attribute(attribute) => attribute.attr.id.as_str() == "inf",
        Expr::Name(name) => name.id.as_str() == "inf",
        Expr::Call(call) => {
            matches!(call.func.as_ref(), Expr::Name(name) if name.id.as_str() == "float")
                && call.arguments.args.first().is_some_and(
                    |arg| matches!(arg, Expr::StringLiteral(s) if s.value.to_str() == "inf"),
                )
        }
        _ => false,
    }
}
