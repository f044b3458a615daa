//! What counts as a blocking call, shared by the ASYNC2xx rules (inside `async def`) and
//! LOOP400 (at cell top level), so both always agree. The tables follow flake8-async
//! 25.x; the suggestions name the async API of the document's library.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::analysis::checker::{Checker, Scope, ScopeKind};
use crate::analysis::index::Library;
use crate::analysis::names::dotted_name;
use crate::analysis::rules::Rule;
use crate::fnmatch::fnmatch;

/// Reports a blocking call over the whole call, without a fix. The message is given the
/// callee as written (`requests.get`, an alias, `self.session.get`) so it names what the
/// user typed rather than the resolved qualified name.
pub(crate) fn report_blocking_call(
    checker: &mut Checker,
    rule: Rule,
    call: &ast::ExprCall,
    message: impl FnOnce(&str) -> String,
) {
    let message = message(checker.source(call.func.range()));
    checker.report(rule, call.range(), message, None);
}

/// Whether the bare name `module` refers to that module in code of this unit, so a fix
/// may write `trio.sleep(...)`. Imports in this unit are read exactly. Imports in other
/// cells are known to the index only as "the module is imported somewhere" plus name
/// resolution, which cannot tell `import trio` from `import trio as t` or
/// `from trio import sleep` in another cell (the index would need a lookup of what a
/// local name is bound to); there the module being imported is taken as enough.
pub fn module_bound(checker: &Checker, module: &str) -> bool {
    if checker.is_bound_locally(module) {
        return false;
    }
    let own = &checker.unit.facts.imports;
    if let Some(binding) = own.iter().rev().find(|b| b.local == module) {
        return binding.qualified == module;
    }
    // This unit imports from the module without binding its name (`import trio as t`,
    // `from trio import sleep`): that is how the code refers to it.
    let from_module = |b: &&crate::analysis::facts::ImportBinding| {
        b.qualified == module
            || b.qualified
                .strip_prefix(module)
                .is_some_and(|rest| rest.starts_with('.'))
    };
    if own.iter().any(|b| from_module(&b)) {
        return false;
    }
    let probe = Expr::Name(ast::ExprName {
        node_index: ast::AtomicNodeIndex::default(),
        range: TextRange::default(),
        id: ast::name::Name::new(module),
        ctx: ast::ExprContext::Load,
    });
    checker.imports_module(module) && checker.qualified_name(&probe).as_deref() == Some(module)
}

const HTTP_METHODS: &[&str] = &["get", "options", "head", "post", "put", "patch", "delete"];

/// ASYNC210: a module-level HTTP function of requests or httpx, `urllib3.request`,
/// `urllib.request.urlopen`.
pub fn is_http_call(qualified: &str) -> bool {
    if let Some((module, function)) = qualified.rsplit_once('.') {
        if matches!(module, "requests" | "httpx" | "httpx2")
            && (function == "request" || HTTP_METHODS.contains(&function))
        {
            return true;
        }
    }
    // flake8-async also matches the unresolved spellings `request.urlopen` and `urlopen`.
    matches!(
        qualified,
        "urllib3.request" | "urllib.request.urlopen" | "request.urlopen" | "urlopen"
    )
}

/// ASYNC211: `x.request("GET", ...)` in a document that imports urllib3, whose pool
/// managers take the HTTP method as a string first argument.
pub fn is_http_pool_call(checker: &Checker, call: &ast::ExprCall) -> bool {
    let Expr::Attribute(attribute) = call.func.as_ref() else {
        return false;
    };
    if attribute.attr.id.as_str() != "request" {
        return false;
    }
    let Some(Expr::StringLiteral(method)) = call.arguments.args.first() else {
        return false;
    };
    let method = method.value.to_str().to_ascii_lowercase();
    (HTTP_METHODS.contains(&method.as_str()) || method == "trace" || method == "connect")
        && checker.imports_module("urllib3")
}

/// The process rules: which of ASYNC220 (starts a process without waiting), ASYNC221
/// (runs one to completion) and ASYNC222 (waits for one) a call is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Process {
    Start,
    Run,
    Wait,
}

pub fn process_call(call: &ast::ExprCall, qualified: &str) -> Option<Process> {
    if let Some(function) = qualified.strip_prefix("subprocess.") {
        return match function {
            "Popen" => Some(Process::Start),
            "run" | "call" | "check_call" | "check_output" | "getoutput" | "getstatusoutput" => {
                Some(Process::Run)
            }
            _ => None,
        };
    }
    let function = qualified.strip_prefix("os.")?;
    match function {
        "popen" => Some(Process::Start),
        "system" | "posix_spawn" | "posix_spawnp" => Some(Process::Run),
        "wait" | "wait3" | "wait4" | "waitid" | "waitpid" => Some(Process::Wait),
        _ if is_spawn(function) => {
            // os.spawn*(mode, ...): P_WAIT runs to completion, any other mode starts.
            let is_p_wait = |arg: &Expr| match arg {
                Expr::Attribute(a) => a.attr.id.as_str() == "P_WAIT",
                Expr::Name(n) => n.id.as_str() == "P_WAIT",
                _ => false,
            };
            let positional = call.arguments.args.first().is_some_and(|a| !is_p_wait(a));
            let keyword = call
                .arguments
                .find_keyword("mode")
                .is_some_and(|k| !is_p_wait(&k.value));
            Some(if positional || keyword {
                Process::Start
            } else {
                Process::Run
            })
        }
        _ => None,
    }
}

/// `spawn[vl]p?e?`.
fn is_spawn(function: &str) -> bool {
    let Some(rest) = function.strip_prefix("spawn") else {
        return false;
    };
    let mut rest = rest.strip_prefix(['v', 'l']).unwrap_or("x");
    rest = rest.strip_prefix('p').unwrap_or(rest);
    rest = rest.strip_prefix('e').unwrap_or(rest);
    rest.is_empty()
}

/// ASYNC230: the builtin `open` and its aliases.
pub fn is_open_call(qualified: &str) -> bool {
    matches!(
        qualified,
        "open" | "builtins.open" | "io.open" | "io.open_code"
    )
}

/// ASYNC240: `os.path` functions that stat or resolve paths on disk (flake8-async's list).
pub fn os_path_function(qualified: &str) -> Option<&str> {
    const FUNCTIONS: &[&str] = &[
        "_path_normpath",
        "normpath",
        "_joinrealpath",
        "islink",
        "lexists",
        "ismount",
        "realpath",
        "exists",
        "isdir",
        "isfile",
        "getatime",
        "getctime",
        "getmtime",
        "getsize",
        "samefile",
        "sameopenfile",
        "relpath",
    ];
    let function = qualified.strip_prefix("os.path.")?;
    FUNCTIONS.contains(&function).then_some(function)
}

pub fn is_input(qualified: &str) -> bool {
    matches!(qualified, "input" | "builtins.input")
}

pub fn is_sleep(qualified: &str) -> bool {
    qualified == "time.sleep"
}

/// ASYNC200: the configured pattern a call matches, with its suggested replacement.
/// Patterns are matched as flake8-async matches them, with `fnmatch` (`*` is any run of
/// characters, dots included: `*session.get` matches `self.session.get`), against the
/// callee as written and as resolved through imports. The first matching pattern in
/// name order wins.
pub fn configured<'o>(
    checker: &Checker<'o>,
    call: &ast::ExprCall,
    qualified: Option<&str>,
) -> Option<(&'o str, &'o str)> {
    let options = checker.options();
    if options.blocking_calls.is_empty() {
        return None;
    }
    // As written: a dotted chain (`self.session.get`), else the callee's source text
    // (`make().get`) without line breaks or spaces.
    let written = dotted_name(&call.func).unwrap_or_else(|| {
        checker
            .source(call.func.range())
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    });
    options
        .blocking_calls
        .iter()
        .find(|(pattern, _)| {
            qualified.is_some_and(|q| fnmatch(pattern, q)) || fnmatch(pattern, &written)
        })
        .map(|(pattern, replacement)| (pattern.as_str(), replacement.as_str()))
}

/// A call that blocks the thread for an unbounded time, for LOOP400: the HTTP, process,
/// `input`, `time.sleep` and user-configured tables (file and path calls are quick and
/// left out). Returns a short description of what blocks.
pub fn stalls_thread(
    checker: &Checker,
    call: &ast::ExprCall,
    qualified: &str,
) -> Option<&'static str> {
    if is_sleep(qualified) {
        Some("sleeps")
    } else if is_http_call(qualified) || is_http_pool_call(checker, call) {
        Some("waits for an HTTP response")
    } else if matches!(
        process_call(call, qualified),
        Some(Process::Run | Process::Wait)
    ) {
        Some("waits for a process")
    } else if is_input(qualified) {
        Some("waits for user input")
    } else if configured(checker, call, Some(qualified)).is_some() {
        Some("is a configured blocking call")
    } else {
        None
    }
}

/// How many `a = b` steps of an alias chain are followed.
const ALIAS_STEPS: u8 = 8;

/// The type a variable holds at `before`, as far as its binding tells: a parameter
/// annotation, an annotated assignment, `x = T(...)`, `with T(...) as x`, or `x = y` of
/// a variable with a known type, the last such binding before the use. A name the
/// function does not bind is looked up as Python resolves it: in the enclosing
/// functions (before the nested `def`), then at the unit's top level (before the
/// outermost `def`), skipping class bodies. Types are qualified names (`open(...)`
/// gives `io.TextIOWrapper`). Like flake8-async, only these simple forms are
/// understood; unlike it, a rebinding to something unknown ends what is known, and a
/// class attribute is not taken for a method's variable.
pub fn variable_type(checker: &Checker, name: &str, before: TextSize) -> Option<String> {
    type_in_scopes(checker, checker.scopes(), name, before, ALIAS_STEPS)
}

/// `variable_type` read in the innermost of `scopes` (outermost first).
fn type_in_scopes(
    checker: &Checker,
    scopes: &[Scope],
    name: &str,
    mut before: TextSize,
    steps: u8,
) -> Option<String> {
    let binds = |target: &Expr| match target {
        Expr::Name(n) => n.id.as_str() == name,
        Expr::Tuple(t) => t
            .elts
            .iter()
            .any(|e| matches!(e, Expr::Name(n) if n.id.as_str() == name)),
        _ => true,
    };
    for (index, scope) in scopes.iter().enumerate().rev() {
        let enclosing = &scopes[..=index];
        match scope.kind {
            ScopeKind::Comprehension | ScopeKind::Generator => {
                if scope.generators.iter().any(|g| binds(&g.target)) {
                    return None;
                }
            }
            ScopeKind::Lambda => {
                let parameter = |p: &ast::Parameters| p.iter().any(|p| p.name().as_str() == name);
                if scope.lambda_parameters.is_some_and(parameter) {
                    return None;
                }
            }
            ScopeKind::Class => {
                // Names a class body binds are not visible in the functions nested in
                // it; code right in the class body is not what these rules check.
                let class = scope.class?;
                if index + 1 == scopes.len() {
                    return None;
                }
                before = class.start();
            }
            ScopeKind::AsyncFunction | ScopeKind::SyncFunction => {
                let def = scope.def?;
                if let Some(found) = function_binding(checker, enclosing, def, name, before, steps)
                {
                    return found;
                }
                before = def.start();
            }
            ScopeKind::Module => {
                let mut finder = Bindings {
                    checker,
                    scopes: enclosing,
                    name,
                    before,
                    steps,
                    found: None,
                };
                finder.body(&checker.unit.parsed.syntax().body);
                return finder.found.flatten();
            }
        }
    }
    None
}

/// What the function's own bindings say about `name` at `before`: `Some(type)` when the
/// function binds it (a parameter, or a binding anywhere in its body, which makes it a
/// local even where it is not bound yet), `None` when the name comes from outside.
fn function_binding(
    checker: &Checker,
    scopes: &[Scope],
    def: &ast::StmtFunctionDef,
    name: &str,
    before: TextSize,
    steps: u8,
) -> Option<Option<String>> {
    let mut found: Option<Option<String>> = None;
    for parameter in def.parameters.iter() {
        if parameter.name().id.as_str() == name {
            found = Some(
                parameter
                    .annotation()
                    .and_then(|a| annotation_type(checker, a)),
            );
        }
    }
    let mut finder = Bindings {
        checker,
        scopes,
        name,
        before,
        steps,
        found: None,
    };
    finder.body(&def.body);
    if let Some(typed) = finder.found.or(found) {
        return Some(typed);
    }
    // Bound only after the use: still a local, unbound there.
    let mut anywhere = Bindings {
        checker,
        scopes,
        name,
        before: TextSize::from(u32::MAX),
        steps: 0,
        found: None,
    };
    anywhere.body(&def.body);
    anywhere.found.map(|_| None)
}

fn annotation_type(checker: &Checker, annotation: &Expr) -> Option<String> {
    let inner = match annotation {
        // Optional[T]
        Expr::Subscript(subscript)
            if matches!(
                checker.qualified_name(&subscript.value).as_deref(),
                Some("Optional" | "typing.Optional")
            ) =>
        {
            &subscript.slice
        }
        // T | None, None | T
        Expr::BinOp(binop) if binop.op == ast::Operator::BitOr => {
            match (binop.left.as_ref(), binop.right.as_ref()) {
                (other, Expr::NoneLiteral(_)) | (Expr::NoneLiteral(_), other) => other,
                _ => return None,
            }
        }
        Expr::StringLiteral(string) => {
            // A quoted annotation: its text is the dotted name, resolved by its head.
            let text = string.value.to_str();
            return Some(resolve_text(checker, text));
        }
        other => other,
    };
    checker.qualified_name(inner)
}

/// Resolves a dotted name written as text, through the document's imports.
fn resolve_text(checker: &Checker, text: &str) -> String {
    let (head, rest) = match text.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (text, None),
    };
    let probe = Expr::Name(ast::ExprName {
        node_index: ast::AtomicNodeIndex::default(),
        range: TextRange::default(),
        id: ast::name::Name::new(head),
        ctx: ast::ExprContext::Load,
    });
    let head = checker
        .qualified_name(&probe)
        .unwrap_or_else(|| head.to_string());
    match rest {
        Some(rest) => format!("{head}.{rest}"),
        None => head,
    }
}

/// The type a call creates, for the constructors the rules know.
fn call_type(checker: &Checker, value: &Expr) -> Option<String> {
    let Expr::Call(call) = value else {
        return None;
    };
    let qualified = checker.qualified_name(&call.func)?;
    if is_open_call(&qualified) {
        return Some("io.TextIOWrapper".to_string());
    }
    Some(qualified)
}

/// Walks a function's (or the unit's) statements in source order, not entering nested
/// functions or classes, remembering the last binding of `name` before `before`.
struct Bindings<'c, 'a> {
    checker: &'c Checker<'a>,
    /// The scopes the statements run in, outermost first: where an alias's source is
    /// looked up.
    scopes: &'c [Scope<'a>],
    name: &'c str,
    before: TextSize,
    /// Alias steps left to follow.
    steps: u8,
    /// `Some(None)`: bound to something of unknown type.
    found: Option<Option<String>>,
}

impl Bindings<'_, '_> {
    fn body(&mut self, body: &[Stmt]) {
        for stmt in body {
            if stmt.start() >= self.before {
                return;
            }
            self.stmt(stmt);
        }
    }

    fn is_name(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Name(n) if n.id.as_str() == self.name)
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Assign(assign) if assign.targets.iter().any(|t| self.is_name(t)) => {
                let typed = match assign.value.as_ref() {
                    _ if assign.targets.len() != 1 => None,
                    // `f = ff`: what `ff` holds there.
                    Expr::Name(source) if self.steps > 0 => type_in_scopes(
                        self.checker,
                        self.scopes,
                        source.id.as_str(),
                        assign.start(),
                        self.steps - 1,
                    ),
                    value => call_type(self.checker, value),
                };
                self.found = Some(typed);
            }
            Stmt::Import(ast::StmtImport { names, .. })
            | Stmt::ImportFrom(ast::StmtImportFrom { names, .. })
                if names.iter().any(|alias| {
                    let local = alias.asname.as_ref().unwrap_or(&alias.name).id.as_str();
                    local.split('.').next() == Some(self.name)
                }) =>
            {
                self.found = Some(None);
            }
            Stmt::AnnAssign(assign) if self.is_name(&assign.target) => {
                self.found = Some(annotation_type(self.checker, &assign.annotation));
            }
            Stmt::AugAssign(assign) if self.is_name(&assign.target) => self.found = Some(None),
            Stmt::With(with) => {
                for item in &with.items {
                    if item
                        .optional_vars
                        .as_deref()
                        .is_some_and(|v| self.is_name(v))
                    {
                        // flake8-async types only single-item `with` statements.
                        let typed = (with.items.len() == 1)
                            .then(|| call_type(self.checker, &item.context_expr))
                            .flatten();
                        self.found = Some(typed);
                    }
                }
                self.body(&with.body);
            }
            Stmt::For(for_) => {
                if self.is_name(&for_.target) {
                    self.found = Some(None);
                }
                self.body(&for_.body);
                self.body(&for_.orelse);
            }
            Stmt::While(while_) => {
                self.body(&while_.body);
                self.body(&while_.orelse);
            }
            Stmt::If(if_) => {
                self.body(&if_.body);
                for clause in &if_.elif_else_clauses {
                    self.body(&clause.body);
                }
            }
            Stmt::Try(try_) => {
                self.body(&try_.body);
                for handler in &try_.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    self.body(&handler.body);
                }
                self.body(&try_.orelse);
                self.body(&try_.finalbody);
            }
            Stmt::Match(match_) => {
                for case in &match_.cases {
                    self.body(&case.body);
                }
            }
            Stmt::FunctionDef(ast::StmtFunctionDef { name, .. })
            | Stmt::ClassDef(ast::StmtClassDef { name, .. })
                if name.id.as_str() == self.name =>
            {
                self.found = Some(None);
            }
            _ => {}
        }
    }
}

/// `time.sleep(x)` → `await trio.sleep(x)` (or asyncio's, anyio's), where awaiting is
/// legal, the call has exactly one plain argument, and the module is bound by its name.
pub fn sleep_fix(
    checker: &Checker,
    call: &ast::ExprCall,
    lib: Library,
) -> Option<crate::analysis::diagnostic::Fix> {
    use crate::analysis::diagnostic::{Edit, Fix};
    let [seconds] = &call.arguments.args[..] else {
        return None;
    };
    if !call.arguments.keywords.is_empty()
        || seconds.is_starred_expr()
        || !checker.can_await_here()
        || !module_bound(checker, lib.name())
    {
        return None;
    }
    let replacement = checker.await_text(&format!(
        "{}.sleep({})",
        lib.name(),
        checker.source(seconds.range())
    ));
    Some(Fix::new(
        format!("Replace with `{replacement}`"),
        vec![Edit::replace(call.range(), replacement)],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spawn_names() {
        for name in [
            "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnvpe",
        ] {
            assert!(is_spawn(name), "{name}");
        }
        for name in ["spawn", "spawnx", "spawnlee", "spawnep"] {
            assert!(!is_spawn(name), "{name}");
        }
    }
}
