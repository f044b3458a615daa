//! Library use: removed trio and asyncio APIs (LOOP500, LOOP501, LOOP502), private trio internals
//! (LOOP402), the wrong loop library (LOOP600), and flake8-async's API-level rules
//! (ASYNC106, 109, 115, 116, 118, 123, 125, 126, 127, 300, 400, 401).

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::TextRange;

use crate::analysis::checker::Checker;

mod common;
pub(crate) mod guards;

pub mod async106_bad_async_library_import;
pub mod async109_async_function_with_timeout;
pub mod async115_async_zero_sleep;
pub mod async116_long_sleep_not_forever;
pub mod async118_cancelled_class_saved;
pub mod async123_bad_exception_group_flattening;
pub mod async125_constant_absolute_deadline;
pub mod async126_exception_group_missing_derive;
pub mod async127_unmaintained_httpx;
pub mod async300_create_task_no_reference;
pub mod async400_exception_group_invalid_attribute;
pub mod async401_pytest_raises_exception_group;
pub mod loop402_private_trio_internals;
pub mod loop500_removed_trio_api;
pub mod loop501_removed_asyncio_api;
pub mod loop502_get_event_loop_in_coroutine;
pub mod loop600_wrong_loop_library;

/// Called for every statement before its children.
pub(crate) fn on_stmt(checker: &mut Checker, stmt: &Stmt) {
    match stmt {
        Stmt::Import(_) | Stmt::ImportFrom(_) => {
            async106_bad_async_library_import::check(checker, stmt);
            async118_cancelled_class_saved::check(checker, stmt);
            async127_unmaintained_httpx::check(checker, stmt);
            loop402_private_trio_internals::check_import(checker, stmt);
            loop500_removed_trio_api::check_import(checker, stmt);
        }
        Stmt::FunctionDef(def) => {
            async109_async_function_with_timeout::check(checker, def);
            loop501_removed_asyncio_api::check_def(checker, def);
        }
        Stmt::ClassDef(class) => async126_exception_group_missing_derive::check(checker, class),
        Stmt::Assign(_) | Stmt::AnnAssign(_) | Stmt::AugAssign(_) => {
            async118_cancelled_class_saved::check(checker, stmt);
            loop402_private_trio_internals::check_assignment(checker, stmt);
        }
        Stmt::Try(try_) => {
            async123_bad_exception_group_flattening::check(checker, try_);
            async400_exception_group_invalid_attribute::check(checker, try_);
        }
        Stmt::With(with) => loop600_wrong_loop_library::check_async_with(checker, with),
        Stmt::For(for_) => loop600_wrong_loop_library::check_async_for(checker, for_),
        _ => {}
    }
}

/// Called for every expression before its children.
pub(crate) fn on_expr(checker: &mut Checker, expr: &Expr) {
    match expr {
        Expr::Attribute(attribute) => {
            let attr = attribute.attr.id.as_str();
            if loop500_removed_trio_api::is_candidate(attr) {
                loop500_removed_trio_api::check_attribute(checker, attribute);
            }
            if loop402_private_trio_internals::is_candidate(attr) && checker.imports_module("trio")
            {
                loop402_private_trio_internals::check_attribute(checker, attribute);
            }
        }
        Expr::Await(await_) => loop600_wrong_loop_library::check_await(checker, await_),
        Expr::YieldFrom(yield_from) => {
            loop501_removed_asyncio_api::check_yield_from(checker, yield_from);
        }
        _ => {}
    }
}

/// Called for every call, with its callee resolved through the imports.
pub(crate) fn on_call(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    async300_create_task_no_reference::check_call(checker, call, qualified);
    async115_async_zero_sleep::check(checker, call, qualified);
    async116_long_sleep_not_forever::check(checker, call, qualified);
    async125_constant_absolute_deadline::check(checker, call, qualified);
    async401_pytest_raises_exception_group::check(checker, call, qualified);
    loop402_private_trio_internals::check_call(checker, call, qualified);
    loop501_removed_asyncio_api::check_call(checker, call, qualified);
    loop502_get_event_loop_in_coroutine::check_call(checker, call, qualified);
}

/// Called for `await`, `async for`, `async with` and async comprehension generators.
pub(crate) fn on_await_like(_checker: &mut Checker, _range: TextRange, _what: &'static str) {}
