//! Version and feature guards: whether the code at a node runs only on some Python
//! versions (`if sys.version_info >= (3, 11):`, its `else`, a module-level flag such as
//! `PY311 = sys.version_info >= (3, 11)`), or only where a feature exists or fails
//! (`try: ... except (ImportError, AttributeError):`, `if hasattr(asyncio, "coroutine"):`).
//!
//! Rules about removed or renamed APIs ask [`guard_at`] and report only code that can
//! run where the API is gone: compatibility shims are what libraries are made of.

use ruff_python_ast::{self as ast, CmpOp, Expr, Number, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange};

use crate::analysis::checker::Checker;

/// No upper bound on a Python 3 minor version.
const OPEN: u32 = u32::MAX;
/// How deep flag definitions (`A = B and C`, `B = sys.version_info >= ...`) are followed.
const FLAG_DEPTH: u32 = 4;

/// What the guards around a node say about where it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Guard {
    /// The Python 3 minor versions the node runs on: `[low, high)`.
    pub low: u32,
    pub high: u32,
    /// Behind a feature test (a `try` catching one of the given exceptions, `hasattr`, a
    /// library version check, a flag whose definition cannot be read).
    pub feature: bool,
}

impl Guard {
    /// Whether nothing guards the node.
    pub fn is_none(self) -> bool {
        !self.feature && self.low == 0 && self.high == OPEN
    }

    /// Whether the node can run on a Python 3.`minor` or later that the project
    /// supports (`target`, the oldest it supports), and is not behind a feature test.
    pub fn runs_from(self, minor: u32, target: u32) -> bool {
        !self.feature && self.low.max(minor).max(target) < self.high
    }
}

/// A condition's meaning, as far as guards go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Condition {
    /// True exactly on Python 3 minors `[low, high)`.
    Versions(u32, u32),
    /// A feature or library-version test: its outcome is unknown here.
    Feature,
    /// Says nothing about versions or features.
    Unrelated,
}

impl Condition {
    fn not(self) -> Condition {
        match self {
            Condition::Versions(0, OPEN) => Condition::Versions(OPEN, OPEN),
            Condition::Versions(0, high) => Condition::Versions(high, OPEN),
            Condition::Versions(low, OPEN) => Condition::Versions(0, low),
            Condition::Versions(..) => Condition::Feature,
            other => other,
        }
    }

    fn and(self, other: Condition) -> Condition {
        match (self, other) {
            (Condition::Versions(a, b), Condition::Versions(c, d)) => {
                Condition::Versions(a.max(c), b.min(d))
            }
            (Condition::Feature, _) | (_, Condition::Feature) => Condition::Feature,
            (Condition::Unrelated, other) | (other, Condition::Unrelated) => other,
        }
    }

    fn or(self, other: Condition) -> Condition {
        match (self, other) {
            (Condition::Versions(a, b), Condition::Versions(c, d)) => {
                Condition::Versions(a.min(c), b.max(d))
            }
            (Condition::Unrelated, Condition::Unrelated) => Condition::Unrelated,
            // `PY311 or hasattr(...)`, `PY311 or debug`: no longer a clean range.
            _ => Condition::Feature,
        }
    }
}

/// The guards around `range` (a node inside the statement being visited). `catches`
/// names the exceptions whose handler makes a `try` a feature guard for the caller's
/// API (`ImportError`, `AttributeError`, ...); a bare `except:` counts too.
pub(crate) fn guard_at(checker: &Checker, range: TextRange, catches: &[&str]) -> Guard {
    let mut guard = Guard {
        low: 0,
        high: OPEN,
        feature: false,
    };
    let mut apply = |condition: Condition| match condition {
        Condition::Versions(low, high) => {
            guard.low = guard.low.max(low);
            guard.high = guard.high.min(high);
        }
        Condition::Feature => guard.feature = true,
        Condition::Unrelated => {}
    };
    for stmt in checker.enclosing_stmts() {
        match stmt {
            Stmt::If(if_) if if_.range().contains_range(range) => {
                apply(branch_condition(checker, if_, range));
            }
            Stmt::Try(try_) => {
                let guarded_part = try_.body.iter().any(|s| s.range().contains_range(range))
                    || try_
                        .handlers
                        .iter()
                        .any(|h| h.range().contains_range(range));
                if guarded_part && try_.handlers.iter().any(|h| catches_any(h, catches)) {
                    apply(Condition::Feature);
                }
            }
            _ => {}
        }
    }
    guard
}

/// The condition under which the branch of `if_` holding `range` runs.
fn branch_condition(checker: &Checker, if_: &ast::StmtIf, range: TextRange) -> Condition {
    let mut before = Condition::Versions(0, OPEN);
    let test = condition(checker, &if_.test, FLAG_DEPTH);
    if if_.body.iter().any(|s| s.range().contains_range(range)) {
        return test;
    }
    if if_.test.range().contains_range(range) {
        return Condition::Unrelated;
    }
    before = before.and(test.not());
    for clause in &if_.elif_else_clauses {
        let test = clause
            .test
            .as_ref()
            .map(|test| condition(checker, test, FLAG_DEPTH));
        if clause.range().contains_range(range) {
            if clause
                .test
                .as_ref()
                .is_some_and(|t| t.range().contains_range(range))
            {
                return normalize(before);
            }
            return normalize(match test {
                Some(test) => before.and(test),
                None => before,
            });
        }
        if let Some(test) = test {
            before = before.and(test.not());
        }
    }
    Condition::Unrelated
}

/// A range that says nothing (every version) reads as unrelated.
fn normalize(condition: Condition) -> Condition {
    match condition {
        Condition::Versions(0, OPEN) => Condition::Unrelated,
        other => other,
    }
}

fn catches_any(handler: &ast::ExceptHandler, catches: &[&str]) -> bool {
    let ast::ExceptHandler::ExceptHandler(handler) = handler;
    let Some(type_) = handler.type_.as_deref() else {
        return true;
    };
    let named = |expr: &Expr| {
        let name = match expr {
            Expr::Name(name) => name.id.as_str(),
            Expr::Attribute(attribute) => attribute.attr.id.as_str(),
            _ => return false,
        };
        catches.contains(&name)
    };
    match type_ {
        Expr::Tuple(tuple) => tuple.elts.iter().any(named),
        other => named(other),
    }
}

/// What a test expression says.
fn condition(checker: &Checker, test: &Expr, depth: u32) -> Condition {
    match test {
        Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => {
            condition(checker, &unary.operand, depth).not()
        }
        Expr::BoolOp(bool_op) => {
            let mut parts = bool_op
                .values
                .iter()
                .map(|value| condition(checker, value, depth));
            let first = parts.next().unwrap_or(Condition::Unrelated);
            match bool_op.op {
                ast::BoolOp::And => parts.fold(first, Condition::and),
                ast::BoolOp::Or => parts.fold(first, Condition::or),
            }
        }
        Expr::Compare(compare) => compare_condition(checker, compare),
        Expr::Call(call) => {
            let callee = checker.qualified_name(&call.func);
            if matches!(callee.as_deref(), Some("hasattr" | "callable" | "getattr")) {
                Condition::Feature
            } else if mentions_version(checker, test) {
                Condition::Feature
            } else {
                Condition::Unrelated
            }
        }
        Expr::Name(name) => flag(checker, name.id.as_str(), depth),
        Expr::Attribute(_) if mentions_version(checker, test) => Condition::Feature,
        _ => Condition::Unrelated,
    }
}

/// A module-level flag: what its definition says, or a feature test for a name that
/// reads like a version flag (`PY311`, `IS_PY_3_12`) defined where this file cannot see.
fn flag(checker: &Checker, name: &str, depth: u32) -> Condition {
    if name == "TYPE_CHECKING" {
        return Condition::Unrelated;
    }
    if depth > 0 {
        if let Some(value) = flag_definition(checker, name) {
            return condition(checker, value, depth - 1);
        }
    }
    if looks_like_version_flag(name) {
        Condition::Feature
    } else {
        Condition::Unrelated
    }
}

/// The value of the module-level assignment `name = value` (or `name: T = value`), when
/// the unit makes exactly one.
fn flag_definition<'a>(checker: &Checker<'a>, name: &str) -> Option<&'a Expr> {
    let mut found = None;
    for stmt in &checker.unit.parsed.syntax().body {
        let (targets, value): (&[Expr], &Expr) = match stmt {
            Stmt::Assign(assign) => (&assign.targets, &assign.value),
            Stmt::AnnAssign(ast::StmtAnnAssign {
                target,
                value: Some(value),
                ..
            }) => (std::slice::from_ref(target), value),
            _ => continue,
        };
        if targets
            .iter()
            .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == name))
        {
            if found.is_some() {
                return None;
            }
            found = Some(value);
        }
    }
    found
}

/// `PY311`, `PY_311`, `PY3_11`, `IS_PY312`, `PYTHON_3_12_PLUS`: an upper-case name that
/// starts with a Python marker and holds a digit.
fn looks_like_version_flag(name: &str) -> bool {
    let stripped = name.trim_start_matches('_');
    let stripped = stripped.strip_prefix("IS_").unwrap_or(stripped);
    stripped.starts_with("PY")
        && stripped.bytes().any(|b| b.is_ascii_digit())
        && !stripped.bytes().any(|b| b.is_ascii_lowercase())
}

/// `sys.version_info >= (3, 11)` and its spellings (`sys.version_info[:2]`, the tuple on
/// the left); a comparison of any other version (`trio.__version__`, a tuple literal
/// against something unknown) is a feature test.
fn compare_condition(checker: &Checker, compare: &ast::ExprCompare) -> Condition {
    let ([op], [right]) = (&compare.ops[..], &compare.comparators[..]) else {
        return if mentions_version(checker, &compare.left) {
            Condition::Feature
        } else {
            Condition::Unrelated
        };
    };
    let left = &*compare.left;
    let (op, minor) = if is_version_info(checker, left) {
        match minor_of(right) {
            Some(minor) => (*op, minor),
            None => return Condition::Feature,
        }
    } else if is_version_info(checker, right) {
        let Some(minor) = minor_of(left) else {
            return Condition::Feature;
        };
        let flipped = match op {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::LtE => CmpOp::GtE,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::GtE => CmpOp::LtE,
            other => *other,
        };
        (flipped, minor)
    } else if mentions_version(checker, left)
        || mentions_version(checker, right)
        || is_version_tuple(left)
        || is_version_tuple(right)
    {
        return Condition::Feature;
    } else {
        return Condition::Unrelated;
    };
    // `(3, 11, 0, "final", 0) > (3, 11)`: against a two-element tuple, `>` and `>=` agree,
    // as do `<` and `<=`.
    match op {
        CmpOp::GtE | CmpOp::Gt => Condition::Versions(minor, OPEN),
        CmpOp::Lt | CmpOp::LtE => Condition::Versions(0, minor),
        _ => Condition::Feature,
    }
}

/// `sys.version_info`, `sys.version_info[:2]`, `version_info` imported from `sys`.
fn is_version_info(checker: &Checker, expr: &Expr) -> bool {
    match expr {
        Expr::Subscript(subscript) => is_version_info(checker, &subscript.value),
        _ => checker.qualified_name(expr).as_deref() == Some("sys.version_info"),
    }
}

/// The minor version in `(3, N)` / `(3, N, M)`.
fn minor_of(expr: &Expr) -> Option<u32> {
    let Expr::Tuple(tuple) = expr else {
        return None;
    };
    let mut ints = tuple.elts.iter().map(|e| match e {
        Expr::NumberLiteral(ast::ExprNumberLiteral {
            value: Number::Int(int),
            ..
        }) => int.as_u16().map(u32::from),
        _ => None,
    });
    match (ints.next()?, ints.next()) {
        (Some(3), Some(Some(minor))) => Some(minor),
        (Some(3), None) => Some(0),
        _ => None,
    }
}

fn is_version_tuple(expr: &Expr) -> bool {
    matches!(expr, Expr::Tuple(tuple) if !tuple.elts.is_empty()
        && tuple.elts.iter().all(|e| matches!(e, Expr::NumberLiteral(_))))
}

/// Whether an expression reads a version: `sys.version_info`, `__version__`,
/// `version("trio")`, `platform.python_version()`, ...
fn mentions_version(checker: &Checker, expr: &Expr) -> bool {
    crate::analysis::depth::guarded(|| match expr {
        Expr::Name(name) => name.id.as_str().to_ascii_lowercase().contains("version"),
        Expr::Attribute(attribute) => {
            attribute.attr.id.as_str().contains("version")
                || mentions_version(checker, &attribute.value)
        }
        Expr::Call(call) => {
            mentions_version(checker, &call.func)
                || call
                    .arguments
                    .args
                    .iter()
                    .any(|a| mentions_version(checker, a))
        }
        Expr::Subscript(subscript) => mentions_version(checker, &subscript.value),
        Expr::Tuple(tuple) => tuple.elts.iter().any(|e| mentions_version(checker, e)),
        _ => false,
    })
}
