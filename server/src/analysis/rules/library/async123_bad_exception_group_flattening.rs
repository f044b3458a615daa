//! Raising one exception out of an exception group.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashSet;

use crate::analysis::checker::Checker;
use crate::analysis::depth::guarded;

rule! {
    /// ## What it does
    /// Flags `raise` of an exception taken out of an exception group in its handler:
    /// `raise eg.exceptions[0]`, or a variable holding one (`exc = eg.exceptions[0]`,
    /// `for exc in eg.exceptions: raise exc`), including from `eg.subgroup(...)` and
    /// `eg.split(...)`. Handlers of `except*` and of `except ExceptionGroup` /
    /// `except BaseExceptionGroup` are checked.
    ///
    /// ## Why is this bad?
    /// The inner exception is raised as if it were new: its `__context__` and
    /// `__cause__` are overwritten with the group, and its traceback no longer shows
    /// where the group was raised (the nursery or task group). Debugging a failure
    /// unwrapped this way starts from the wrong place.
    ///
    /// ## Example
    /// ```python
    /// try:
    ///     run()
    /// except* ValueError as eg:
    ///     raise eg.exceptions[0]
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// try:
    ///     run()
    /// except* ValueError as eg:
    ///     raise ValueError("run failed") from eg
    /// ```
    ///
    /// ## Fix safety
    /// No fix: what to raise instead is a design decision.
    "ASYNC123" "bad-exception-group-flattening" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check(checker: &mut Checker, try_: &ast::StmtTry) {
    if !checker.enabled(RULE) {
        return;
    }
    let mut found = Vec::new();
    for handler in &try_.handlers {
        let ast::ExceptHandler::ExceptHandler(handler) = handler;
        let Some(name) = &handler.name else { continue };
        let group_handler = try_.is_star
            || handler
                .type_
                .as_deref()
                .is_some_and(|t| checker.source(t.range()).contains("ExceptionGroup"));
        if !group_handler {
            continue;
        }
        let mut tracker = Tracker {
            groups: FxHashSet::default(),
            lists: FxHashSet::default(),
            children: FxHashSet::default(),
            found: Vec::new(),
        };
        tracker.groups.insert(name.id.to_string());
        tracker.visit_body(&handler.body);
        found.extend(tracker.found);
    }
    for range in found {
        checker.report(
            RULE,
            range,
            "raising an exception taken out of the group replaces its context, cause and \
             traceback: raise a new exception `from` the group, or re-raise the group",
            None,
        );
    }
}

/// Follows, in order, the names that hold the group, its `exceptions` list and one of
/// its children.
struct Tracker {
    groups: FxHashSet<String>,
    lists: FxHashSet<String>,
    children: FxHashSet<String>,
    found: Vec<TextRange>,
}

impl Tracker {
    fn is_group(&self, expr: &Expr) -> bool {
        guarded(|| {
            match expr {
                Expr::Name(name) => self.groups.contains(name.id.as_str()),
                Expr::Call(call) => match call.func.as_ref() {
                    Expr::Attribute(attribute) => {
                        matches!(attribute.attr.id.as_str(), "subgroup" | "split")
                            && self.is_group(&attribute.value)
                    }
                    _ => false,
                },
                // A child may itself be a group.
                other => self.is_child(other),
            }
        })
    }

    fn is_list(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Name(name) => self.lists.contains(name.id.as_str()),
            Expr::Attribute(attribute) => {
                attribute.attr.id.as_str() == "exceptions" && self.is_group(&attribute.value)
            }
            _ => false,
        }
    }

    fn is_child(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Name(name) => self.children.contains(name.id.as_str()),
            Expr::Subscript(subscript) => self.is_list(&subscript.value),
            _ => false,
        }
    }

    fn assign(&mut self, targets: &[Expr], value: &Expr) {
        let single = match targets {
            [Expr::Name(name)] => Some(name.id.to_string()),
            _ => None,
        };
        if self.is_child(value) {
            self.children.extend(single);
        } else if self.is_list(value) {
            self.lists.extend(single);
        } else if self.is_group(value) {
            for target in targets {
                match target {
                    Expr::Name(name) => {
                        self.groups.insert(name.id.to_string());
                    }
                    Expr::Tuple(tuple) => {
                        for element in &tuple.elts {
                            if let Expr::Name(name) = element {
                                self.groups.insert(name.id.to_string());
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

impl<'a> Visitor<'a> for Tracker {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        guarded(|| {
            match stmt {
                Stmt::Raise(raise) => {
                    if let Some(exc) = raise.exc.as_deref() {
                        if self.is_child(exc) {
                            self.found.push(stmt.range());
                        }
                    }
                }
                Stmt::Assign(assign) => self.assign(&assign.targets, &assign.value),
                Stmt::AnnAssign(ast::StmtAnnAssign {
                    target,
                    value: Some(value),
                    ..
                }) => self.assign(std::slice::from_ref(target), value),
                Stmt::For(for_) => {
                    if let Expr::Name(name) = for_.target.as_ref() {
                        if self.is_list(&for_.iter) {
                            self.children.insert(name.id.to_string());
                        }
                    }
                }
                // A nested `try`'s handlers are checked on their own when it is visited:
                // walk only its other blocks here.
                Stmt::Try(try_) => {
                    self.visit_body(&try_.body);
                    self.visit_body(&try_.orelse);
                    self.visit_body(&try_.finalbody);
                    return;
                }
                _ => {}
            }
            visitor::walk_stmt(self, stmt);
        });
    }

    // Only statements matter here, and expressions and patterns hold none.
    fn visit_expr(&mut self, _expr: &'a Expr) {}

    fn visit_pattern(&mut self, _pattern: &'a ruff_python_ast::Pattern) {}
}
