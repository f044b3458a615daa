//! LOOP403: a cell whose task group waits on a child that never ends.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::checker::{Checker, ExecContext};
use crate::analysis::depth::{guarded, guarded_nested_visits};
use crate::analysis::settings::Target;

rule! {
    /// ## What it does
    /// Flags a child task started at cell top level inside
    /// `async with trio.open_nursery()`, `anyio.create_task_group()` or
    /// `asyncio.TaskGroup()` (with `start_soon`, `start` or `create_task`) when the child
    /// is a top-level `async def` that never returns: its body runs `while True:` with no
    /// `break`, `return` or `raise`, or awaits `trio.sleep_forever()` /
    /// `anyio.sleep_forever()`.
    ///
    /// The child is looked up where the cell finds it when it runs: in the same cell, or
    /// else in the cells above, as the last of them to bind the name left it. A later
    /// `def`, class, assignment or import of the name replaces the endless function.
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
        || !checker.enabled(RULE)
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
                RULE,
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
        guarded(|| {
            // Nested functions and classes run later, elsewhere.
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                visitor::walk_stmt(self, stmt);
            }
        });
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        guarded(|| {
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
        });
    }

    guarded_nested_visits!('a);
}

/// Why the top-level `async def name` the cell starts never returns, if it visibly
/// doesn't: this cell's own binding of the name if it has one, else the one the cells
/// above leave.
fn never_returns(checker: &Checker, name: &str) -> Option<&'static str> {
    let through = if checker.unit.facts.binds(name) {
        checker.position.saturating_add(1)
    } else {
        checker.position
    };
    checker.index.forever_before(name, through)
}
