//! asyncio APIs removed from Python: `@asyncio.coroutine`, `loop=` arguments,
//! `asyncio.async`, `yield from` in `async def`, `get_event_loop()` with no loop.

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::guards::guard_at;
use crate::analysis::checker::{Checker, ExecContext};
use crate::analysis::depth::guarded;
use crate::analysis::diagnostic::{Edit, Fix};
use crate::analysis::PythonVersion;

rule! {
    /// ## What it does
    /// Flags asyncio code that current Pythons reject:
    ///
    /// - `@asyncio.coroutine`, removed in Python 3.11 (AttributeError);
    /// - a `loop=` argument to the high-level APIs that dropped it in Python 3.10:
    ///   `sleep`, `gather`, `shield`, `wait_for`, `wait`, `as_completed`,
    ///   `open_connection`, `start_server`, `open_unix_connection`,
    ///   `start_unix_server`, `create_subprocess_exec`, `create_subprocess_shell`,
    ///   `Queue`, `PriorityQueue`, `LifoQueue`, `Lock`, `Event`, `Condition`,
    ///   `Semaphore` and `BoundedSemaphore` (TypeError);
    /// - `getattr(asyncio, "async")`, the pre-3.7 spelling of `ensure_future` kept
    ///   alive by reflection (`asyncio.async(...)` itself is a SyntaxError, reported
    ///   as E999);
    /// - `yield from` inside `async def` (SyntaxError; E999 does not report it);
    /// - `asyncio.get_event_loop()` where no loop can be running: a script's module
    ///   level, or a plain `def` that then drives the loop itself
    ///   (`loop.run_until_complete(...)`, `loop.run_forever()`). That is a
    ///   DeprecationWarning up to Python 3.13 (and a new loop), a RuntimeError from 3.14
    ///   when no loop was set; the message says which for the `target-version`. A plain
    ///   `def` that may be called with the loop running (`if loop is None: loop =
    ///   asyncio.get_event_loop()`) is not flagged, nor is top-level code in cells
    ///   (there the loop is running). Inside `async def` the call works on every
    ///   Python: that is the opt-in style rule LOOP502.
    ///
    /// Only what fails or warns on the `target-version` (default: the oldest supported,
    /// 3.10) or later is reported. Code behind a version or feature guard is a
    /// compatibility shim and is left alone: the branches of `if sys.version_info >=
    /// (3, N):` that only run where the API still exists (`else` included), module-level
    /// flags assigned from such a test (`PY311 = sys.version_info >= (3, 11)` then `if
    /// not PY311:`), `if hasattr(asyncio, "coroutine"):`, and `try:` blocks whose
    /// handlers catch `ImportError`, `AttributeError` or `NameError` (and `TypeError`
    /// around a `loop=` argument, `RuntimeError` around `get_event_loop()`).
    ///
    /// ## Why is this bad?
    /// Each line fails on a current Python, usually in code copied from pre-3.7
    /// tutorials.
    ///
    /// ## Example
    /// ```python
    /// import asyncio
    ///
    /// async def main(loop):
    ///     await asyncio.sleep(1, loop=loop)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import asyncio
    ///
    /// async def main(loop):
    ///     await asyncio.sleep(1)
    /// ```
    ///
    /// ## Fix safety
    /// Dropping the `loop=` argument is safe: the APIs use the running loop, which is
    /// the only loop they ever worked with. The rest needs rewriting by hand
    /// (`@asyncio.coroutine` generators become `async def` with `await`).
    "LOOP501" "removed-asyncio-api" {
        library: "asyncio",
        default: true,
        severity: Error,
        fix: Sometimes(Safe),
    }
}

/// The asyncio functions and classes whose `loop` parameter Python 3.10 removed.
const LOOP_PARAMETER_REMOVED: &[&str] = &[
    "sleep",
    "gather",
    "shield",
    "wait_for",
    "wait",
    "as_completed",
    "open_connection",
    "start_server",
    "open_unix_connection",
    "start_unix_server",
    "create_subprocess_exec",
    "create_subprocess_shell",
    "Queue",
    "PriorityQueue",
    "LifoQueue",
    "Lock",
    "Event",
    "Condition",
    "Semaphore",
    "BoundedSemaphore",
];

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if !checker.enabled(RULE) {
        return;
    }
    let Some(qualified) = qualified else { return };
    if qualified == "getattr" {
        check_getattr_async(checker, call);
        return;
    }
    let Some(name) = qualified.strip_prefix("asyncio.") else {
        return;
    };
    if name == "get_event_loop" {
        check_get_event_loop(checker, call);
        return;
    }
    if !LOOP_PARAMETER_REMOVED.contains(&name) {
        return;
    }
    let Some(keyword) = call.arguments.find_keyword("loop") else {
        return;
    };
    // `try: Queue(loop=loop) except TypeError: Queue()` is a shim for old Pythons.
    if !runs_where_removed(checker, keyword.range(), 10, &["TypeError"]) {
        return;
    }
    let fix = remove_argument_fix(checker, call, keyword.range());
    checker.report(
        RULE,
        keyword.range(),
        format!(
            "`asyncio.{name}()` lost its `loop` parameter in Python 3.10: TypeError; drop it, \
             the running loop is used"
        ),
        fix,
    );
}

/// Deletes one argument and the comma that separates it from its neighbours:
/// the preceding comma, or for the first argument the following one.
fn remove_argument_fix(
    checker: &Checker,
    call: &ast::ExprCall,
    argument: TextRange,
) -> Option<Fix> {
    let arguments = &call.arguments;
    let mut ranges: Vec<TextRange> = arguments
        .args
        .iter()
        .map(Ranged::range)
        .chain(arguments.keywords.iter().map(Ranged::range))
        .collect();
    ranges.sort_by_key(|r| r.start());
    let position = ranges.iter().position(|r| *r == argument)?;
    let delete = if position > 0 {
        // `f(a, loop=x)` → `f(a)`: from the end of the previous argument.
        TextRange::new(ranges[position - 1].end(), argument.end())
    } else if let Some(next) = ranges.get(1) {
        // `f(loop=x, a)` is not valid, but `f(loop=x, b=1)` is: up to the next one.
        TextRange::new(argument.start(), next.start())
    } else {
        // The only argument: also drop a trailing comma.
        let close = arguments.end() - TextSize::from(1);
        TextRange::new(argument.start(), close)
    };
    // A comment between the arguments would be swallowed: leave such calls alone.
    if checker.source(delete).contains('#') {
        return None;
    }
    Some(Fix::new(
        "Remove the `loop` argument",
        vec![Edit::delete(delete)],
    ))
}

/// `getattr(asyncio, "async")`.
fn check_getattr_async(checker: &mut Checker, call: &ast::ExprCall) {
    let [object, Expr::StringLiteral(attribute)] = &call.arguments.args[..] else {
        return;
    };
    if attribute.value.to_str() != "async"
        || checker.qualified_name(object).as_deref() != Some("asyncio")
    {
        return;
    }
    if !runs_where_removed(checker, call.range(), 7, &[]) {
        return;
    }
    checker.report(
        RULE,
        call.range(),
        "`asyncio.async` was removed in Python 3.7, where `async` became a keyword: \
         AttributeError; use `asyncio.ensure_future()` or `asyncio.create_task()`",
        None,
    );
}

fn check_get_event_loop(checker: &mut Checker, call: &ast::ExprCall) {
    if !call.arguments.is_empty() {
        return;
    }
    // In cells the loop is running (asyncell) or IPython manages one: not flagged. Inside
    // `async def` the loop is running and the call works on every Python: that is
    // LOOP502's advice, not an error.
    if checker.kind().has_cells() {
        return;
    }
    match checker.exec_context() {
        ExecContext::TopLevel => {}
        // A sync function may well be called with the loop running (`if loop is None:
        // loop = asyncio.get_event_loop()` in a constructor): only one that then runs the
        // loop itself is known to have none.
        ExecContext::SyncFunction if runs_the_loop(checker) => {}
        _ => return,
    }
    let guard = guard_at(checker, call.range(), &["RuntimeError"]);
    if !guard.runs_from(
        PythonVersion::OLDEST.minor(),
        checker.target_version().minor(),
    ) {
        return;
    }
    // The oldest Python the call runs on: the target, or a newer one a guard demands.
    let version = PythonVersion::ALL
        .into_iter()
        .filter(|v| v.minor() <= guard.low)
        .max()
        .unwrap_or(PythonVersion::OLDEST)
        .max(checker.target_version());
    let outcome = match version {
        version if version >= PythonVersion::Py314 => format!(
            "raises RuntimeError on Python {} (no current event loop)",
            version.dotted()
        ),
        version => format!(
            "warns (DeprecationWarning) and creates a loop on Python {}, and raises \
             RuntimeError from 3.14",
            version.dotted()
        ),
    };
    checker.report(
        RULE,
        call.range(),
        format!(
            "`asyncio.get_event_loop()` with no running loop {outcome}: use \
             `asyncio.run(main())`, or `asyncio.new_event_loop()` if you manage the \
             loop yourself"
        ),
        None,
    );
}

/// Whether the enclosing `def` drives a loop itself (`loop.run_until_complete(...)`,
/// `loop.run_forever()`): it runs where no loop is running.
fn runs_the_loop(checker: &Checker) -> bool {
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            // Nested functions run elsewhere.
            if !self.0 && !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                guarded(|| walk_stmt(self, stmt));
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.0 {
                return;
            }
            if let Expr::Call(call) = expr {
                if let Expr::Attribute(attribute) = call.func.as_ref() {
                    if matches!(
                        attribute.attr.id.as_str(),
                        "run_until_complete" | "run_forever"
                    ) {
                        self.0 = true;
                        return;
                    }
                }
            }
            guarded(|| walk_expr(self, expr));
        }
        crate::analysis::depth::guarded_nested_visits!('a);
    }
    let Some(def) = checker.enclosing_function() else {
        return false;
    };
    let mut finder = Finder(false);
    for stmt in &def.body {
        finder.visit_stmt(stmt);
    }
    finder.0
}

/// Whether code at `range` can run on a Python from 3.`removed_in` on that the project
/// supports, outside a version or feature guard: `try` blocks that catch `ImportError`,
/// `AttributeError`, `NameError` (or one of `catches`) are feature guards.
fn runs_where_removed(
    checker: &Checker,
    range: TextRange,
    removed_in: u32,
    catches: &[&str],
) -> bool {
    let mut names = vec![
        "ImportError",
        "ModuleNotFoundError",
        "AttributeError",
        "NameError",
    ];
    names.extend_from_slice(catches);
    guard_at(checker, range, &names).runs_from(removed_in, checker.target_version().minor())
}

/// `@asyncio.coroutine`.
pub(crate) fn check_def(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    if !checker.enabled(RULE) {
        return;
    }
    for decorator in &def.decorator_list {
        if checker.qualified_name(&decorator.expression).as_deref() == Some("asyncio.coroutine")
            && runs_where_removed(checker, decorator.range(), 11, &[])
        {
            checker.report(
                RULE,
                decorator.range(),
                "`@asyncio.coroutine` was removed in Python 3.11: AttributeError; write \
                 `async def` and replace `yield from` with `await`",
                None,
            );
        }
    }
}

/// `yield from` directly inside an `async def`.
pub(crate) fn check_yield_from(checker: &mut Checker, expr: &ast::ExprYieldFrom) {
    if !checker.enabled(RULE) {
        return;
    }
    let in_async_def = checker
        .scopes()
        .last()
        .is_some_and(|scope| scope.kind == crate::analysis::checker::ScopeKind::AsyncFunction);
    if in_async_def {
        checker.report(
            RULE,
            expr.range(),
            "SyntaxError: 'yield from' inside async function; write `await` (for a \
             coroutine) or iterate with `async for`",
            None,
        );
    }
}
