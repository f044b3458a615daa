//! The rule catalogue: one file per rule. Each file declares its rule with [`rule!`],
//! whose doc comment is the rule's user documentation (`asyncell rule CODE`,
//! `docs/rules/CODE.md`), and exports the hooks the checker calls.

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::TextRange;

use super::checker::Checker;
use super::diagnostic::{Applicability, Severity};

/// Whether a rule can offer a fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixAvailability {
    Always,
    Sometimes,
    None,
}

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    /// The library the rule is about, for the rule index.
    pub library: &'static str,
    pub default_enabled: bool,
    pub severity: Severity,
    pub fix: FixAvailability,
    /// The applicabilities its fixes carry: one for most rules, none for a rule without
    /// fixes. Its doc's "Fix safety" section names exactly these (a test checks).
    pub fix_safety: &'static [Applicability],
    /// Markdown, from the rule's doc comment.
    pub doc: &'static str,
}

impl RuleMeta {
    /// The doc comment with rustdoc's leading space removed from each line.
    pub fn documentation(&self) -> String {
        self.doc
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }

    /// The rule's documentation page under a user-configured base (`rule-url-base`):
    /// `{code}` in the base is replaced by the code (`.../docs/rules/{code}.md`), else the
    /// code is appended, after a `/` when the base has none. There is no default: asyncell
    /// has no rule pages online, and a link must lead somewhere.
    pub fn url_under(&self, base: &str) -> String {
        if base.contains("{code}") {
            base.replace("{code}", self.code)
        } else if base.ends_with('/') {
            format!("{base}{}", self.code)
        } else {
            format!("{base}/{}", self.code)
        }
    }
}

/// Declares a rule: its metadata as `META` (the doc comment becomes [`RuleMeta::doc`], so
/// the code and the user documentation cannot drift apart) and its [`Rule`] as `RULE`,
/// which `register_rules!` below must list (it does not build otherwise).
macro_rules! rule {
    (
        $(#[doc = $doc:literal])*
        $code:literal $name:literal {
            library: $library:literal,
            default: $default:literal,
            severity: $severity:ident,
            fix: $fix:ident $(($($safety:ident)|+))? $(,)?
        }
    ) => {
        pub const META: $crate::analysis::rules::RuleMeta = $crate::analysis::rules::RuleMeta {
            code: $code,
            name: $name,
            library: $library,
            default_enabled: $default,
            severity: $crate::analysis::diagnostic::Severity::$severity,
            fix: $crate::analysis::rules::FixAvailability::$fix,
            fix_safety: &[$($($crate::analysis::diagnostic::Applicability::$safety),+)?],
            doc: concat!($($doc, "\n"),*),
        };

        /// This file's rule.
        pub const RULE: $crate::analysis::rules::Rule =
            $crate::analysis::rules::Rule::registered($code);
    };
}

mod registry;

pub use registry::RuleSet;

pub mod apis;
pub mod async105_trio_sync_call;
pub mod blocking;
pub mod cancellation;
pub mod checkpoints;
pub(crate) mod common;
pub mod e998_not_analysed;
pub mod e999_syntax_error;
pub mod library;
pub(crate) mod literal_range;
pub mod loop100_top_level_await_in_script;
pub mod loop101_await_outside_async_function;
pub mod loop102_unsupported_magic;
pub mod loop200_nested_loop_run;
pub mod loop201_nest_asyncio_patch;
pub mod loop300_unawaited_coroutine;
pub mod loop301_trio_call_outside_run;
pub mod loop302_from_thread_on_loop_thread;
pub mod loop303_coroutine_function_mixup;

// The one registration point: every rule, in code order, with the module that declares
// it. A test (`registry::tests`) fails when a `rule!` file is missing here.
registry::register_rules! {
    Async100 => checkpoints::async100_cancel_scope_no_checkpoint,
    Async101 => cancellation::async101_yield_in_cancel_scope,
    Async102 => cancellation::async102_await_in_finally_or_cancelled,
    Async103 => cancellation::async103_cancellation_not_reraised,
    Async104 => cancellation::async104_cancellation_swallowed,
    Async105 => async105_trio_sync_call,
    Async106 => library::async106_bad_async_library_import,
    Async109 => library::async109_async_function_with_timeout,
    Async110 => cancellation::async110_busy_wait,
    Async111 => cancellation::async111_variable_outlived_by_task,
    Async112 => cancellation::async112_useless_nursery,
    Async113 => cancellation::async113_start_soon_in_aenter,
    Async114 => cancellation::async114_startable_not_configured,
    Async115 => library::async115_async_zero_sleep,
    Async116 => library::async116_long_sleep_not_forever,
    Async118 => library::async118_cancelled_class_saved,
    Async119 => cancellation::async119_yield_in_cm_in_async_generator,
    Async120 => cancellation::async120_await_in_except,
    Async121 => cancellation::async121_control_flow_in_task_group,
    Async122 => cancellation::async122_delayed_cancel_scope_entry,
    Async123 => library::async123_bad_exception_group_flattening,
    Async124 => checkpoints::async124_async_function_could_be_sync,
    Async125 => library::async125_constant_absolute_deadline,
    Async126 => library::async126_exception_group_missing_derive,
    Async127 => library::async127_unmaintained_httpx,
    Async128 => cancellation::async128_task_status_never_started,
    Async200 => blocking::async200_blocking_configured_call,
    Async210 => blocking::async210_blocking_http_call,
    Async211 => blocking::async211_blocking_http_call_pool,
    Async212 => blocking::async212_blocking_http_call_httpx,
    Async220 => blocking::async220_create_subprocess,
    Async221 => blocking::async221_run_process,
    Async222 => blocking::async222_wait_process,
    Async230 => blocking::async230_blocking_open_call,
    Async231 => blocking::async231_blocking_fdopen,
    Async232 => blocking::async232_blocking_file_call,
    Async240 => blocking::async240_blocking_path_call,
    Async250 => blocking::async250_blocking_input,
    Async251 => blocking::async251_blocking_sleep,
    Async300 => library::async300_create_task_no_reference,
    Async400 => library::async400_exception_group_invalid_attribute,
    Async401 => library::async401_pytest_raises_exception_group,
    Async900 => checkpoints::async900_unsafe_async_generator,
    Async910 => checkpoints::async910_async_function_no_checkpoint,
    Async911 => checkpoints::async911_async_generator_no_checkpoint,
    Async912 => checkpoints::async912_cancel_scope_no_guaranteed_checkpoint,
    Async913 => checkpoints::async913_indefinite_loop_no_checkpoint,
    E998 => e998_not_analysed,
    E999 => e999_syntax_error,
    Loop100 => loop100_top_level_await_in_script,
    Loop101 => loop101_await_outside_async_function,
    Loop102 => loop102_unsupported_magic,
    Loop200 => loop200_nested_loop_run,
    Loop201 => loop201_nest_asyncio_patch,
    Loop300 => loop300_unawaited_coroutine,
    Loop301 => loop301_trio_call_outside_run,
    Loop302 => loop302_from_thread_on_loop_thread,
    Loop303 => loop303_coroutine_function_mixup,
    Loop400 => blocking::loop400_blocking_call_stalls_background,
    Loop402 => library::loop402_private_trio_internals,
    Loop403 => blocking::loop403_cell_waits_on_nursery,
    Loop404 => blocking::loop404_state_across_trio_runs,
    Loop500 => library::loop500_removed_trio_api,
    Loop501 => library::loop501_removed_asyncio_api,
    Loop502 => library::loop502_get_event_loop_in_coroutine,
    Loop600 => library::loop600_wrong_loop_library,
}

/// Called for every statement before its children.
pub(crate) fn on_stmt(checker: &mut Checker, stmt: &Stmt) {
    match stmt {
        Stmt::Expr(statement) => {
            loop300_unawaited_coroutine::check_expression_statement(checker, &statement.value);
        }
        Stmt::IpyEscapeCommand(_) => loop102_unsupported_magic::check_stmt(checker, stmt),
        Stmt::Return(_) => e999_syntax_error::check_return(checker, stmt),
        _ => {}
    }
    blocking::on_stmt(checker, stmt);
    cancellation::on_stmt(checker, stmt);
    checkpoints::on_stmt(checker, stmt);
    library::on_stmt(checker, stmt);
}

/// Called for every expression before its children.
pub(crate) fn on_expr(checker: &mut Checker, expr: &Expr) {
    if let Expr::Call(call) = expr {
        // Resolved once here for every rule: resolving allocates, and calls are the
        // commonest node the rules look at.
        let qualified = checker.qualified_name(&call.func);
        let qualified = qualified.as_deref();
        async105_trio_sync_call::check_call(checker, call, qualified);
        loop200_nested_loop_run::check_call(checker, call, qualified);
        loop201_nest_asyncio_patch::check_call(checker, call, qualified);
        loop301_trio_call_outside_run::check_call(checker, call, qualified);
        loop302_from_thread_on_loop_thread::check_call(checker, call, qualified);
        loop303_coroutine_function_mixup::check_call(checker, call, qualified);
        blocking::on_call(checker, call, qualified);
        cancellation::on_call(checker, call, qualified);
        library::on_call(checker, call, qualified);
    } else if let Expr::IpyEscapeCommand(_) = expr {
        loop102_unsupported_magic::check_expr(checker, expr);
    }
    blocking::on_expr(checker, expr);
    cancellation::on_expr(checker, expr);
    checkpoints::on_expr(checker, expr);
    library::on_expr(checker, expr);
}

/// Called for `await`, `async for`, `async with` and async comprehension generators.
pub(crate) fn on_await_like(checker: &mut Checker, range: TextRange, what: &'static str) {
    loop100_top_level_await_in_script::check(checker, range, what);
    loop101_await_outside_async_function::check(checker, range, what);
    blocking::on_await_like(checker, range, what);
    cancellation::on_await_like(checker, range, what);
    checkpoints::on_await_like(checker, range, what);
    library::on_await_like(checker, range, what);
}
