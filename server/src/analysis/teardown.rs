//! Freeing a deep syntax tree without recursion.
//!
//! A tree's drop glue recurses once per level (`Box<Expr>` in `Box<Expr>` ...), with no
//! point at which the stack could be checked: dropping the tree of a 100,000-term line
//! overflows any thread's stack. [`dismantle`] frees such a tree level by level instead:
//! it detaches each node's children (leaving a placeholder) onto a heap stack before the
//! node is dropped, so every drop is shallow. It uses the AST's own `Transformer` walk,
//! so every kind of child, in every node type, is detached.

use std::cell::RefCell;

use ruff_python_ast::visitor::transformer::{self, Transformer};
use ruff_python_ast::{self as ast, Expr, InterpolatedStringElement, Pattern, Stmt};

/// A unit nesting deeper than this is dismantled when dropped. Below it the drop glue's
/// recursion (a few frames of well under 100 bytes per level) fits on any stack.
pub const DISMANTLE_DEPTH: u32 = 1_000;

/// A node detached from its parent, waiting to have its own children detached.
enum Detached {
    Stmt(Stmt),
    Expr(Expr),
    Pattern(Pattern),
    /// Format specs nest in format specs without an expression between them.
    Element(InterpolatedStringElement),
}

/// Replaces every statement, expression, pattern and f-string element it is shown with a
/// leaf, keeping the original on `pending`.
struct Detacher {
    pending: RefCell<Vec<Detached>>,
}

impl Transformer for Detacher {
    fn visit_stmt(&self, stmt: &mut Stmt) {
        let leaf = Stmt::Pass(ast::StmtPass {
            node_index: ast::AtomicNodeIndex::NONE,
            range: Default::default(),
        });
        let node = std::mem::replace(stmt, leaf);
        self.pending.borrow_mut().push(Detached::Stmt(node));
    }

    fn visit_expr(&self, expr: &mut Expr) {
        let node = std::mem::replace(expr, Expr::NoneLiteral(ast::ExprNoneLiteral::default()));
        self.pending.borrow_mut().push(Detached::Expr(node));
    }

    fn visit_pattern(&self, pattern: &mut Pattern) {
        let leaf = Pattern::MatchSingleton(ast::PatternMatchSingleton {
            node_index: ast::AtomicNodeIndex::NONE,
            range: Default::default(),
            value: ast::Singleton::None,
        });
        let node = std::mem::replace(pattern, leaf);
        self.pending.borrow_mut().push(Detached::Pattern(node));
    }

    fn visit_interpolated_string_element(&self, element: &mut InterpolatedStringElement) {
        let leaf = InterpolatedStringElement::Literal(ast::InterpolatedStringLiteralElement {
            node_index: ast::AtomicNodeIndex::NONE,
            range: Default::default(),
            value: Default::default(),
        });
        let node = std::mem::replace(element, leaf);
        self.pending.borrow_mut().push(Detached::Element(node));
    }
}

/// Drops a module body of any depth with bounded stack.
pub fn dismantle(body: impl IntoIterator<Item = Stmt>) {
    let detacher = Detacher {
        pending: RefCell::new(body.into_iter().map(Detached::Stmt).collect()),
    };
    loop {
        // The borrow ends before the walk below pushes onto `pending` again.
        let Some(node) = detacher.pending.borrow_mut().pop() else {
            break;
        };
        // Each node's children go onto `pending`; the node, now shallow, drops here.
        match node {
            Detached::Stmt(mut stmt) => transformer::walk_stmt(&detacher, &mut stmt),
            Detached::Expr(mut expr) => transformer::walk_expr(&detacher, &mut expr),
            Detached::Pattern(mut pattern) => transformer::walk_pattern(&detacher, &mut pattern),
            Detached::Element(mut element) => {
                transformer::walk_interpolated_string_element(&detacher, &mut element)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_python_parser::{parse_unchecked, Mode, ParseOptions};

    fn body_of(source: &str) -> Vec<Stmt> {
        let parsed = parse_unchecked(source, ParseOptions::from(Mode::Module))
            .try_into_module()
            .expect("a module");
        parsed.into_syntax().body.into_iter().collect()
    }

    /// The default drop of this tree overflows a 256 KiB stack; dismantling it does not.
    #[test]
    fn deep_trees_are_freed_on_a_small_stack() {
        let sources = [
            format!("x = {}a\n", "-".repeat(50_000)),
            format!("x = a{}\n", ".b".repeat(50_000)),
            format!("x = {}{}\n", "[".repeat(20_000), "]".repeat(20_000)),
            format!(
                "match x:\n    case {}y{}:\n        pass\n",
                "[".repeat(20_000),
                "]".repeat(20_000)
            ),
            format!("x = f\"{}{}\"\n", "{x:".repeat(20_000), "}".repeat(20_000)),
        ];
        for source in sources {
            let body = body_of(&source);
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || dismantle(body))
                .expect("thread")
                .join()
                .expect("no overflow");
        }
    }
}
