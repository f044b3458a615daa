//! Whether an `async def` body never returns: the fact behind LOOP403 (a cell that
//! opens a nursery around such a child never finishes), collected per unit so that a
//! child defined in an earlier cell is followed without re-walking that cell.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::analysis::depth::guarded;
use crate::analysis::names::{dotted_name, last_segment};

/// Why a top-level `async def` never returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Forever {
    /// Its body reaches `while True:` (or `while 1:`) with no `break`, `return` or `raise`.
    WhileTrue,
    /// Its body awaits a call named `sleep_forever`: the callee as written, for the index
    /// to resolve against the imports (`trio.sleep_forever`, `anyio.sleep_forever`).
    SleepForever(String),
}

/// Why an `async def` body never returns: it reaches an endless `while True` or awaits
/// `sleep_forever()`, looking through `with` and `try` bodies, before any `return` or
/// `raise`.
pub fn runs_forever(body: &[Stmt]) -> Option<Forever> {
    for stmt in body {
        match stmt {
            Stmt::While(while_) if is_truthy_constant(&while_.test) && !can_exit(&while_.body) => {
                return Some(Forever::WhileTrue);
            }
            Stmt::Expr(ast::StmtExpr { value, .. }) => {
                if let Expr::Await(await_) = value.as_ref() {
                    if let Expr::Call(call) = await_.value.as_ref() {
                        if last_segment(&call.func) == Some("sleep_forever") {
                            if let Some(callee) = dotted_name(&call.func) {
                                return Some(Forever::SleepForever(callee));
                            }
                        }
                    }
                }
            }
            Stmt::With(with) => {
                if let Some(why) = guarded(|| runs_forever(&with.body)) {
                    return Some(why);
                }
            }
            Stmt::Try(try_) => {
                if let Some(why) = guarded(|| runs_forever(&try_.body)) {
                    return Some(why);
                }
            }
            Stmt::Return(_) | Stmt::Raise(_) => return None,
            _ => {}
        }
    }
    None
}

fn is_truthy_constant(test: &Expr) -> bool {
    match test {
        Expr::BooleanLiteral(b) => b.value,
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => i.as_u64() != Some(0),
            _ => false,
        },
        _ => false,
    }
}

/// Whether a loop body can leave the loop: a `break` of this loop, or any `return` or
/// `raise` (exceptions are taken as a way out, conservatively).
fn can_exit(body: &[Stmt]) -> bool {
    struct Exits {
        loops: u32,
        found: bool,
    }
    impl<'a> Visitor<'a> for Exits {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found {
                return;
            }
            guarded(|| match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::Break(_) if self.loops == 0 => self.found = true,
                Stmt::Return(_) | Stmt::Raise(_) => self.found = true,
                Stmt::For(_) | Stmt::While(_) => {
                    self.loops += 1;
                    visitor::walk_stmt(self, stmt);
                    self.loops -= 1;
                }
                _ => visitor::walk_stmt(self, stmt),
            });
        }
        fn visit_expr(&mut self, _expr: &'a Expr) {}
        fn visit_pattern(&mut self, _pattern: &'a ast::Pattern) {}
    }
    let mut exits = Exits {
        loops: 0,
        found: false,
    };
    exits.visit_body(body);
    exits.found
}
