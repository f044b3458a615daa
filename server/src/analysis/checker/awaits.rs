//! Whether a comprehension awaits by itself: CPython before 3.11 makes a comprehension
//! async only for an `await` or `async for` of its own, so an async comprehension nested
//! in it is judged by that alone.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr};

use crate::analysis::depth::{guarded, guarded_nested_visits};

/// Whether the comprehension with these generators and elements (its element, or a dict
/// comprehension's key and value) has an `async for` or an `await` in its own scope. The
/// first generator's iterable is not in it: the enclosing scope evaluates that.
pub(super) fn comprehension_awaits(generators: &[ast::Comprehension], elements: &[&Expr]) -> bool {
    if generators.iter().any(|generator| generator.is_async) {
        return true;
    }
    let mut finder = AwaitFinder { found: false };
    for (i, generator) in generators.iter().enumerate() {
        finder.visit_expr(&generator.target);
        if i > 0 {
            finder.visit_expr(&generator.iter);
        }
        for condition in &generator.ifs {
            finder.visit_expr(condition);
        }
    }
    for element in elements {
        finder.visit_expr(element);
    }
    finder.found
}

/// Finds an `await` in one scope: lambdas and nested comprehensions are scopes of their
/// own, except a nested comprehension's first iterable, which belongs to this one.
struct AwaitFinder {
    found: bool,
}

impl<'a> Visitor<'a> for AwaitFinder {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found {
            return;
        }
        guarded(|| match expr {
            Expr::Await(_) => self.found = true,
            Expr::Lambda(_) => {}
            Expr::Generator(ast::ExprGenerator { generators, .. })
            | Expr::ListComp(ast::ExprListComp { generators, .. })
            | Expr::SetComp(ast::ExprSetComp { generators, .. })
            | Expr::DictComp(ast::ExprDictComp { generators, .. }) => {
                if let Some(first) = generators.first() {
                    self.visit_expr(&first.iter);
                }
            }
            _ => visitor::walk_expr(self, expr),
        });
    }

    guarded_nested_visits!('a);
}
