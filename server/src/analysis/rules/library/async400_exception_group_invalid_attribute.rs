//! `e.errno` on the group an `except*` handler binds.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::analysis::checker::Checker;
use crate::analysis::depth::{guarded, guarded_nested_visits};

rule! {
    /// ## What it does
    /// Flags attribute access on the variable an `except*` handler binds, other than
    /// the attributes an exception group has (`exceptions`, `message`, `subgroup`,
    /// `split`, `derive`, `args`, `with_traceback`, `add_note` and dunders).
    ///
    /// ## Why is this bad?
    /// In `except* OSError as e`, `e` is always an `ExceptionGroup` of `OSError`s,
    /// never the `OSError` itself, even when only one was raised. `e.errno` raises
    /// `AttributeError` inside the handler, replacing the error being handled with a
    /// new one. Code ported from `except` to `except*` (or from a trio `MultiError`
    /// that collapsed single errors) hits this.
    ///
    /// ## Example
    /// ```python
    /// try:
    ///     connect()
    /// except* OSError as e:
    ///     print(e.errno)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// try:
    ///     connect()
    /// except* OSError as e:
    ///     for error in e.exceptions:
    ///         print(error.errno)
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the group may hold several exceptions.
    "ASYNC400" "exception-group-invalid-attribute" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Error,
        fix: None,
    }
}

/// What an exception group has: its own API, `BaseException`'s, and an attribute of the
/// `exceptiongroup` backport.
const GROUP_ATTRIBUTES: &[&str] = &[
    "message",
    "exceptions",
    "subgroup",
    "split",
    "derive",
    "args",
    "with_traceback",
    "add_note",
    "_is_protocol",
];

pub(crate) fn check(checker: &mut Checker, try_: &ast::StmtTry) {
    if !checker.enabled(RULE) || !try_.is_star {
        return;
    }
    let mut found = Vec::new();
    for handler in &try_.handlers {
        let ast::ExceptHandler::ExceptHandler(handler) = handler;
        let Some(name) = &handler.name else { continue };
        let mut finder = Finder {
            name: name.id.as_str(),
            live: true,
            found: Vec::new(),
        };
        finder.visit_body(&handler.body);
        found.extend(finder.found);
    }
    for (range, attribute) in found {
        checker.report(
            RULE,
            range,
            format!(
                "`except*` binds an ExceptionGroup, not the exception: `.{attribute}` raises \
                 AttributeError; look through `.exceptions` instead"
            ),
            None,
        );
    }
}

struct Finder<'n> {
    name: &'n str,
    /// Whether the name still holds the group: cleared once it is reassigned.
    live: bool,
    found: Vec<(TextRange, String)>,
}

impl Finder<'_> {
    fn clear_in(&mut self, target: &Expr) {
        let mut names = NameFinder {
            name: self.name,
            found: false,
        };
        names.visit_expr(target);
        if names.found {
            self.live = false;
        }
    }
}

impl<'a> Visitor<'a> for Finder<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        guarded(|| {
            match stmt {
                // Functions and classes have their own scopes.
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                Stmt::Assign(assign) => {
                    for target in &assign.targets {
                        self.clear_in(target);
                    }
                }
                Stmt::AnnAssign(assign) => {
                    if matches!(assign.target.as_ref(), Expr::Name(n) if n.id.as_str() == self.name)
                    {
                        self.live = false;
                    }
                }
                Stmt::With(with) => {
                    for item in &with.items {
                        if let Some(vars) = item.optional_vars.as_deref() {
                            self.clear_in(vars);
                        }
                    }
                }
                _ => {}
            }
            visitor::walk_stmt(self, stmt);
        });
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        guarded(|| {
            match expr {
                Expr::Lambda(_) => return,
                Expr::Attribute(attribute) if self.live => {
                    if let Expr::Name(name) = attribute.value.as_ref() {
                        let attr = attribute.attr.id.as_str();
                        let dunder = attr.starts_with("__") && attr.ends_with("__");
                        if name.id.as_str() == self.name
                            && !dunder
                            && !GROUP_ATTRIBUTES.contains(&attr)
                        {
                            self.found.push((attribute.range(), attr.to_string()));
                        }
                    }
                }
                _ => {}
            }
            visitor::walk_expr(self, expr);
        });
    }

    guarded_nested_visits!('a);
}

struct NameFinder<'n> {
    name: &'n str,
    found: bool,
}

impl<'a> Visitor<'a> for NameFinder<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        guarded(|| {
            if let Expr::Name(name) = expr {
                self.found |= name.id.as_str() == self.name;
            }
            visitor::walk_expr(self, expr);
        });
    }

    guarded_nested_visits!('a);
}
