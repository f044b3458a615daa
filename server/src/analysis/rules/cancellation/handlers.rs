//! Exception handlers and `finally` blocks: which handlers catch cancellation, and
//! where an `await` sits relative to them (ASYNC102, 103, 104, 120).

use ruff_python_ast::{self as ast, ExceptHandler, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::context::{
    callee, function_stmts, in_body, trio_or_anyio, walk_scope, Node, CANCEL_SCOPE_NAMES,
};
use crate::analysis::checker::Checker;
use crate::analysis::depth::guarded;

/// What a handler catches that includes cancellation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Caught {
    TrioCancelled,
    AnyioCancelled,
    AsyncioCancelled,
    /// `except BaseException`: cancellation of every library, and more.
    BaseException,
    /// `except:`.
    Bare,
}

/// A handler that catches cancellation: what it catches and where that is written.
#[derive(Clone, Debug)]
pub(crate) struct CancelCatch {
    pub caught: Caught,
    /// The exception expression as written, or `except` for a bare handler.
    pub text: String,
    pub range: TextRange,
}

impl CancelCatch {
    /// `except trio.Cancelled`, `bare except`, for messages.
    pub(crate) fn describe(&self) -> String {
        match self.caught {
            Caught::Bare => "bare `except:`".to_string(),
            _ => format!("`except {}`", self.text),
        }
    }

    /// Whether it names the cancellation exception itself rather than catching it with
    /// everything else.
    pub(crate) fn is_specific(&self) -> bool {
        !matches!(self.caught, Caught::BaseException | Caught::Bare)
    }
}

/// The `except` keyword of a handler.
pub(crate) fn except_keyword(handler: &ast::ExceptHandlerExceptHandler) -> TextRange {
    TextRange::at(handler.start(), TextSize::new(6))
}

/// Whether the handler catches a cancellation exception (`trio.Cancelled`,
/// `anyio.get_cancelled_exc_class()`, `asyncio.CancelledError`), `BaseException`, or
/// everything (bare `except:`). In a tuple, the first such element counts.
pub(crate) fn catches_cancellation(
    checker: &Checker,
    handler: &ast::ExceptHandlerExceptHandler,
) -> Option<CancelCatch> {
    let Some(type_) = handler.type_.as_deref() else {
        return Some(CancelCatch {
            caught: Caught::Bare,
            text: "except".to_string(),
            range: except_keyword(handler),
        });
    };
    let elements: &[Expr] = match type_ {
        Expr::Tuple(tuple) => &tuple.elts,
        single => std::slice::from_ref(single),
    };
    elements.iter().find_map(|element| {
        let caught = cancellation_exception(checker, element)?;
        Some(CancelCatch {
            caught,
            text: checker.source(element.range()).to_string(),
            range: element.range(),
        })
    })
}

fn cancellation_exception(checker: &Checker, expr: &Expr) -> Option<Caught> {
    match checker.source(expr.range()) {
        "BaseException" => return Some(Caught::BaseException),
        "trio.Cancelled" => return Some(Caught::TrioCancelled),
        "anyio.get_cancelled_exc_class()" | "get_cancelled_exc_class()" => {
            return Some(Caught::AnyioCancelled)
        }
        "asyncio.exceptions.CancelledError" | "exceptions.CancelledError" | "CancelledError" => {
            return Some(Caught::AsyncioCancelled)
        }
        _ => {}
    }
    if let Expr::Call(call) = expr {
        // `anyio.get_cancelled_exc_class()` under an alias; with arguments it is a
        // TypeError, not a handler.
        if !call.arguments.is_empty() {
            return None;
        }
        return (checker.qualified_name(&call.func).as_deref()
            == Some("anyio.get_cancelled_exc_class"))
        .then_some(Caught::AnyioCancelled);
    }
    match checker.qualified_name(expr).as_deref() {
        Some("trio.Cancelled") => Some(Caught::TrioCancelled),
        Some("asyncio.CancelledError" | "asyncio.exceptions.CancelledError") => {
            Some(Caught::AsyncioCancelled)
        }
        _ => None,
    }
}

/// Where an `await` (or `async for`/`async with`) sits, as far as cancellation goes.
pub(crate) enum AwaitContext<'a> {
    /// Nowhere special, or protected by a shielded cancel scope.
    Unprotected,
    /// In a `finally`, a handler that catches cancellation, or `__aexit__`: cleanup
    /// code that a cancellation cuts short. The string describes where, for messages.
    Cleanup(String),
    /// In a handler that does not catch cancellation.
    Handler(&'a ast::ExceptHandlerExceptHandler),
}

/// A cancel scope or nursery entered around the await.
struct Scope<'a> {
    variable: Option<&'a str>,
    shielded: bool,
}

/// Where the await-like construct at `range` sits: follows the statements of the
/// current function from the outside in, as flake8-async's ASYNC102 does. A handler
/// inside cleanup code stays cleanup; a `finally` or a cancellation handler starts
/// afresh (scopes entered outside it do not shield it).
pub(crate) fn await_context<'a>(checker: &Checker<'a>, range: TextRange) -> AwaitContext<'a> {
    let mut context = match checker.enclosing_function() {
        Some(def) if def.name.as_str() == "__aexit__" => {
            AwaitContext::Cleanup("`__aexit__`".to_string())
        }
        _ => AwaitContext::Unprotected,
    };
    let stmts = function_stmts(checker);
    // The common case, cheaply: no `try` around, and not in `__aexit__`.
    if matches!(context, AwaitContext::Unprotected)
        && !stmts.iter().any(|s| matches!(s, Stmt::Try(_)))
    {
        return context;
    }
    let mut scopes: Vec<Scope<'a>> = Vec::new();
    for stmt in stmts {
        match stmt {
            Stmt::Try(try_) => {
                if in_body(&try_.finalbody, range) {
                    scopes.clear();
                    context = AwaitContext::Cleanup("`finally`".to_string());
                    continue;
                }
                let Some(index) = try_
                    .handlers
                    .iter()
                    .position(|h| h.range().contains_range(range))
                else {
                    continue;
                };
                if let AwaitContext::Cleanup(_) = context {
                    continue;
                }
                let handler_of = |h: &'a ExceptHandler| match h {
                    ExceptHandler::ExceptHandler(handler) => handler,
                };
                let handler = handler_of(&try_.handlers[index]);
                scopes.clear();
                // An earlier handler of the same `try` already took cancellation.
                let caught_before = try_.handlers[..index]
                    .iter()
                    .any(|h| catches_cancellation(checker, handler_of(h)).is_some());
                context = match catches_cancellation(checker, handler) {
                    Some(catch) if !caught_before => AwaitContext::Cleanup(catch.describe()),
                    _ => AwaitContext::Handler(handler),
                };
            }
            Stmt::With(with) if in_body(&with.body, range) => {
                let Some((item, _)) = with.items.iter().find_map(|item| {
                    let qualified = callee(checker, &item.context_expr)?;
                    let name = trio_or_anyio(
                        &qualified,
                        &[
                            "open_nursery",
                            "create_task_group",
                            "fail_after",
                            "fail_at",
                            "move_on_after",
                            "move_on_at",
                            "CancelScope",
                        ],
                    )?;
                    Some((item, CANCEL_SCOPE_NAMES.contains(&name)))
                }) else {
                    continue;
                };
                let shield_keyword = match &item.context_expr {
                    Expr::Call(call) => call
                        .arguments
                        .find_keyword("shield")
                        .and_then(|k| constant_truth(&k.value)),
                    _ => None,
                };
                let variable = match item.optional_vars.as_deref() {
                    Some(Expr::Name(name)) => Some(name.id.as_str()),
                    _ => None,
                };
                scopes.push(Scope {
                    variable,
                    shielded: shield_keyword.unwrap_or(false),
                });
                // `scope.shield = True` (or `nursery.cancel_scope.shield = True`)
                // before the await, in the block.
                if variable.is_some() {
                    walk_scope(&with.body, &mut |node| {
                        if let Node::Stmt(Stmt::Assign(assign)) = node {
                            if assign.end() <= range.start() {
                                apply_shield_assignment(assign, &mut scopes);
                            }
                        }
                        true
                    });
                }
            }
            _ => {}
        }
    }
    if scopes.iter().any(|s| s.shielded) {
        return AwaitContext::Unprotected;
    }
    context
}

fn apply_shield_assignment(assign: &ast::StmtAssign, scopes: &mut [Scope]) {
    let [Expr::Attribute(target)] = assign.targets.as_slice() else {
        return;
    };
    if target.attr.as_str() != "shield" {
        return;
    }
    let Some(value) = constant_truth(&assign.value) else {
        return;
    };
    let owner = match &*target.value {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(inner) if inner.attr.as_str() == "cancel_scope" => match &*inner.value {
            Expr::Name(name) => name.id.as_str(),
            _ => return,
        },
        _ => return,
    };
    if let Some(scope) = scopes.iter_mut().rev().find(|s| s.variable == Some(owner)) {
        scope.shielded = value;
    }
}

/// The truth of a literal constant (`True`, `0`, `None` ...), if it is one.
fn constant_truth(expr: &Expr) -> Option<bool> {
    match expr {
        Expr::BooleanLiteral(b) => Some(b.value),
        Expr::NoneLiteral(_) => Some(false),
        Expr::NumberLiteral(n) => Some(match &n.value {
            ast::Number::Int(i) => *i != ast::Int::ZERO,
            ast::Number::Float(f) => *f != 0.0,
            ast::Number::Complex { real, imag } => *real != 0.0 || *imag != 0.0,
        }),
        Expr::StringLiteral(s) => Some(!s.value.is_empty()),
        _ => None,
    }
}

/// Awaits that are safe in cleanup code: closing a resource (`x.aclose()`,
/// `trio.aclose_forcefully(x)`) cancels promptly by design, and
/// `trio.lowlevel.cancel_shielded_checkpoint()` is never cancelled.
pub(crate) fn is_safe_cleanup_await(checker: &Checker, awaited: &Expr) -> bool {
    let Expr::Call(call) = awaited else {
        return false;
    };
    if let Expr::Attribute(attribute) = &*call.func {
        if attribute.attr.as_str() == "aclose" && call.arguments.is_empty() {
            return true;
        }
    }
    let Some(qualified) = checker.qualified_name(&call.func) else {
        return false;
    };
    if trio_or_anyio(&qualified, &["aclose_forcefully"]).is_some() {
        return true;
    }
    call.arguments.is_empty()
        && trio_or_anyio(&qualified, &["lowlevel.cancel_shielded_checkpoint"]).is_some()
}

/// Whether an `async with` statement's entry or exit may be cancelled: opening a trio
/// nursery or an anyio task group is not a cancellation point, anything else may be.
pub(crate) fn async_with_checkpoints(checker: &Checker, with: &ast::StmtWith) -> bool {
    with.items.iter().any(|item| {
        !matches!(
            callee(checker, &item.context_expr).as_deref(),
            Some("trio.open_nursery" | "anyio.create_task_group")
        )
    })
}

/// Whether a `raise` statement follows `after` in the handler's body, in code that runs
/// as part of this handler (not in a nested handler, which handles its own exception,
/// nor in a nested function).
pub(crate) fn raises_after(handler: &ast::ExceptHandlerExceptHandler, after: TextSize) -> bool {
    handler.body.iter().any(|stmt| raises_in(stmt, after))
}

fn raises_in(stmt: &Stmt, after: TextSize) -> bool {
    let mut found = false;
    walk_scope(std::slice::from_ref(stmt), &mut |node| {
        match node {
            Node::Stmt(Stmt::Raise(raise)) if raise.start() > after => found = true,
            Node::Stmt(Stmt::Try(try_)) => {
                for part in [&try_.body, &try_.orelse, &try_.finalbody] {
                    found |= part.iter().any(|s| guarded(|| raises_in(s, after)));
                }
                return false;
            }
            _ => {}
        }
        !found
    });
    found
}
