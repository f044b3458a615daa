//! LOOP403: a cell whose task group waits on a child that never ends.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::checker::{Checker, ExecContext};
use crate::analysis::settings::Target;

rule! {
    /// ## What it does
    /// Flags a child task started at cell top level inside
    /// `async with trio.open_nursery()`, `anyio.create_task_group()` or
    /// `asyncio.TaskGroup()` (with `start_soon`, `start` or `create_task`) when the child
    /// is an `async def` of the same cell that never returns: its body runs
    /// `while True:` with no `break`, `return` or `raise`, or awaits
    /// `trio.sleep_forever()` / `anyio.sleep_forever()`.
    ///
    /// Children defined in other cells are not looked up (the document index does not
    /// keep other cells' function bodies).
    ///
    /// ## Why is this bad?
    /// A task group's `async with` block only exits when every child has finished. With
    /// a child that runs forever the cell never finishes: the notebook shows it as
    /// running, later cells queue behind it, and the only way out is an interrupt that
    /// cancels the child too. In asyncell, `background.start_soon` starts a task on the
    /// persistent loop that keeps running after the cell completes.
    ///
    /// ## Example
    /// ```python
    /// # %%
    /// import trio
    ///
    /// async def heartbeat():
    ///     while True:
    ///         print("alive")
    ///         await trio.sleep(1)
    ///
    /// async with trio.open_nursery() as nursery:
    ///     nursery.start_soon(heartbeat)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// # %%
    /// import trio
    /// from asyncell import background
    ///
    /// async def heartbeat():
    ///     while True:
    ///         print("alive")
    ///         await trio.sleep(1)
    ///
    /// background.start_soon(heartbeat)
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: whether the rest of the block should wait for the
    /// other children is a decision about the program.
    "LOOP403" "cell-waits-on-nursery" {
        library: "asyncio/trio/anyio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check_stmt(checker: &mut Checker, stmt: &Stmt) {
    let Stmt::With(with) = stmt else { return };
    if !with.is_async
        || !checker.enabled(&RULE)
        || !checker.kind().has_cells()
        || checker.exec_context() != ExecContext::TopLevel
    {
        return;
    }
    for item in &with.items {
        let (Expr::Call(call), Some(Expr::Name(group))) =
            (&item.context_expr, item.optional_vars.as_deref())
        else {
            continue;
        };
        let Some(opener) = checker.qualified_name(&call.func) else {
            continue;
        };
        if !matches!(
            opener.as_str(),
            "trio.open_nursery" | "anyio.create_task_group" | "asyncio.TaskGroup"
        ) {
            continue;
        }
        let mut starts = Starts {
            group: group.id.as_str(),
            found: Vec::new(),
        };
        starts.visit_body(&with.body);
        for (range, child) in starts.found {
            let Some(why) = never_returns(checker, child) else {
                continue;
            };
            let suggestion = if checker.index.target == Target::Asyncell {
                format!(
                    "start it with `background.start_soon({child})` (`from asyncell import \
                     background`) so it keeps running after the cell"
                )
            } else {
                "start it from a task group that outlives the cell, or let it end".to_string()
            };
            checker.report(
                &RULE,
                range,
                format!(
                    "this cell never finishes: `{opener}()` waits for every child, and \
                     `{child}` never returns ({why}); {suggestion}"
                ),
                None,
            );
        }
    }
}

/// Child starts on the task group named `group`: `(call range, function name)`.
struct Starts<'a> {
    group: &'a str,
    found: Vec<(ruff_text_size::TextRange, &'a str)>,
}

impl<'a> Visitor<'a> for Starts<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        // Nested functions and classes run later, elsewhere.
        if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            visitor::walk_stmt(self, stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if let Expr::Attribute(attribute) = call.func.as_ref() {
                let on_group = matches!(attribute.value.as_ref(), Expr::Name(n) if n.id.as_str() == self.group);
                let child = match (attribute.attr.id.as_str(), call.arguments.args.first()) {
                    ("start_soon" | "start", Some(Expr::Name(name))) => Some(name.id.as_str()),
                    ("create_task", Some(Expr::Call(inner))) => match inner.func.as_ref() {
                        Expr::Name(name) => Some(name.id.as_str()),
                        _ => None,
                    },
                    _ => None,
                };
                if let (true, Some(child)) = (on_group, child) {
                    self.found.push((call.range(), child));
                }
            }
        }
        if !matches!(expr, Expr::Lambda(_)) {
            visitor::walk_expr(self, expr);
        }
    }
}

/// Why the cell's own top-level `async def name` never returns, if it visibly doesn't.
fn never_returns(checker: &Checker, name: &str) -> Option<&'static str> {
    let def = checker
        .unit
        .parsed
        .syntax()
        .body
        .iter()
        .rev()
        .find_map(|stmt| match stmt {
            Stmt::FunctionDef(def) if def.name.id.as_str() == name => Some(def),
            _ => None,
        })?;
    if !def.is_async {
        return None;
    }
    runs_forever(checker, &def.body)
}

/// A statement sequence that reaches an endless loop or a `sleep_forever()`, looking
/// through `with` and `try` bodies. Stops at the first `return` or `raise`.
fn runs_forever(checker: &Checker, body: &[Stmt]) -> Option<&'static str> {
    for stmt in body {
        match stmt {
            Stmt::While(while_) if is_truthy_constant(&while_.test) && !can_exit(&while_.body) => {
                return Some("`while True` without `break`, `return` or `raise`");
            }
            Stmt::Expr(ast::StmtExpr { value, .. }) => {
                if let Expr::Await(await_) = value.as_ref() {
                    if let Expr::Call(call) = await_.value.as_ref() {
                        if matches!(
                            checker.qualified_name(&call.func).as_deref(),
                            Some("trio.sleep_forever" | "anyio.sleep_forever")
                        ) {
                            return Some("it awaits `sleep_forever()`");
                        }
                    }
                }
            }
            Stmt::With(with) => {
                if let Some(why) = runs_forever(checker, &with.body) {
                    return Some(why);
                }
            }
            Stmt::Try(try_) => {
                if let Some(why) = runs_forever(checker, &try_.body) {
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
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::Break(_) if self.loops == 0 => self.found = true,
                Stmt::Return(_) | Stmt::Raise(_) => self.found = true,
                Stmt::For(_) | Stmt::While(_) => {
                    self.loops += 1;
                    visitor::walk_stmt(self, stmt);
                    self.loops -= 1;
                }
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, _expr: &'a Expr) {}
    }
    let mut exits = Exits {
        loops: 0,
        found: false,
    };
    exits.visit_body(body);
    exits.found
}
