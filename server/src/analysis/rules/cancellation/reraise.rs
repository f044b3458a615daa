//! Whether every path through a handler that caught cancellation re-raises it
//! (ASYNC103), and which statements leave it some other way (ASYNC104). The analysis
//! follows flake8-async's: an `if` covers when both branches raise, a loop when its body
//! surely runs and raises, a `try` only through its `finally`.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, ExceptHandler, Expr, Number, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::async103_cancellation_not_reraised as async103;
use super::async104_cancellation_swallowed as async104;
use super::handlers::catches_cancellation;
use crate::analysis::checker::Checker;
use crate::analysis::depth::{guarded, guarded_nested_visits};
use crate::analysis::rules::literal_range::literal_range_is_non_empty;

/// How a handler is left without re-raising what it caught.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    Return,
    Yield,
    Break,
    Continue,
    /// `raise` of another exception.
    RaiseOther,
}

impl Exit {
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            Exit::Return => "return",
            Exit::Yield => "yield",
            Exit::Break => "break",
            Exit::Continue => "continue",
            Exit::RaiseOther => "raise",
        }
    }
}

/// Checks the handlers of one `try` statement.
pub(crate) fn check_try(checker: &mut Checker, try_: &ast::StmtTry) {
    let check_103 = checker.enabled(async103::RULE);
    let check_104 = checker.enabled(async104::RULE);
    if !check_103 && !check_104 {
        return;
    }
    // Whether an earlier handler of this `try` already took cancellation: by name, or
    // with everything else (`except BaseException:` before a bare `except:`).
    let mut caught_before = false;
    for handler in &try_.handlers {
        let ExceptHandler::ExceptHandler(handler) = handler;
        let Some(catch) = catches_cancellation(checker, handler) else {
            continue;
        };
        if !catch.is_specific() && caught_before {
            // Cancellation never reaches a catch-all after a handler that caught it.
            continue;
        }
        caught_before = true;
        let mut walker = Walker {
            checker,
            except_name: handler.name.as_ref().map(|n| n.as_str()),
            unraised: true,
            unraised_break: false,
            unraised_continue: false,
            loop_depth: 0,
            exits: Vec::new(),
        };
        walker.body(&handler.body);
        let (unraised, exits) = (walker.unraised, walker.exits);
        if check_104 {
            for (range, exit) in exits {
                async104::report(checker, range, exit, &catch);
            }
        }
        if check_103 && unraised {
            let suggestion = (!catch.is_specific()).then(|| checker.library().cancelled());
            async103::report(checker, &catch, suggestion);
        }
    }
}

struct Walker<'c, 'a> {
    checker: &'c Checker<'a>,
    except_name: Option<&'c str>,
    /// Whether some path reaching this point has not re-raised.
    unraised: bool,
    unraised_break: bool,
    unraised_continue: bool,
    /// Loops entered inside the handler: `break` there stays in the handler.
    loop_depth: u32,
    exits: Vec<(TextRange, Exit)>,
}

impl Walker<'_, '_> {
    fn body(&mut self, body: &[Stmt]) {
        for stmt in body {
            guarded(|| self.stmt(stmt));
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        // Once every path has re-raised, nothing after can swallow the exception.
        if !self.unraised {
            return;
        }
        match stmt {
            Stmt::Raise(raise) => {
                let reraises = match raise.exc.as_deref() {
                    None => true,
                    Some(Expr::Name(name)) => Some(name.id.as_str()) == self.except_name,
                    Some(_) => false,
                };
                if !reraises {
                    self.exits.push((raise.range(), Exit::RaiseOther));
                }
                self.unraised = false;
            }
            Stmt::Return(_) => self.exits.push((stmt.range(), Exit::Return)),
            Stmt::Break(_) => {
                if self.loop_depth == 0 {
                    self.exits.push((stmt.range(), Exit::Break));
                }
                self.unraised_break = true;
            }
            Stmt::Continue(_) => {
                if self.loop_depth == 0 {
                    self.exits.push((stmt.range(), Exit::Continue));
                }
                self.unraised_continue = true;
            }
            Stmt::If(if_) => self.if_chain(&if_.body, &if_.elif_else_clauses),
            Stmt::Match(match_) => {
                let mut all_raise = true;
                let mut fallback = false;
                for case in &match_.cases {
                    fallback |= case.guard.is_none() && case.pattern.is_irrefutable();
                    self.body(&case.body);
                    all_raise &= !self.unraised;
                    self.unraised = true;
                }
                self.unraised = !(all_raise && fallback);
            }
            Stmt::For(for_) => {
                let once = iterates_at_least_once(&for_.iter);
                self.looping(&for_.body, &for_.orelse, false, once);
            }
            Stmt::While(while_) => {
                let infinite = literal_truth(&while_.test) == Some(true);
                self.looping(&while_.body, &while_.orelse, infinite, infinite);
            }
            Stmt::Try(try_) => {
                // Any statement of the body may raise before the `raise`: each part is
                // on its own, and only `finally` covers every path.
                for part in [&try_.body, &try_.orelse] {
                    for inner in part.iter() {
                        guarded(|| self.stmt(inner));
                        self.unraised = true;
                    }
                }
                for handler in &try_.handlers {
                    let ExceptHandler::ExceptHandler(handler) = handler;
                    // A nested cancellation handler is checked on its own.
                    if catches_cancellation(self.checker, handler).is_none() {
                        self.body(&handler.body);
                    }
                    self.unraised = true;
                }
                self.body(&try_.finalbody);
            }
            Stmt::With(with) => self.body(&with.body),
            // A nested function or class runs elsewhere.
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            _ => {
                let mut yields = YieldFinder(Vec::new());
                yields.visit_stmt(stmt);
                for range in yields.0 {
                    self.exits.push((range, Exit::Yield));
                }
            }
        }
    }

    fn if_chain(&mut self, body: &[Stmt], clauses: &[ast::ElifElseClause]) {
        self.body(body);
        let body_raised = !self.unraised;
        self.unraised = true;
        if let Some((first, rest)) = clauses.split_first() {
            if first.test.is_none() {
                self.body(&first.body);
            } else {
                guarded(|| self.if_chain(&first.body, rest));
            }
        }
        self.unraised = !body_raised || self.unraised;
    }

    fn looping(&mut self, body: &[Stmt], orelse: &[Stmt], infinite: bool, once: bool) {
        let saved = (self.unraised_break, self.unraised_continue);
        self.unraised_break = false;
        self.unraised_continue = false;
        self.loop_depth += 1;
        self.body(body);
        self.loop_depth -= 1;
        if !(infinite || (once && !self.unraised_continue)) {
            self.unraised = true;
        }
        self.body(orelse);
        self.unraised |= self.unraised_break;
        (self.unraised_break, self.unraised_continue) = saved;
    }
}

struct YieldFinder(Vec<TextRange>);

impl<'a> Visitor<'a> for YieldFinder {
    fn visit_expr(&mut self, expr: &'a Expr) {
        guarded(|| match expr {
            Expr::Yield(_) => {
                self.0.push(expr.range());
                visitor::walk_expr(self, expr);
            }
            Expr::Lambda(_) => {}
            _ => visitor::walk_expr(self, expr),
        });
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        guarded(|| ruff_python_ast::visitor::walk_stmt(self, stmt));
    }

    guarded_nested_visits!('a);
}

/// The truth of a literal `while` condition (`True`, `1`), if it is one.
fn literal_truth(expr: &Expr) -> Option<bool> {
    match expr {
        Expr::BooleanLiteral(b) => Some(b.value),
        Expr::NumberLiteral(n) => match &n.value {
            Number::Int(i) => Some(*i != ast::Int::ZERO),
            Number::Float(f) => Some(*f != 0.0),
            Number::Complex { real, imag } => Some(*real != 0.0 || *imag != 0.0),
        },
        Expr::StringLiteral(s) => Some(!s.value.is_empty()),
        Expr::NoneLiteral(_) => Some(false),
        _ => None,
    }
}

/// Whether a `for` loop's iterable surely yields at least one item: a non-empty literal
/// display, string or bytes, or `range()` of literal integers that is not empty.
fn iterates_at_least_once(iter: &Expr) -> bool {
    guarded(|| match iter {
        Expr::List(ast::ExprList { elts, .. })
        | Expr::Tuple(ast::ExprTuple { elts, .. })
        | Expr::Set(ast::ExprSet { elts, .. }) => elts.iter().any(|element| match element {
            Expr::Starred(starred) => iterates_at_least_once(&starred.value),
            _ => true,
        }),
        Expr::StringLiteral(s) => !s.value.is_empty(),
        Expr::BytesLiteral(b) => !b.value.is_empty(),
        Expr::Dict(dict) => dict.items.iter().any(|item| match &item.key {
            Some(_) => true,
            None => iterates_at_least_once(&item.value),
        }),
        Expr::Call(call) => literal_range_is_non_empty(call).unwrap_or(false),
        _ => false,
    })
}
