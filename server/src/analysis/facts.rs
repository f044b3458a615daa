//! Facts one unit contributes to its document's index: what it imports, which async
//! functions it defines, which loop it asks for, which background tasks it starts.
//! Collected once per parse, so a cross-cell question never re-walks other cells.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, IpyEscapeKind, Stmt};
use ruff_python_parser::Parsed;
use ruff_text_size::{Ranged, TextRange};

use super::names::dotted_name;
use super::settings::LoopMode;

/// A name bound by an import: `import trio as t` binds `t` to `trio`;
/// `from trio import sleep` binds `sleep` to `trio.sleep`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImportBinding {
    pub local: String,
    pub qualified: String,
}

/// A call at cell top level that may start a task outliving the cell, as written
/// (`background.start_soon`, `asyncio.create_task`, `loop.create_task`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TaskStart {
    pub callee: String,
    pub range: TextRange,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct UnitFacts {
    pub imports: Vec<ImportBinding>,
    /// Names bound by a top-level `async def`.
    pub async_defs: Vec<String>,
    /// Names bound by a top-level `def` or assignment, which shadow an `async def` of the
    /// same name elsewhere.
    pub sync_defs: Vec<String>,
    /// A `%autoawait trio|asyncio` line (bare in IPython syntax, `# %autoawait` in percent
    /// cells).
    pub autoawait: Option<LoopMode>,
    pub task_starts: Vec<TaskStart>,
    /// Names of functions handed to another thread (`to_thread.run_sync(f)`,
    /// `threading.Thread(target=f)`, `run_in_executor(None, f)`).
    pub thread_targets: Vec<String>,
    /// Whether the unit awaits at top level, exactly when CPython compiles the cell (with
    /// top-level await allowed) to a coroutine: under IPython semantics only such cells
    /// run on the loop.
    pub awaits_at_top_level: bool,
}

impl UnitFacts {
    pub fn collect(parsed: &Parsed<ast::ModModule>, text: &str) -> UnitFacts {
        let mut collector = Collector {
            facts: UnitFacts::default(),
            depth: 0,
            deferred: 0,
            lambdas: 0,
            comprehensions: Vec::new(),
        };
        collector.visit_body(&parsed.syntax().body);
        if collector.facts.autoawait.is_none() {
            collector.facts.autoawait = commented_autoawait(text);
        }
        collector.facts
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

const TASK_STARTERS: &[&str] = &["start_soon", "start", "create_task", "ensure_future"];

struct Collector {
    facts: UnitFacts,
    /// Function nesting depth: 0 at cell top level.
    depth: u32,
    /// Lambda/generator nesting at top level: code there does not run when the cell does.
    deferred: u32,
    /// Lambda body nesting. An `await` in a lambda body belongs to the lambda, but one in
    /// a generator expression makes the enclosing module a coroutine (CPython propagates
    /// the async generator's flag to its scope), as do awaits in lambda defaults.
    lambdas: u32,
    /// The comprehensions around the current node, outermost first: `true` for a
    /// generator expression.
    comprehensions: Vec<bool>,
}

impl<'a> Visitor<'a> for Collector {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                if self.depth == 0 {
                    let name = def.name.id.to_string();
                    if def.is_async {
                        self.facts.async_defs.push(name);
                    } else {
                        self.facts.sync_defs.push(name);
                    }
                }
                for decorator in &def.decorator_list {
                    self.visit_decorator(decorator);
                }
                self.visit_parameters(&def.parameters);
                if let Some(returns) = &def.returns {
                    self.visit_annotation(returns);
                }
                self.depth += 1;
                self.visit_body(&def.body);
                self.depth -= 1;
                return;
            }
            Stmt::ClassDef(class) => {
                if self.depth == 0 {
                    self.facts.sync_defs.push(class.name.id.to_string());
                }
                for decorator in &class.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                self.depth += 1;
                self.visit_body(&class.body);
                self.depth -= 1;
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
                    self.facts.imports.push(binding);
                }
            }
            Stmt::ImportFrom(import) => {
                if let (Some(module), 0) = (&import.module, import.level) {
                    for alias in &import.names {
                        if alias.name.id.as_str() == "*" {
                            continue;
                        }
                        let local = alias.asname.as_ref().unwrap_or(&alias.name).id.to_string();
                        self.facts.imports.push(ImportBinding {
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
            Stmt::For(ast::StmtFor { is_async: true, .. })
            | Stmt::With(ast::StmtWith { is_async: true, .. }) => {
                self.note_top_level_await();
            }
            Stmt::Assign(assign) if self.depth == 0 => {
                for target in &assign.targets {
                    if let Expr::Name(name) = target {
                        self.facts.sync_defs.push(name.id.to_string());
                    }
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
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

impl Collector {
    /// An `await`, `async for` or `async with` at the current point. It makes the module
    /// a coroutine when it sits in module scope, or in a comprehension chain that reaches
    /// module scope: CPython makes a comprehension async when it awaits or holds an async
    /// list/set/dict comprehension (not an async generator expression), and makes the
    /// module a coroutine when an async comprehension of any kind sits directly in it.
    fn note_top_level_await(&mut self) {
        let reaches_module = self
            .comprehensions
            .iter()
            .skip(1)
            .all(|&is_generator| !is_generator);
        if self.depth == 0 && self.lambdas == 0 && reaches_module {
            self.facts.awaits_at_top_level = true;
        }
    }

    /// A comprehension: its first iterable is evaluated in the enclosing scope, the rest
    /// in its own, which runs later for a generator expression.
    fn visit_comprehension<'a>(
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

    fn note_call(&mut self, call: &ast::ExprCall) {
        let Some(callee) = dotted_name(&call.func) else {
            return;
        };
        let method = callee.rsplit('.').next().unwrap_or(&callee);
        if self.depth == 0 && self.deferred == 0 && TASK_STARTERS.contains(&method) {
            self.facts.task_starts.push(TaskStart {
                callee: callee.clone(),
                range: call.range(),
            });
        }
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
    text.lines().find_map(|line| {
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
            unit.facts.task_starts[0].callee,
            "GLOBAL_NURSERY.start_soon"
        );
        assert_eq!(unit.facts.thread_targets, ["work"]);
        assert!(unit.facts.awaits_at_top_level);
    }
}
