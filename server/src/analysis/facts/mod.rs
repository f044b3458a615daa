//! Facts one unit contributes to its document's index: what it imports, which async
//! functions it defines, which loop it asks for, which background tasks it starts.
//! Collected once per parse, so a cross-cell question never re-walks other cells.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, IpyEscapeKind, Stmt};
use ruff_python_parser::Parsed;
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::depth::guarded;
use super::names::{dotted_name, last_segment};
use super::python_version::PythonVersion;
use super::settings::LoopMode;

mod forever;
mod star_exports;

pub use forever::{runs_forever, Forever};
use star_exports::star_exports;

/// A name bound by an import: `import trio as t` binds `t` to `trio`;
/// `from trio import sleep` binds `sleep` to `trio.sleep`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImportBinding {
    pub local: String,
    pub qualified: String,
}

/// An import inside a function body: its names are the function's locals, visible in
/// that body and the functions nested in it, and nowhere else (`Checker::qualified_name`
/// resolves through them by position). Imports in a class body bind class attributes,
/// which no method sees by its bare name; they are not recorded.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LocalImport {
    /// The function body the names are local to: from its first statement to the end of
    /// the `def` (decorators, defaults and annotations are evaluated outside it).
    pub scope: TextRange,
    pub binding: ImportBinding,
}

/// A call at cell top level that starts a task: `background.start_soon(f)`,
/// `nursery.start(f)`, `asyncio.create_task(c)`, `asyncio.ensure_future(c)`,
/// `loop.create_task(c)`, `group.create_task(c)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TaskStart {
    /// The call as written, on one line, shortened for messages.
    pub call: String,
    pub range: TextRange,
    /// 0-based line of the call in the unit.
    pub line: u32,
    /// The end of the `async with ... as group` block of this cell that opened the
    /// receiver: the nursery or task group waits for the task there, so the task never
    /// outlives the cell. `None` for a task that can (a global nursery, `asyncell`'s
    /// `background`, `asyncio.create_task`).
    pub ends_by: Option<TextSize>,
}

impl TaskStart {
    /// Whether the task can keep running after its cell finishes.
    pub fn outlives_cell(&self) -> bool {
        self.ends_by.is_none()
    }

    /// Whether the task may be running at `offset` of its own cell: started before it, in
    /// a group that has not closed yet.
    pub fn runs_at(&self, offset: TextSize) -> bool {
        self.range.end() <= offset && self.ends_by.is_none_or(|end| offset < end)
    }
}

/// A top-level `async def` whose body never returns, and is the unit's last top-level
/// binding of its name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ForeverDef {
    pub name: String,
    pub why: Forever,
}

/// A top-level name bound to a call of a synchronization or task-group constructor
/// (`done = trio.Event()`, `send, receive = trio.open_memory_channel(0)`,
/// `queue = asyncio.Queue()`, `async with trio.open_nursery() as nursery`), and still
/// bound to it at the end of the unit. Recorded by the constructor's last name only
/// ([`OBJECT_CONSTRUCTORS`]); the index resolves the module.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BoundObject {
    pub name: String,
    /// The constructor as written (`trio.Event`, `t.open_memory_channel`, `Queue`).
    pub constructor: String,
    /// 0-based line of the binding in the unit.
    pub line: u32,
}

/// The last names of the constructors [`BoundObject`] records: trio's and asyncio's
/// synchronization objects, memory channels, cancel scopes and nurseries.
pub const OBJECT_CONSTRUCTORS: &[&str] = &[
    "Event",
    "Lock",
    "StrictFIFOLock",
    "Semaphore",
    "BoundedSemaphore",
    "CapacityLimiter",
    "Condition",
    "Barrier",
    "CancelScope",
    "open_memory_channel",
    "open_nursery",
    "Queue",
    "PriorityQueue",
    "LifoQueue",
];

/// How deeply a unit's tree nests: statements, expressions, patterns and f-string
/// elements inside one another (`x = -(-a)` is 4 levels: the assignment, two negations
/// and the name).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Depth {
    pub levels: u32,
    /// The top-level statement that holds the deepest node.
    pub statement: TextRange,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct UnitFacts {
    /// Imports at module level (conditional ones included): the document's names.
    pub imports: Vec<ImportBinding>,
    /// Imports inside function bodies, scoped to their function.
    pub local_imports: Vec<LocalImport>,
    /// Names bound by a top-level `async def`.
    pub async_defs: Vec<String>,
    /// Names bound by a top-level `def` or assignment, which shadow an `async def` of the
    /// same name elsewhere.
    pub sync_defs: Vec<String>,
    /// A `%autoawait trio|asyncio` line (bare in IPython syntax, `# %autoawait` in percent
    /// cells).
    pub autoawait: Option<LoopMode>,
    pub task_starts: Vec<TaskStart>,
    /// Top-level `async def`s that never return (see [`Forever`]).
    pub forever_defs: Vec<ForeverDef>,
    /// Top-level names bound to synchronization objects and nurseries.
    pub objects: Vec<BoundObject>,
    /// Names of functions handed to another thread (`to_thread.run_sync(f)`,
    /// `threading.Thread(target=f)`, `run_in_executor(None, f)`).
    pub thread_targets: Vec<String>,
    /// Whether the unit awaits at top level, exactly when CPython 3.10-3.11 compiles the
    /// cell (with top-level await allowed) to a coroutine: under IPython semantics only
    /// such cells run on the loop. Read it through [`UnitFacts::awaits_at_top_level`].
    awaits_at_top_level_before_312: bool,
    /// The same for CPython 3.12+, which inlines list, set and dict comprehensions into
    /// the enclosing scope (PEP 709): an async generator expression inside one then sits
    /// directly in the module and makes it a coroutine.
    awaits_at_top_level_from_312: bool,
}

impl UnitFacts {
    /// Whether CPython of `version` compiles the unit, as a cell, to a coroutine.
    pub fn awaits_at_top_level(&self, version: PythonVersion) -> bool {
        if version >= PythonVersion::Py312 {
            self.awaits_at_top_level_from_312
        } else {
            self.awaits_at_top_level_before_312
        }
    }

    /// Whether the unit binds `name` at top level in any way the facts record: a `def`,
    /// `async def`, class, assignment, import or `async with ... as name`.
    pub fn binds(&self, name: &str) -> bool {
        self.sync_defs.iter().any(|n| n == name)
            || self.async_defs.iter().any(|n| n == name)
            || self.imports.iter().any(|i| i.local == name)
            || self.objects.iter().any(|o| o.name == name)
    }

    /// The facts of a parsed unit, and how deep its tree is (measured on the way).
    pub fn collect(parsed: &Parsed<ast::ModModule>, text: &str) -> (UnitFacts, Depth) {
        let mut collector = Collector {
            facts: UnitFacts::default(),
            text,
            nesting: 0,
            top_level: TextRange::default(),
            depth: Depth::default(),
            functions: 0,
            deferred: 0,
            lambdas: 0,
            comprehensions: Vec::new(),
            task_groups: Vec::new(),
            owners: Vec::new(),
        };
        collector.visit_body(&parsed.syntax().body);
        if collector.facts.autoawait.is_none() {
            collector.facts.autoawait = commented_autoawait(text);
        }
        (collector.facts, collector.depth)
    }
}

/// Threads take the function; these are the callees whose first argument (or `target=`)
/// runs on another thread.
pub const THREAD_LAUNCHERS: &[&str] = &[
    "to_thread.run_sync",
    "trio.to_thread.run_sync",
    "anyio.to_thread.run_sync",
    "asyncio.to_thread",
    "threading.Thread",
    "Thread",
    "run_in_executor",
    "submit",
];

/// Whether a dotted callee is one of [`THREAD_LAUNCHERS`], bare or as the tail of a
/// longer chain (`self.pool.submit`). Runs for every call: no allocation.
pub fn is_thread_launcher(callee: &str) -> bool {
    THREAD_LAUNCHERS.iter().any(|launcher| {
        callee
            .strip_suffix(launcher)
            .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
    })
}

/// Whether a call's last name can be one of [`THREAD_LAUNCHERS`], so that the callee's
/// dotted text is worth building. Asked for every call: a match on the last segments.
fn may_launch_thread(method: &str) -> bool {
    matches!(
        method,
        "run_sync" | "to_thread" | "Thread" | "run_in_executor" | "submit"
    )
}

struct Collector<'a> {
    facts: UnitFacts,
    text: &'a str,
    /// Statements, expressions, patterns and f-string elements around the current node.
    nesting: u32,
    /// The top-level statement being visited.
    top_level: TextRange,
    depth: Depth,
    /// Function nesting: 0 at cell top level.
    functions: u32,
    /// Lambda/generator nesting at top level: code there does not run when the cell does.
    deferred: u32,
    /// Lambda body nesting. An `await` in a lambda body belongs to the lambda, but one in
    /// a generator expression makes the enclosing module a coroutine (CPython propagates
    /// the async generator's flag to its scope), as do awaits in lambda defaults.
    lambdas: u32,
    /// The comprehensions around the current node, outermost first: `true` for a
    /// generator expression.
    comprehensions: Vec<bool>,
    /// Names bound by this cell's top-level `async with ... as name`, with the end of the
    /// block, in source order.
    task_groups: Vec<(&'a str, TextSize)>,
    /// The functions and classes around the current node, innermost last: a function's
    /// body range, `None` for a class body.
    owners: Vec<Option<TextRange>>,
}

impl<'a> Visitor<'a> for Collector<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.nesting == 0 {
            self.top_level = stmt.range();
        }
        self.enter();
        guarded(|| self.collect_stmt(stmt));
        self.nesting -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        self.enter();
        guarded(|| self.collect_expr(expr));
        self.nesting -= 1;
    }

    fn visit_pattern(&mut self, pattern: &'a ast::Pattern) {
        self.enter();
        guarded(|| visitor::walk_pattern(self, pattern));
        self.nesting -= 1;
    }

    /// Format specs nest in format specs (`f"{x:{y:{z}}}"`): a level too.
    fn visit_interpolated_string_element(&mut self, element: &'a ast::InterpolatedStringElement) {
        self.enter();
        guarded(|| visitor::walk_interpolated_string_element(self, element));
        self.nesting -= 1;
    }
}

impl<'a> Collector<'a> {
    /// One level deeper; records the deepest point.
    fn enter(&mut self) {
        self.nesting += 1;
        if self.nesting > self.depth.levels {
            self.depth = Depth {
                levels: self.nesting,
                statement: self.top_level,
            };
        }
    }

    fn collect_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                if self.functions == 0 {
                    let name = def.name.id.as_str();
                    self.rebind(name);
                    if def.is_async {
                        if let Some(why) = runs_forever(&def.body) {
                            self.facts.forever_defs.push(ForeverDef {
                                name: name.to_string(),
                                why,
                            });
                        }
                        self.facts.async_defs.push(name.to_string());
                    } else {
                        self.facts.sync_defs.push(name.to_string());
                    }
                }
                for decorator in &def.decorator_list {
                    self.visit_decorator(decorator);
                }
                self.visit_parameters(&def.parameters);
                if let Some(returns) = &def.returns {
                    self.visit_annotation(returns);
                }
                let body_start = def.body.first().map_or(def.end(), Ranged::start);
                self.owners
                    .push(Some(TextRange::new(body_start, def.end())));
                self.functions += 1;
                self.visit_body(&def.body);
                self.functions -= 1;
                self.owners.pop();
                return;
            }
            Stmt::ClassDef(class) => {
                if self.functions == 0 {
                    self.rebind(class.name.id.as_str());
                    self.facts.sync_defs.push(class.name.id.to_string());
                }
                for decorator in &class.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                self.owners.push(None);
                self.functions += 1;
                self.visit_body(&class.body);
                self.functions -= 1;
                self.owners.pop();
                return;
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let full = alias.name.id.as_str();
                    let binding = match &alias.asname {
                        Some(asname) => ImportBinding {
                            local: asname.id.to_string(),
                            qualified: full.to_string(),
                        },
                        None => {
                            let head = full.split('.').next().unwrap_or(full);
                            ImportBinding {
                                local: head.to_string(),
                                qualified: head.to_string(),
                            }
                        }
                    };
                    self.note_import(binding);
                }
            }
            Stmt::ImportFrom(import) => {
                if let (Some(module), 0) = (&import.module, import.level) {
                    for alias in &import.names {
                        if alias.name.id.as_str() == "*" {
                            for name in star_exports(module.id.as_str()) {
                                self.note_import(ImportBinding {
                                    local: name.to_string(),
                                    qualified: format!("{}.{name}", module.id),
                                });
                            }
                            continue;
                        }
                        let local = alias.asname.as_ref().unwrap_or(&alias.name).id.to_string();
                        self.note_import(ImportBinding {
                            local,
                            qualified: format!("{}.{}", module.id, alias.name.id),
                        });
                    }
                }
            }
            Stmt::IpyEscapeCommand(command)
                if command.kind == IpyEscapeKind::Magic && self.facts.autoawait.is_none() =>
            {
                self.facts.autoawait = autoawait_argument(&command.value);
            }
            Stmt::For(ast::StmtFor { is_async: true, .. }) => {
                self.note_top_level_await();
            }
            Stmt::With(with) if with.is_async => {
                self.note_top_level_await();
                if self.functions == 0 {
                    self.note_async_with(with);
                }
            }
            Stmt::Assign(assign) if self.functions == 0 => {
                for target in &assign.targets {
                    self.note_assignment(target, Some(&assign.value));
                }
            }
            Stmt::AnnAssign(assign) if self.functions == 0 && assign.value.is_some() => {
                self.note_assignment(&assign.target, assign.value.as_deref());
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn collect_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Await(_) => self.note_top_level_await(),
            Expr::Call(call) => self.note_call(call),
            Expr::Lambda(lambda) => {
                // Defaults are evaluated where the lambda is written; the body later.
                if let Some(parameters) = &lambda.parameters {
                    self.visit_parameters(parameters);
                }
                self.deferred += 1;
                self.lambdas += 1;
                self.visit_expr(&lambda.body);
                self.lambdas -= 1;
                self.deferred -= 1;
                return;
            }
            Expr::Generator(comp) => {
                self.visit_comprehension(true, &comp.generators, &[&comp.elt]);
                return;
            }
            Expr::ListComp(ast::ExprListComp {
                generators, elt, ..
            })
            | Expr::SetComp(ast::ExprSetComp {
                generators, elt, ..
            }) => {
                self.visit_comprehension(false, generators, &[elt]);
                return;
            }
            Expr::DictComp(comp) => {
                let mut elements: Vec<&Expr> = comp.key.iter().map(|k| k.as_ref()).collect();
                elements.push(&comp.value);
                self.visit_comprehension(false, &comp.generators, &elements);
                return;
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

impl<'a> Collector<'a> {
    /// An import: a top-level binding at module level, a local of the innermost function
    /// inside one, nothing the analysis reads in a class body.
    fn note_import(&mut self, binding: ImportBinding) {
        match self.owners.last() {
            None => {
                self.rebind(&binding.local);
                self.facts.imports.push(binding);
            }
            Some(Some(scope)) => self.facts.local_imports.push(LocalImport {
                scope: *scope,
                binding,
            }),
            Some(None) => {}
        }
    }

    /// A top-level binding of `name`: it replaces whatever the unit bound to the name
    /// before, so an earlier endless `async def` or trio object no longer counts.
    fn rebind(&mut self, name: &str) {
        if !self.facts.forever_defs.is_empty() {
            self.facts.forever_defs.retain(|def| def.name != name);
        }
        if !self.facts.objects.is_empty() {
            self.facts.objects.retain(|object| object.name != name);
        }
    }

    /// 0-based line of an offset in the unit. Only called when something is recorded.
    fn line_of(&self, offset: TextSize) -> u32 {
        crate::positions::line_number_u32(self.text, usize::from(offset))
    }

    /// A top-level assignment target: names it binds, and the object bound to them when
    /// `value` is a call of one of [`OBJECT_CONSTRUCTORS`].
    fn note_assignment(&mut self, target: &'a Expr, value: Option<&'a Expr>) {
        match target {
            Expr::Name(name) => {
                self.rebind(name.id.as_str());
                self.facts.sync_defs.push(name.id.to_string());
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                for element in elts {
                    let element = match element {
                        Expr::Starred(starred) => starred.value.as_ref(),
                        other => other,
                    };
                    guarded(|| self.note_assignment(element, None));
                }
            }
            _ => return,
        }
        let Some(Expr::Call(call)) = value else {
            return;
        };
        if !last_segment(&call.func).is_some_and(|last| OBJECT_CONSTRUCTORS.contains(&last)) {
            return;
        }
        let Some(constructor) = dotted_name(&call.func) else {
            return;
        };
        let line = self.line_of(call.start());
        let mut push = |name: &ast::ExprName| {
            self.facts.objects.push(BoundObject {
                name: name.id.to_string(),
                constructor: constructor.clone(),
                line,
            });
        };
        match target {
            Expr::Name(name) => push(name),
            // `send, receive = trio.open_memory_channel(0)`.
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                for element in elts {
                    if let Expr::Name(name) = element {
                        push(name);
                    }
                }
            }
            _ => {}
        }
    }

    /// A top-level `async with`: the names it binds are task groups for the rest of the
    /// cell, and `async with trio.open_nursery() as nursery` binds a nursery object.
    fn note_async_with(&mut self, with: &'a ast::StmtWith) {
        for item in &with.items {
            let Some(Expr::Name(name)) = item.optional_vars.as_deref() else {
                continue;
            };
            self.rebind(name.id.as_str());
            self.task_groups.push((name.id.as_str(), with.end()));
            let Expr::Call(call) = &item.context_expr else {
                continue;
            };
            if last_segment(&call.func) != Some("open_nursery") {
                continue;
            }
            if let Some(constructor) = dotted_name(&call.func) {
                let line = self.line_of(call.start());
                self.facts.objects.push(BoundObject {
                    name: name.id.to_string(),
                    constructor,
                    line,
                });
            }
        }
    }

    /// An `await`, `async for` or `async with` at the current point. It makes the module
    /// a coroutine when it sits in module scope, or in a comprehension chain that reaches
    /// module scope: CPython makes a comprehension async when it awaits or holds an async
    /// list/set/dict comprehension (not an async generator expression), and makes the
    /// module a coroutine when an async comprehension of any kind sits directly in it.
    ///
    /// From 3.12 list, set and dict comprehensions are inlined, so only generator
    /// expressions separate an await from the module: it reaches the module through at
    /// most one (the async generator expression itself).
    fn note_top_level_await(&mut self) {
        if self.functions > 0 || self.lambdas > 0 {
            return;
        }
        let chain = &self.comprehensions;
        if chain.iter().skip(1).all(|&is_generator| !is_generator) {
            self.facts.awaits_at_top_level_before_312 = true;
        }
        if chain.iter().filter(|&&is_generator| is_generator).count() <= 1 {
            self.facts.awaits_at_top_level_from_312 = true;
        }
    }

    /// A comprehension: its first iterable is evaluated in the enclosing scope, the rest
    /// in its own, which runs later for a generator expression.
    fn visit_comprehension(
        &mut self,
        is_generator: bool,
        generators: &'a [ast::Comprehension],
        elements: &[&'a Expr],
    ) {
        let Some(first) = generators.first() else {
            return;
        };
        self.visit_expr(&first.iter);
        self.comprehensions.push(is_generator);
        self.deferred += u32::from(is_generator);
        for (i, generator) in generators.iter().enumerate() {
            if generator.is_async {
                self.note_top_level_await();
            }
            self.visit_expr(&generator.target);
            if i > 0 {
                self.visit_expr(&generator.iter);
            }
            for condition in &generator.ifs {
                self.visit_expr(condition);
            }
        }
        for element in elements {
            self.visit_expr(element);
        }
        self.deferred -= u32::from(is_generator);
        self.comprehensions.pop();
    }

    fn note_call(&mut self, call: &'a ast::ExprCall) {
        // Every call of every unit comes here: decide on the last name, which costs
        // nothing, before building any dotted text.
        let Some(method) = last_segment(&call.func) else {
            return;
        };
        if self.functions == 0 && self.deferred == 0 {
            self.note_task_start(call, method);
        }
        if !may_launch_thread(method) {
            return;
        }
        let Some(callee) = dotted_name(&call.func) else {
            return;
        };
        if is_thread_launcher(&callee) {
            let target = call
                .arguments
                .find_keyword("target")
                .map(|k| &k.value)
                .or_else(|| {
                    // run_in_executor(executor, f) takes the function second.
                    let position = usize::from(method == "run_in_executor");
                    call.arguments.args.get(position)
                });
            // `partial(f, ...)` hands `f` to the thread all the same.
            let target = match target {
                Some(Expr::Call(partial))
                    if dotted_name(&partial.func)
                        .is_some_and(|f| f == "partial" || f.ends_with(".partial")) =>
                {
                    partial.arguments.args.first()
                }
                other => other,
            };
            if let Some(Expr::Name(name)) = target {
                self.facts.thread_targets.push(name.id.to_string());
            }
        }
    }
}

impl<'a> Collector<'a> {
    /// A call at cell top level that starts a task. `start` needs a function as its first
    /// argument (`nursery.start(serve, port)`), which tells it from `thread.start()`,
    /// `process.start()` and `timer.start()`; `start_soon` needs one too. Bare
    /// `create_task(c)` and `ensure_future(c)` are asyncio's, imported by name.
    fn note_task_start(&mut self, call: &'a ast::ExprCall, method: &str) {
        let arguments = &call.arguments;
        let receiver = match call.func.as_ref() {
            Expr::Attribute(attribute) => Some(attribute.value.as_ref()),
            _ => None,
        };
        let starts = match method {
            "start_soon" => receiver.is_some() && !arguments.args.is_empty(),
            "start" => {
                receiver.is_some()
                    && match arguments.args.first() {
                        Some(Expr::Name(_) | Expr::Attribute(_)) => true,
                        Some(Expr::Call(partial)) => last_segment(&partial.func) == Some("partial"),
                        _ => false,
                    }
            }
            "create_task" | "ensure_future" => !arguments.is_empty(),
            _ => false,
        };
        if !starts {
            return;
        }
        // A group this cell opened with `async with ... as group` waits for its tasks at
        // the end of the block (and refuses new ones after it).
        let ends_by = match receiver {
            Some(Expr::Name(receiver)) => self
                .task_groups
                .iter()
                .rev()
                .find(|(name, _)| *name == receiver.id.as_str())
                .map(|&(_, end)| end),
            _ => None,
        };
        let line = self.line_of(call.start());
        self.facts.task_starts.push(TaskStart {
            call: shortened(self.text, call),
            range: call.range(),
            line,
            ends_by,
        });
    }
}

/// A call's source on one line, or `callee(...)` when that is long.
fn shortened(text: &str, call: &ast::ExprCall) -> String {
    const LONGEST: usize = 48;
    let source = |range: TextRange| {
        let written = text
            .get(usize::from(range.start())..usize::from(range.end()))
            .unwrap_or_default();
        written.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let whole = source(call.range());
    if whole.chars().count() <= LONGEST {
        whole
    } else {
        format!("{}(...)", source(call.func.range()))
    }
}

fn autoawait_argument(magic: &str) -> Option<LoopMode> {
    let mut words = magic.split_whitespace();
    if words.next()? != "autoawait" {
        return None;
    }
    match words.next()? {
        "trio" => Some(LoopMode::Trio),
        "asyncio" => Some(LoopMode::Asyncio),
        _ => None,
    }
}

/// `# %autoawait trio` in a percent-format cell.
fn commented_autoawait(text: &str) -> Option<LoopMode> {
    // Every unit without the magic gets here: skip the line walk unless it can match.
    if !text.contains("autoawait") {
        return None;
    }
    crate::positions::lines(text).find_map(|(_, line)| {
        let rest = line
            .trim_start()
            .strip_prefix('#')?
            .trim_start()
            .strip_prefix('%')?;
        autoawait_argument(rest)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::unit::{Syntax, Unit};

    #[test]
    fn every_thread_launcher_passes_the_last_name_filter() {
        for launcher in THREAD_LAUNCHERS {
            let method = launcher.rsplit('.').next().unwrap_or(launcher);
            assert!(may_launch_thread(method), "{launcher} is filtered out");
        }
    }

    #[test]
    fn thread_launchers_match_whole_trailing_segments() {
        assert!(is_thread_launcher("submit"));
        assert!(is_thread_launcher("self.pool.submit"));
        assert!(is_thread_launcher("trio.to_thread.run_sync"));
        assert!(is_thread_launcher("anyio.to_thread.run_sync"));
        assert!(!is_thread_launcher("resubmit"));
        assert!(!is_thread_launcher("pool.resubmit"));
        assert!(!is_thread_launcher("MyThread"));
        assert!(!is_thread_launcher("run_sync"));
    }

    #[test]
    fn imports_and_async_defs_are_collected() {
        let unit = Unit::new(
            "import trio as t\nfrom anyio import sleep\nasync def f(): pass\ndef g():\n    async def inner(): pass\n".into(),
            Syntax::Python,
        );
        assert_eq!(
            unit.facts.imports[0],
            ImportBinding {
                local: "t".into(),
                qualified: "trio".into()
            }
        );
        assert_eq!(unit.facts.imports[1].qualified, "anyio.sleep");
        assert_eq!(unit.facts.async_defs, ["f"]);
    }

    #[test]
    fn function_local_imports_are_kept_apart_with_their_function_body() {
        let text = "if x:\n    import trio\ndef f():\n    from anyio import sleep\nclass C:\n    import asyncio\n";
        let unit = Unit::new(text.into(), Syntax::Python);
        let module: Vec<&str> = unit
            .facts
            .imports
            .iter()
            .map(|i| i.local.as_str())
            .collect();
        assert_eq!(module, ["trio"]);
        let [local] = &unit.facts.local_imports[..] else {
            panic!("one local import expected: {:?}", unit.facts.local_imports);
        };
        assert_eq!(local.binding.qualified, "anyio.sleep");
        let body = text.find("from anyio").unwrap();
        let end = text.find("class C").unwrap() - 1;
        assert_eq!(
            (
                usize::from(local.scope.start()),
                usize::from(local.scope.end())
            ),
            (body, end)
        );
        assert!(!unit.facts.binds("sleep"));
    }

    #[test]
    fn autoawait_is_found_in_both_syntaxes() {
        let notebook = Unit::new("%autoawait trio\nx = 1\n".into(), Syntax::Ipython);
        assert_eq!(notebook.facts.autoawait, Some(LoopMode::Trio));
        let percent = Unit::new("# %%\n# %autoawait asyncio\n".into(), Syntax::Python);
        assert_eq!(percent.facts.autoawait, Some(LoopMode::Asyncio));
    }

    #[test]
    fn task_starts_and_thread_targets_are_recorded() {
        let unit = Unit::new(
            "GLOBAL_NURSERY.start_soon(beat)\nawait trio.to_thread.run_sync(work)\n".into(),
            Syntax::Python,
        );
        assert_eq!(
            unit.facts.task_starts[0].call,
            "GLOBAL_NURSERY.start_soon(beat)"
        );
        assert!(unit.facts.task_starts[0].outlives_cell());
        assert_eq!(unit.facts.thread_targets, ["work"]);
        assert!(unit.facts.awaits_at_top_level(PythonVersion::Py311));
        assert!(unit.facts.awaits_at_top_level(PythonVersion::Py312));
    }

    fn starts(source: &str) -> Vec<(String, bool)> {
        Unit::new(source.into(), Syntax::Python)
            .facts
            .task_starts
            .iter()
            .map(|start| (start.call.clone(), start.outlives_cell()))
            .collect()
    }

    #[test]
    fn thread_and_process_starts_are_not_task_starts() {
        assert_eq!(
            starts(
                "threading.Thread(target=f).start()
t.start()
server.start(8080)
"
            ),
            []
        );
        assert_eq!(
            starts(
                "await nursery.start(serve, 8080)
await n.start(partial(serve, 1))
"
            ),
            [
                ("nursery.start(serve, 8080)".to_string(), true),
                ("n.start(partial(serve, 1))".to_string(), true)
            ]
        );
    }

    #[test]
    fn tasks_of_a_group_this_cell_opens_end_with_its_block() {
        let source = "async with trio.open_nursery() as n:\n    n.start_soon(a)\n    background.start_soon(b)\nasync with asyncio.TaskGroup() as tg:\n    tg.create_task(c())\n    asyncio.create_task(d())\n";
        assert_eq!(
            starts(source),
            [
                ("n.start_soon(a)".to_string(), false),
                ("background.start_soon(b)".to_string(), true),
                ("tg.create_task(c())".to_string(), false),
                ("asyncio.create_task(d())".to_string(), true),
            ]
        );
        let unit = Unit::new(source.into(), Syntax::Python);
        let first = &unit.facts.task_starts[0];
        assert!(first.runs_at(TextSize::new(60)));
        assert!(!first.runs_at(TextSize::try_from(source.len()).unwrap()));
    }

    #[test]
    fn long_calls_are_shortened_and_lines_counted() {
        let unit = Unit::new(
            "x = 1\nbackground.start_soon(\n    poll_prices, 'https://example.com/prices', 5\n)\n"
                .into(),
            Syntax::Python,
        );
        let start = &unit.facts.task_starts[0];
        assert_eq!(start.call, "background.start_soon(...)");
        assert_eq!(start.line, 1);
    }

    #[test]
    fn endless_async_defs_are_recorded_until_rebound() {
        let unit = Unit::new(
            "async def a():\n    while True:\n        await trio.sleep(1)\nasync def b():\n    await trio.sleep_forever()\nasync def c():\n    while True:\n        break\nasync def d():\n    await sleep_forever()\nd = 1\n".into(),
            Syntax::Python,
        );
        assert_eq!(
            unit.facts.forever_defs,
            [
                ForeverDef {
                    name: "a".into(),
                    why: Forever::WhileTrue
                },
                ForeverDef {
                    name: "b".into(),
                    why: Forever::SleepForever("trio.sleep_forever".into())
                },
            ]
        );
    }

    #[test]
    fn objects_bound_at_top_level_are_recorded_until_rebound() {
        let unit = Unit::new(
            "done = trio.Event()\nsend, receive = t.open_memory_channel(0)\nq = asyncio.Queue()\nq = None\ndef f():\n    inner = trio.Lock()\nasync with trio.open_nursery() as n:\n    pass\nlock: trio.Lock = trio.Lock()\n".into(),
            Syntax::Python,
        );
        let objects: Vec<_> = unit
            .facts
            .objects
            .iter()
            .map(|o| (o.name.as_str(), o.constructor.as_str(), o.line))
            .collect();
        assert_eq!(
            objects,
            [
                ("done", "trio.Event", 0),
                ("send", "t.open_memory_channel", 1),
                ("receive", "t.open_memory_channel", 1),
                ("n", "trio.open_nursery", 6),
                ("lock", "trio.Lock", 8),
            ]
        );
        assert!(unit.facts.binds("send") && unit.facts.binds("q") && !unit.facts.binds("inner"));
    }
}
