//! The marks of the checkpoint walk ([`super::flow::Flow`]): where a stretch without a
//! checkpoint starts, and the small set of them the walk carries.

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

use crate::analysis::depth::{guarded, guarded_nested_visits};

/// Where an uncheckpointed stretch starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Mark {
    /// The function's start.
    Start,
    /// A `yield` (its offset).
    Yield(TextSize),
    /// The start of the current loop iteration: not an error by itself; a return or
    /// yield that sees it is blamed on what was unchecked before the loop or at the end
    /// of an iteration, once the loop is fully seen.
    LoopStart,
    /// Entry into a cancel scope (the `with` item's offset), for ASYNC912.
    ScopeEntry(TextSize),
}

impl Mark {
    pub(super) fn is_artificial(self) -> bool {
        matches!(self, Mark::LoopStart | Mark::ScopeEntry(_))
    }
}

/// A small set of marks; in practice it holds a handful of elements.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Marks(pub(super) Vec<Mark>);

impl Marks {
    pub(super) fn one(mark: Mark) -> Self {
        Marks(vec![mark])
    }
    pub(super) fn insert(&mut self, mark: Mark) {
        if !self.0.contains(&mark) {
            self.0.push(mark);
        }
    }
    pub(super) fn extend(&mut self, other: &Marks) {
        for &mark in &other.0 {
            self.insert(mark);
        }
    }
    pub(super) fn contains(&self, mark: Mark) -> bool {
        self.0.contains(&mark)
    }
    pub(super) fn remove(&mut self, mark: Mark) -> bool {
        let before = self.0.len();
        self.0.retain(|m| *m != mark);
        self.0.len() != before
    }
    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }
    pub(super) fn difference(&self, other: &Marks) -> Marks {
        Marks(
            self.0
                .iter()
                .copied()
                .filter(|m| !other.contains(*m))
                .collect(),
        )
    }
    pub(super) fn remove_all(&mut self, other: &Marks) {
        self.0.retain(|m| !other.contains(*m));
    }
}

/// Adds a mark for every `yield` in a body, not entering nested scopes.
pub(super) fn collect_yields(body: &[Stmt], marks: &mut Marks) {
    use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
    struct Yields<'m>(&'m mut Marks);
    impl<'a> Visitor<'a> for Yields<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            guarded(|| match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                _ => walk_stmt(self, stmt),
            });
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            guarded(|| match expr {
                Expr::Yield(y) => {
                    self.0.insert(Mark::Yield(y.start()));
                    walk_expr(self, expr);
                }
                Expr::Lambda(_) => {}
                _ => walk_expr(self, expr),
            });
        }

        guarded_nested_visits!('a);
    }
    let mut visitor = Yields(marks);
    visitor.visit_body(body);
}
