//! LOOP404: trio state that a cell leaves for later cells under IPython's
//! `%autoawait trio`, where every cell is a `trio.run` of its own.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

use crate::analysis::checker::{Checker, ExecContext};
use crate::analysis::depth::{guarded, guarded_nested_visits};
use crate::analysis::index::ObjectBinding;

rule! {
    /// ## What it does
    /// Under `target = "ipython"` with `%autoawait trio`, flags:
    ///
    /// - a use, in a later cell, of a top-level name that an earlier cell bound to a trio
    ///   object: `trio.Event()`, `trio.Lock()`, `trio.StrictFIFOLock()`,
    ///   `trio.Semaphore()`, `trio.CapacityLimiter()`, `trio.Condition()`,
    ///   `trio.CancelScope()`, either end of `trio.open_memory_channel()`, or a nursery
    ///   (`async with trio.open_nursery() as nursery` at top level). The message names
    ///   the cell (notebooks) or line (cell files) that created it. A binding of the name
    ///   in a cell in between, or anywhere in the cell that uses it, replaces the object;
    /// - at cell top level, `x.start_soon(...)` / `x.start(f, ...)` on a nursery that this
    ///   cell did not open with `async with trio.open_nursery() as x`: it was opened by an
    ///   earlier cell's run (or the task is meant to outlive this cell);
    /// - such a trio object stored in a top-level name that the rest of its cell never
    ///   reads, so it only exists for later cells.
    ///
    /// ## Why is this bad?
    /// IPython's trio integration runs each cell in a fresh `trio.run`, which is over
    /// when the cell finishes. A nursery of an earlier run is closed
    /// (`RuntimeError: Nursery is closed to new arrivals`), no task survives its cell,
    /// and an event, lock or channel kept for a later cell can never be set, released
    /// or fed by a task running alongside that cell. asyncell
    /// (`target = "asyncell"`) runs every cell on one persistent trio loop, where this
    /// works.
    ///
    /// ## Example
    /// ```python
    /// %autoawait trio
    /// import trio
    /// done = trio.Event()
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// %autoawait trio
    /// import trio
    /// done = trio.Event()
    /// async with trio.open_nursery() as nursery:
    ///     nursery.start_soon(work, done)
    ///     await done.wait()
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the work has to move into one cell, or to asyncell's
    /// persistent loop.
    "LOOP404" "state-across-trio-runs" {
        library: "trio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

/// Constructors of objects that tie waiting tasks to one run.
const RUN_BOUND: &[&str] = &[
    "trio.Event",
    "trio.Lock",
    "trio.StrictFIFOLock",
    "trio.Semaphore",
    "trio.CapacityLimiter",
    "trio.Condition",
    "trio.CancelScope",
    "trio.open_memory_channel",
    "trio.open_nursery",
];

/// Whether the document runs each cell in its own `trio.run`.
fn per_cell_trio_runs(checker: &Checker) -> bool {
    checker.index.cells_run_separately()
}

/// The run-bound trio object that the cells above this one leave in `name`, when this
/// cell does not bind the name itself.
fn object_from_earlier_cell<'c>(checker: &Checker<'c>, name: &str) -> Option<&'c ObjectBinding> {
    if checker.unit.facts.binds(name) {
        return None;
    }
    let object = checker.index.object_before(name, checker.position)?;
    RUN_BOUND
        .contains(&object.qualified.as_str())
        .then_some(object)
}

/// A name read in a later cell than the one that bound it to a trio object.
pub(crate) fn check_name(checker: &mut Checker, name: &ast::ExprName) {
    // Every name of every unit comes here: the cheap tests first.
    if !checker.index.cells_run_separately()
        || !checker.index.has_objects()
        || !name.ctx.is_load()
        || !checker.enabled(RULE)
    {
        return;
    }
    let id = name.id.as_str();
    let Some(object) = object_from_earlier_cell(checker, id) else {
        return;
    };
    if checker.is_bound_locally(id) {
        return;
    }
    let created = object.qualified.as_str();
    let place = object.place.as_deref().unwrap_or("an earlier cell");
    let preposition = if place.starts_with("line") {
        "at"
    } else {
        "in"
    };
    let message = if created == "trio.open_nursery" {
        format!(
            "`{id}` is the nursery opened {preposition} {place}: under `%autoawait trio` each \
             cell is its own `trio.run`, and that cell's run closed it (RuntimeError: Nursery \
             is closed to new arrivals); open a nursery in this cell, or run on asyncell's \
             persistent loop"
        )
    } else {
        format!(
            "`{id}` is the `{created}()` created {preposition} {place}: under `%autoawait trio` \
             each cell is its own `trio.run`, so no task of that cell is left to set, release \
             or feed it, and a task of this cell parked on it can wait forever; create it in \
             this cell, or run on asyncell's persistent loop"
        )
    };
    checker.report(RULE, name.range(), message, None);
}

/// A top-level assignment of a run-bound trio object to a name the cell never reads
/// again.
pub(crate) fn check_stmt(checker: &mut Checker, stmt: &Stmt) {
    let Stmt::Assign(assign) = stmt else { return };
    if !checker.enabled(RULE)
        || checker.exec_context() != ExecContext::TopLevel
        || !per_cell_trio_runs(checker)
        // A class body is top level too, but its names are attributes.
        || checker.scopes().len() != 1
    {
        return;
    }
    let Expr::Call(call) = assign.value.as_ref() else {
        return;
    };
    let Some(created) = checker.qualified_name(&call.func) else {
        return;
    };
    if !RUN_BOUND.contains(&created.as_str()) {
        return;
    }
    let mut names = Vec::new();
    for target in &assign.targets {
        collect_names(target, &mut names);
    }
    let body = &checker.unit.parsed.syntax().body;
    let unread: Vec<&str> = names
        .into_iter()
        .filter(|name| !read_after(body, name, assign.end()))
        .collect();
    if unread.is_empty() {
        return;
    }
    checker.report(
        RULE,
        assign.range(),
        format!(
            "`{}` {} a `{created}()` for later cells, but under `%autoawait trio` each cell \
             is its own `trio.run`: no task of this cell survives it to set, release or feed \
             it; use it within one cell, or run on asyncell's persistent loop",
            unread.join("` and `"),
            if unread.len() == 1 { "holds" } else { "hold" },
        ),
        None,
    );
}

/// `x.start_soon(...)` at top level outside an `async with ... as x` of this cell.
pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall) {
    if !checker.enabled(RULE) || !per_cell_trio_runs(checker) {
        return;
    }
    let Expr::Attribute(attribute) = call.func.as_ref() else {
        return;
    };
    let method = attribute.attr.id.as_str();
    // `thread.start()` takes no arguments; `nursery.start(f, ...)` takes the function.
    let is_start = method == "start_soon" || (method == "start" && !call.arguments.args.is_empty());
    let Expr::Name(receiver) = attribute.value.as_ref() else {
        return;
    };
    if !is_start {
        return;
    }
    let receiver = receiver.id.as_str();
    // A nursery an earlier cell opened: `check_name` reports the name, with that cell.
    if object_from_earlier_cell(checker, receiver).is_some() {
        return;
    }
    let opened_here = checker.enclosing_stmts().iter().any(|stmt| match stmt {
        Stmt::With(with) if with.is_async => with.items.iter().any(|item| {
            matches!(item.optional_vars.as_deref(), Some(Expr::Name(n)) if n.id.as_str() == receiver)
        }),
        _ => false,
    });
    if opened_here {
        return;
    }
    checker.report(
        RULE,
        call.range(),
        format!(
            "`{receiver}.{method}()` outside an `async with trio.open_nursery() as {receiver}` \
             of this cell: under `%autoawait trio` each cell is its own `trio.run`, so a \
             nursery from an earlier cell is closed (RuntimeError: Nursery is closed to new \
             arrivals) and no task outlives its cell; open the nursery in this cell, or run \
             on asyncell's persistent loop"
        ),
        None,
    );
}

fn collect_names<'a>(target: &'a Expr, names: &mut Vec<&'a str>) {
    match target {
        Expr::Name(name) => names.push(name.id.as_str()),
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
            for element in elts {
                guarded(|| collect_names(element, names));
            }
        }
        _ => {}
    }
}

/// Whether `name` is read anywhere in the unit after `after` (function bodies included:
/// a function of the same cell may be what uses the object).
fn read_after(body: &[Stmt], name: &str, after: TextSize) -> bool {
    struct Reads<'n> {
        name: &'n str,
        after: TextSize,
        found: bool,
    }
    impl<'a> Visitor<'a> for Reads<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            guarded(|| {
                if !self.found && stmt.end() > self.after {
                    visitor::walk_stmt(self, stmt);
                }
            });
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            guarded(|| {
                if self.found {
                    return;
                }
                match expr {
                    Expr::Name(n) if n.ctx.is_load() && expr.start() >= self.after => {
                        self.found |= n.id.as_str() == self.name;
                    }
                    _ => visitor::walk_expr(self, expr),
                }
            });
        }

        guarded_nested_visits!('a);
    }
    let mut reads = Reads {
        name,
        after,
        found: false,
    };
    reads.visit_body(body);
    reads.found
}
