//! Passing a coroutine where a function is wanted, or the other way round.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};

use super::apis::is_known_async_callee;
use crate::analysis::checker::Checker;
use crate::analysis::diagnostic::{Applicability, Edit, Fix};
use crate::analysis::names::{dotted_name, last_segment, receiver};

rule! {
    /// ## What it does
    /// Flags the two ways of mixing up an async function and a coroutine:
    ///
    /// - trio and anyio want the **function** and its arguments:
    ///   `nursery.start_soon(f(x))`, `nursery.start(f(x))`, `task_group.start_soon(f())`,
    ///   `trio.run(f())`, `anyio.run(f())`;
    /// - asyncio wants the **coroutine**: `asyncio.create_task(f)`,
    ///   `asyncio.ensure_future(f)`, `asyncio.run(f)`, `loop.create_task(f)`,
    ///   `loop.run_until_complete(f)`.
    ///
    /// Only what the check can see is concluded: the callee must be known to be an async
    /// function (an `async def` of this document, or a library's async API). A callee
    /// it knows nothing about (imported, relative-imported, a parameter, a method of an
    /// unknown object) may be a decorator or factory that returns the async function
    /// (trio's `enable_ki_protection(f)`, `make_handler(cfg)`), and gets no finding.
    ///
    /// ## Why is this bad?
    /// trio raises `TypeError: Trio was expecting an async function, but instead it got a
    /// coroutine object`; asyncio raises `TypeError: a coroutine was expected, got
    /// <function f>` (`ValueError` from `asyncio.run`). Code ported between the two
    /// libraries, or between notebooks written for each, hits this constantly.
    ///
    /// ## Example
    /// ```python
    /// async def fetch(url, timeout):
    ///     ...
    ///
    /// async def refresh():
    ///     ...
    ///
    /// async def main(nursery, url):
    ///     nursery.start_soon(fetch(url, timeout=5))
    ///     task = asyncio.create_task(refresh)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// async def fetch(url, timeout):
    ///     ...
    ///
    /// async def refresh():
    ///     ...
    ///
    /// async def main(nursery, url):
    ///     nursery.start_soon(functools.partial(fetch, url, timeout=5))
    ///     task = asyncio.create_task(refresh())
    /// ```
    ///
    /// ## Fix safety
    /// The fixes (`start_soon(f(a))` → `start_soon(f, a)`, `create_task(f)` →
    /// `create_task(f())`) are safe: `f` is known to be an async function, so the
    /// original call always raised. No fix is offered when the call passes keyword
    /// arguments, which `start_soon` cannot forward.
    "LOOP303" "coroutine-function-mixup" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Error,
        fix: Sometimes(Safe),
    }
}

const COROUTINE_TAKERS: &[&str] = &[
    "asyncio.create_task",
    "asyncio.ensure_future",
    "asyncio.run",
];
const COROUTINE_TAKING_METHODS: &[&str] = &["create_task", "run_until_complete", "ensure_future"];

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if !checker.enabled(RULE) {
        return;
    }
    let Some(first) = call.arguments.args.first() else {
        return;
    };
    let method = last_segment(&call.func);
    if wants_function(call, qualified) {
        if let Expr::Call(inner) = first {
            let inner_is_async = is_known_async_callee(
                checker,
                &inner.func,
                checker.qualified_name(&inner.func).as_deref(),
            );
            let returns_a_function = returns_a_function(checker, &inner.func);
            // A callee we know nothing about may well be a factory or decorator that
            // returns the async function (`start_soon(make_handler(cfg))`,
            // `start_soon(_core.enable_ki_protection(f))`): don't guess.
            if inner_is_async && !returns_a_function {
                report_coroutine_passed(checker, call, inner);
            }
        }
        return;
    }
    let wants_coroutine = qualified.is_some_and(|q| COROUTINE_TAKERS.contains(&q))
        || (matches!(call.func.as_ref(), Expr::Attribute(_))
            && method.is_some_and(|m| COROUTINE_TAKING_METHODS.contains(&m)));
    if wants_coroutine && matches!(first, Expr::Name(_) | Expr::Attribute(_)) {
        let function_qualified = checker.qualified_name(first);
        if is_known_async_callee(checker, first, function_qualified.as_deref()) {
            let name = checker.source(first.range());
            let callee = dotted_name(&call.func).unwrap_or_default();
            checker.report(
                RULE,
                first.range(),
                format!(
                    "`{callee}()` wants a coroutine but gets the function `{name}`: \
                     TypeError: a coroutine was expected, got <function {name}>"
                ),
                // Only known async functions get here: the call always raised.
                Some(
                    Fix::new(
                        format!("Call it: `{name}()`"),
                        vec![Edit::insert(first.end(), "()")],
                    )
                    .with_applicability(Applicability::Safe),
                ),
            );
        }
    }
}

/// Whether `call` takes an async function (and its arguments) as its first argument:
/// `trio.run`, `anyio.run`, `start_soon`, and `start` on a nursery or task group.
pub(crate) fn wants_function(call: &ast::ExprCall, qualified: Option<&str>) -> bool {
    match (qualified, last_segment(&call.func)) {
        (Some("trio.run" | "anyio.run"), _) => true,
        (_, Some("start_soon")) => true,
        (_, Some("start")) => is_nursery_like(&call.func),
        _ => false,
    }
}

fn report_coroutine_passed(checker: &mut Checker, call: &ast::ExprCall, inner: &ast::ExprCall) {
    let callee = dotted_name(&call.func).unwrap_or_default();
    let function = checker.source(inner.func.range());
    let fix = inner.arguments.keywords.is_empty().then(|| {
        // `f(a, b)` → `f, a, b`: replace the call's parentheses with the argument list.
        let arguments = &inner.arguments;
        let args: Vec<&str> = arguments
            .args
            .iter()
            .map(|a| checker.source(a.range()))
            .collect();
        let mut replacement = function.to_string();
        for arg in &args {
            replacement.push_str(", ");
            replacement.push_str(arg);
        }
        Fix::new(
            format!("Pass the function and its arguments: `{replacement}`"),
            vec![Edit::replace(
                TextRange::new(inner.start(), inner.end()),
                replacement,
            )],
        )
    });
    checker.report(
        RULE,
        inner.range(),
        format!(
            "`{callee}()` wants an async function but gets a coroutine `{}`: TypeError: Trio was \
             expecting an async function, but instead it got a coroutine object",
            checker.source(inner.range())
        ),
        fix,
    );
}

/// Calls that hand back a function rather than a coroutine: `partial(f, x)`,
/// `getattr(obj, name)`, a call of a call, or a function this document defines with a
/// plain `def` (a factory).
fn returns_a_function(checker: &Checker, func: &Expr) -> bool {
    match func {
        Expr::Call(_) => true,
        Expr::Name(name) => {
            matches!(name.id.as_str(), "partial" | "getattr" | "wraps")
                || checker.index.is_sync_binding(name.id.as_str())
        }
        _ => matches!(
            last_segment(func),
            Some("partial" | "attrgetter" | "methodcaller")
        ),
    }
}

/// Receivers that are nurseries or task groups by name: `nursery.start(...)` is a task
/// start, `thread.start()` is not.
fn is_nursery_like(func: &Expr) -> bool {
    let Some(receiver) = receiver(func) else {
        return false;
    };
    let Some(name) = last_segment(receiver) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    lower.contains("nursery")
        || matches!(
            lower.as_str(),
            "tg" | "task_group" | "taskgroup" | "background"
        )
}
