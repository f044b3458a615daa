//! Checkpoints: whether code can be cancelled where it must be. flake8-async's ASYNC100,
//! ASYNC124 and the opt-in 9xx rules (ASYNC900, 910-913).
//!
//! ASYNC100 and ASYNC910-913 share one walk per body ([`flow::Flow`]; its marks are in
//! `marks.rs`, the fixes it prepares in `fixes.rs`, the names it recognises in
//! `apis.rs`), started from the `def` of each `async def` and from each module-level
//! statement (for cancel scopes in cells); ASYNC124 and ASYNC900 are simple scans of the
//! same `def`. Each rule file reports its own findings from the walk's events.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::TextRange;

use crate::analysis::checker::{Checker, ScopeKind};
use crate::analysis::depth::{guarded, guarded_nested_visits};
use crate::analysis::rules::common::decorator_name;

mod apis;
pub mod async100_cancel_scope_no_checkpoint;
pub mod async124_async_function_could_be_sync;
pub mod async900_unsafe_async_generator;
pub mod async910_async_function_no_checkpoint;
pub mod async911_async_generator_no_checkpoint;
pub mod async912_cancel_scope_no_guaranteed_checkpoint;
pub mod async913_indefinite_loop_no_checkpoint;
mod fixes;
mod flow;
mod marks;

use flow::{Event, Flow, Wanted};

/// Called for every statement before its children.
pub(crate) fn on_stmt(checker: &mut Checker, stmt: &Stmt) {
    match stmt {
        Stmt::FunctionDef(def) if def.is_async => {
            async124_async_function_could_be_sync::check(checker, def);
            async900_unsafe_async_generator::check(checker, def);
            analyse_function(checker, def);
        }
        Stmt::FunctionDef(_) => {}
        Stmt::With(_)
        | Stmt::If(_)
        | Stmt::For(_)
        | Stmt::While(_)
        | Stmt::Try(_)
        | Stmt::Match(_)
        | Stmt::ClassDef(_)
            if checker.enclosing_stmts().len() == 1
                && checker.enabled(async100_cancel_scope_no_checkpoint::RULE) =>
        {
            // A module-level compound statement: its cancel scopes, including those in
            // class bodies, in one walk. Functions inside get walks of their own.
            let events = Flow::new(checker, wanted(checker)).module_statement(stmt);
            report(checker, events);
        }
        _ => {}
    }
}

/// Called for every expression before its children.
pub(crate) fn on_expr(_checker: &mut Checker, _expr: &Expr) {}

/// Called for `await`, `async for`, `async with` and async comprehension generators.
pub(crate) fn on_await_like(_checker: &mut Checker, _range: TextRange, _what: &'static str) {}

fn wanted(checker: &Checker) -> Wanted {
    Wanted {
        async100: checker.enabled(async100_cancel_scope_no_checkpoint::RULE),
        async91x: checker.enabled(async910_async_function_no_checkpoint::RULE)
            || checker.enabled(async911_async_generator_no_checkpoint::RULE)
            || checker.enabled(async912_cancel_scope_no_guaranteed_checkpoint::RULE)
            || checker.enabled(async913_indefinite_loop_no_checkpoint::RULE),
    }
}

fn analyse_function(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    let wanted = wanted(checker);
    if !wanted.async100 && !wanted.async91x {
        return;
    }
    // Overloads and fixtures are not real bodies to check, nor are empty stubs.
    if def
        .decorator_list
        .iter()
        .any(|d| matches!(decorator_name(d), Some("overload" | "fixture")))
        || is_empty_body(&def.body)
    {
        return;
    }
    let check_exits = !exempt_by_decorator(checker, def);
    let exempt = is_exempt_context_manager_method(checker, def);
    let events = Flow::new(checker, wanted).function(def, check_exits, exempt);
    report(checker, events);
}

fn report(checker: &mut Checker, events: Vec<Event>) {
    for event in events {
        match event {
            Event::EmptyCancelScope { call, name, fix } => {
                async100_cancel_scope_no_checkpoint::report(checker, call, &name, fix);
            }
            Event::UnguaranteedCancelScope { call, name } => {
                async912_cancel_scope_no_guaranteed_checkpoint::report(checker, call, &name);
            }
            Event::Exit { generator, exit } if generator => {
                async911_async_generator_no_checkpoint::report(checker, exit);
            }
            Event::Exit { exit, .. } => {
                async910_async_function_no_checkpoint::report(checker, exit);
            }
            Event::IndefiniteLoop { range, fix } => {
                async913_indefinite_loop_no_checkpoint::report(checker, range, fix);
            }
        }
    }
}

/// `no-checkpoint-warning-decorators` exempts a function from ASYNC910/911 (and 124).
pub(crate) fn exempt_by_decorator(checker: &Checker, def: &ast::StmtFunctionDef) -> bool {
    let patterns = &checker.options().no_checkpoint_warning_decorators;
    !patterns.is_empty()
        && def
            .decorator_list
            .iter()
            .any(|d| apis::matches_any(checker, &d.expression, patterns))
}

/// An `__aenter__` or `__aexit__` without any checkpoint need not checkpoint when its
/// partner method in the same class does, or when the partner is inherited (the class
/// has bases). When neither checkpoints, only `__aenter__` is reported.
fn is_exempt_context_manager_method(checker: &Checker, def: &ast::StmtFunctionDef) -> bool {
    let name = def.name.id.as_str();
    if name != "__aenter__" && name != "__aexit__" {
        return false;
    }
    let stmts = checker.enclosing_stmts();
    let Some(Stmt::ClassDef(class)) = stmts.len().checked_sub(2).and_then(|i| stmts.get(i)) else {
        return false;
    };
    if checker.scopes().last().map(|s| s.kind) != Some(ScopeKind::Class) {
        return false;
    }
    let method = |wanted: &str| {
        class.body.iter().find_map(|stmt| match stmt {
            Stmt::FunctionDef(f) if f.is_async && f.name.id.as_str() == wanted => {
                Some(contains_await_like(&f.body))
            }
            _ => None,
        })
    };
    if method(name) != Some(false) {
        return false;
    }
    let partner = if name == "__aenter__" {
        "__aexit__"
    } else {
        "__aenter__"
    };
    match method(partner) {
        Some(true) => true,
        Some(false) => name == "__aexit__",
        None => class
            .arguments
            .as_ref()
            .is_some_and(|arguments| !arguments.args.is_empty()),
    }
}

/// Whether a body has an `await`, `async for` or `async with` anywhere, nested
/// functions included.
fn contains_await_like(body: &[Stmt]) -> bool {
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            guarded(|| match stmt {
                Stmt::For(ast::StmtFor { is_async: true, .. })
                | Stmt::With(ast::StmtWith { is_async: true, .. }) => self.0 = true,
                _ => visitor::walk_stmt(self, stmt),
            });
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            guarded(|| {
                if expr.is_await_expr() {
                    self.0 = true;
                } else {
                    visitor::walk_expr(self, expr);
                }
            });
        }

        guarded_nested_visits!('a);
    }
    let mut finder = Finder(false);
    finder.visit_body(body);
    finder.0
}

/// Whether a function body is only `pass`, `...` and string literals.
pub(crate) fn is_empty_body(body: &[Stmt]) -> bool {
    body.iter().all(|stmt| match stmt {
        Stmt::Pass(_) => true,
        Stmt::Expr(e) => matches!(
            e.value.as_ref(),
            Expr::EllipsisLiteral(_) | Expr::StringLiteral(_)
        ),
        _ => false,
    })
}
