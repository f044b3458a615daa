//! The rule catalogue: one file per rule. Each file declares its rule with [`rule!`],
//! whose doc comment is the rule's user documentation (`asyncell rule CODE`,
//! `docs/rules/CODE.md`), and exports the hooks the checker calls.

use std::sync::LazyLock;

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::TextRange;
use rustc_hash::FxHashSet;

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

/// Declares a rule. The doc comment becomes [`RuleMeta::doc`], so the code and the user
/// documentation cannot drift apart.
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
        pub const RULE: $crate::analysis::rules::RuleMeta = $crate::analysis::rules::RuleMeta {
            code: $code,
            name: $name,
            library: $library,
            default_enabled: $default,
            severity: $crate::analysis::diagnostic::Severity::$severity,
            fix: $crate::analysis::rules::FixAvailability::$fix,
            fix_safety: &[$($($crate::analysis::diagnostic::Applicability::$safety),+)?],
            doc: concat!($($doc, "\n"),*),
        };
    };
}

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

/// Every rule, in code order.
pub static ALL: LazyLock<Vec<&'static RuleMeta>> = LazyLock::new(|| {
    let mut all: Vec<&'static RuleMeta> = CORE
        .iter()
        .chain(blocking::RULES)
        .chain(cancellation::RULES)
        .chain(checkpoints::RULES)
        .chain(library::RULES)
        .copied()
        .collect();
    all.sort_by_key(|rule| rule.code);
    all
});

/// The rules at the top of this directory: the first catalogue, about where code runs.
static CORE: &[&RuleMeta] = &[
    &async105_trio_sync_call::RULE,
    &e998_not_analysed::RULE,
    &e999_syntax_error::RULE,
    &loop100_top_level_await_in_script::RULE,
    &loop101_await_outside_async_function::RULE,
    &loop102_unsupported_magic::RULE,
    &loop200_nested_loop_run::RULE,
    &loop201_nest_asyncio_patch::RULE,
    &loop300_unawaited_coroutine::RULE,
    &loop301_trio_call_outside_run::RULE,
    &loop302_from_thread_on_loop_thread::RULE,
    &loop303_coroutine_function_mixup::RULE,
];

/// The rules enabled for one check. Rules ask before doing any work, on nearly every
/// node, so membership is one multiply and one probe: a code (at most 8 ASCII bytes,
/// checked by a test) is packed into a `u64` rather than hashed as a string.
#[derive(Debug, Default)]
pub struct EnabledRules {
    codes: FxHashSet<u64>,
}

impl EnabledRules {
    pub fn new<'r>(rules: impl IntoIterator<Item = &'r RuleMeta>) -> Self {
        EnabledRules {
            codes: rules.into_iter().map(|rule| packed(rule.code)).collect(),
        }
    }

    pub fn contains(&self, rule: &RuleMeta) -> bool {
        self.codes.contains(&packed(rule.code))
    }
}

fn packed(code: &str) -> u64 {
    let mut bytes = [0u8; 8];
    let len = code.len().min(8);
    bytes[..len].copy_from_slice(&code.as_bytes()[..len]);
    // Big-endian, so that the last characters (where codes differ: ASYNC105, ASYNC110)
    // land in the low bits, which a multiplicative hash spreads over the whole word.
    // Little-endian put them in the top byte, and every ASYNC code shared a bucket.
    u64::from_be_bytes(bytes)
}

pub fn find(code: &str) -> Option<&'static RuleMeta> {
    ALL.iter()
        .copied()
        .find(|rule| rule.code.eq_ignore_ascii_case(code) || rule.name == code)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_packs_into_its_own_key() {
        let mut keys = FxHashSet::default();
        for rule in ALL.iter() {
            assert!(rule.code.len() <= 8, "{} is longer than 8 bytes", rule.code);
            assert!(keys.insert(packed(rule.code)), "{} shares a key", rule.code);
        }
    }

    #[test]
    fn enabled_rules_hold_exactly_the_rules_given() {
        let enabled = EnabledRules::new([&loop200_nested_loop_run::RULE]);
        assert!(enabled.contains(&loop200_nested_loop_run::RULE));
        assert!(!enabled.contains(&loop201_nest_asyncio_patch::RULE));
    }
}
