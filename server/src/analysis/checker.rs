//! One walk over a unit's tree that tracks scopes and hands every node to the rules.
//!
//! Scopes follow CPython's compiler, because legality of `await` depends on them exactly:
//! decorators, defaults, annotations and class bases are evaluated in the enclosing scope;
//! a comprehension's first iterable too; everything else of a comprehension, a lambda, a
//! function or a class body runs in a scope of its own.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::depth::{guarded, guarded_nested_visits};
use super::diagnostic::{Diagnostic, Edit, Fix};
use super::document::SourceKind;
use super::facts::LocalImport;
use super::index::{DocumentIndex, Library, Loop};
use super::names::{head_name, with_tail};
use super::python_version::PythonVersion;
use super::rules::{self, Rule, RuleSet};
use super::settings::{RuleOptions, Target};

mod awaits;
use super::unit::Unit;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    AsyncFunction,
    SyncFunction,
    Lambda,
    Class,
    /// A generator expression: with an `await` inside it becomes an async generator,
    /// which is legal anywhere.
    Generator,
    /// A list, set or dict comprehension: with an `await` inside it becomes an async
    /// comprehension, legal only where its enclosing scope may await.
    Comprehension,
}

#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    pub kind: ScopeKind,
    /// The function or class, for messages and fixes.
    pub def: Option<&'a ast::StmtFunctionDef>,
    pub class_name: Option<&'a str>,
    pub class: Option<&'a ast::StmtClassDef>,
    /// A lambda's parameters, or a comprehension's generators: names they bind.
    pub lambda_parameters: Option<&'a ast::Parameters>,
    pub generators: &'a [ast::Comprehension],
    /// A comprehension or generator expression with an `await` or `async for` of its
    /// own (not only in a nested one). Computed only when the target version is older
    /// than 3.11, the only case that reads it.
    pub directly_async: bool,
}

impl<'a> Scope<'a> {
    fn new(kind: ScopeKind) -> Self {
        Scope {
            kind,
            def: None,
            class_name: None,
            class: None,
            lambda_parameters: None,
            generators: &[],
            directly_async: false,
        }
    }
}

/// Where an `await`-like construct sits, as CPython decides it.
#[derive(Clone, Copy, Debug)]
pub enum AwaitPlacement<'a> {
    /// Inside an `async def` or an async generator expression.
    Legal,
    /// At module level: legal in a cell, a SyntaxError in a script.
    TopLevel,
    /// In a scope that can never await.
    Illegal(Scope<'a>),
    /// An async comprehension directly inside a comprehension or generator expression
    /// that is not async itself: legal from Python 3.11 (bpo-33346), a SyntaxError on
    /// the target version. The scope is the enclosing comprehension.
    NestedComprehension(Scope<'a>),
    /// Directly in an annotation that `from __future__ import annotations` postpones:
    /// a SyntaxError everywhere, cells and `async def` included ("await expression
    /// cannot be used within an annotation").
    PostponedAnnotation,
}

/// What runs the code at the current point when the cell or script runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecContext {
    /// Cell or script top level (class bodies and comprehensions included).
    TopLevel,
    AsyncFunction,
    /// A `def` or lambda: runs wherever it is called from.
    SyncFunction,
}

pub struct Checker<'a> {
    pub unit: &'a Unit,
    pub index: &'a DocumentIndex,
    /// Position of the unit among the document's units.
    pub position: usize,
    enabled: &'a RuleSet,
    options: &'a RuleOptions,
    scopes: Vec<Scope<'a>>,
    stmts: Vec<&'a Stmt>,
    exprs: Vec<&'a Expr>,
    diagnostics: Vec<Diagnostic>,
    /// Whether the unit has `from __future__ import annotations`, or an earlier cell does:
    /// its annotations are kept as strings and never compiled.
    postponed_annotations: bool,
    /// While visiting such an annotation: the scope depth it sits at.
    in_postponed_annotation: Option<usize>,
}

impl<'a> Checker<'a> {
    pub fn new(
        unit: &'a Unit,
        index: &'a DocumentIndex,
        position: usize,
        enabled: &'a RuleSet,
        options: &'a RuleOptions,
    ) -> Self {
        Checker {
            unit,
            index,
            position,
            enabled,
            options,
            scopes: vec![Scope::new(ScopeKind::Module)],
            stmts: Vec::new(),
            exprs: Vec::new(),
            diagnostics: Vec::new(),
            // Its own future import, or an earlier cell's (kept for the cells after it).
            postponed_annotations: unit
                .facts
                .imports
                .iter()
                .any(|import| import.qualified == "__future__.annotations")
                || index
                    .future_annotations_from
                    .is_some_and(|first| first < position),
            in_postponed_annotation: None,
        }
    }

    pub fn run(mut self) -> Vec<Diagnostic> {
        let body = &self.unit.parsed.syntax().body;
        self.visit_body(body);
        self.diagnostics
    }

    /// The options rules read from `[tool.asyncell]`.
    pub fn options(&self) -> &'a RuleOptions {
        self.options
    }

    pub fn enabled(&self, rule: Rule) -> bool {
        self.enabled.contains(rule)
    }

    /// Whether any of `rules` is enabled.
    pub fn enabled_any(&self, rules: RuleSet) -> bool {
        !self.enabled.intersection(rules).is_empty()
    }

    pub fn report(
        &mut self,
        rule: Rule,
        range: TextRange,
        message: impl Into<String>,
        fix: Option<Fix>,
    ) {
        // The rule decides how safe its fixes are: a rule with one declared applicability
        // gets it stamped here; one with several sets it on each fix.
        let fix = fix.map(|fix| match rule.fix_safety {
            [only] => fix.with_applicability(*only),
            _ => fix,
        });
        debug_assert!(
            fix.as_ref()
                .is_none_or(|fix| rule.fix_safety.contains(&fix.applicability)),
            "{}: a fix of an applicability the rule does not declare",
            rule.code
        );
        self.diagnostics.push(Diagnostic {
            rule,
            message: message.into(),
            range,
            severity: rule.severity,
            fix,
        });
    }

    pub fn source(&self, range: TextRange) -> &'a str {
        &self.unit.text[range]
    }

    pub fn kind(&self) -> SourceKind {
        self.index.kind
    }

    /// The oldest Python the code must run on.
    pub fn target_version(&self) -> PythonVersion {
        self.index.target_version
    }

    pub fn loop_(&self) -> Loop {
        self.index.loop_
    }

    /// The fully qualified name an expression refers to, resolving imports as Python
    /// scopes them: an import in an enclosing function body (the innermost that binds
    /// the name) before the document's module-level imports. Resolved by the
    /// expression's position, so a rule that walks a function body from its `def`
    /// resolves the body's names as they are inside it.
    pub fn qualified_name(&self, expr: &Expr) -> Option<String> {
        let local = &self.unit.facts.local_imports;
        if !local.is_empty() {
            let head = head_name(expr)?;
            if let Some(import) = innermost(local, expr.start(), |i| i.binding.local == head) {
                return Some(with_tail(&import.binding.qualified, expr));
            }
        }
        self.index.qualified_name(expr)
    }

    /// Whether `module` is imported where the current node is: at module level in the
    /// document, or in the body of an enclosing function.
    pub fn imports_module(&self, module: &str) -> bool {
        self.index.imports_module(module)
            || self.local_imports_at(self.current_offset()).any(|import| {
                let qualified = import.binding.qualified.as_str();
                qualified
                    .strip_prefix(module)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
    }

    /// The library the code at the current node is written for. The imports of the
    /// enclosing function bodies decide first, innermost first
    /// ([`Library::from_imports`]); else the document's library
    /// ([`IndexData::library`](super::index::IndexData)). At a `def` statement itself
    /// (a rule looking at a whole function) that function's body counts as enclosing.
    pub fn library(&self) -> Library {
        self.library_at(self.current_offset())
    }

    /// [`Checker::library`] for code at `offset`.
    fn library_at(&self, offset: TextSize) -> Library {
        let local = &self.unit.facts.local_imports;
        if local.is_empty() {
            return self.index.library;
        }
        // The enclosing function bodies that import something, innermost first.
        let mut scopes: Vec<TextRange> = self.local_imports_at(offset).map(|i| i.scope).collect();
        scopes.sort_by_key(|scope| std::cmp::Reverse(scope.start()));
        scopes.dedup();
        for scope in scopes {
            let imports = |module: &str| {
                local.iter().any(|i| {
                    i.scope == scope && i.binding.qualified.split('.').next() == Some(module)
                })
            };
            if let Some(library) = Library::from_imports(imports) {
                return library;
            }
        }
        self.index.library
    }

    /// The function-local imports whose function body holds `offset`.
    fn local_imports_at(&self, offset: TextSize) -> impl Iterator<Item = &'a LocalImport> {
        self.unit
            .facts
            .local_imports
            .iter()
            .filter(move |import| import.scope.contains(offset))
    }

    /// Where the node being visited starts: the innermost expression, else the statement;
    /// for a `def` statement itself, its body.
    fn current_offset(&self) -> TextSize {
        if let Some(expr) = self.exprs.last() {
            return expr.start();
        }
        match self.stmts.last() {
            Some(Stmt::FunctionDef(def)) => def.body.first().map_or(def.end(), Ranged::start),
            Some(stmt) => stmt.start(),
            None => TextSize::default(),
        }
    }

    /// The expression enclosing the one being visited.
    pub fn parent_expr(&self) -> Option<&'a Expr> {
        self.exprs.iter().rev().nth(1).copied()
    }

    /// The expressions enclosing the one being visited, outermost first, that one
    /// included (the last). They all belong to the innermost enclosing statement.
    pub fn enclosing_exprs(&self) -> &[&'a Expr] {
        &self.exprs
    }

    /// The statements enclosing the node being visited, outermost first, the one being
    /// visited included (`with`, `try`, loops, `def`s ...). Which part of a compound
    /// statement a node is in (a `try`'s `finally`, a handler) follows from its range.
    pub fn enclosing_stmts(&self) -> &[&'a Stmt] {
        &self.stmts
    }

    pub fn scopes(&self) -> &[Scope<'a>] {
        &self.scopes
    }

    pub fn await_placement(&self) -> AwaitPlacement<'a> {
        // A postponed annotation is only checked by CPython's symbol table, which
        // rejects an `await` right in it and never looks into the lambdas and
        // comprehensions it holds, which are never compiled.
        if let Some(depth) = self.in_postponed_annotation {
            return if self.scopes.len() == depth {
                AwaitPlacement::PostponedAnnotation
            } else {
                AwaitPlacement::Legal
            };
        }
        // Before 3.11 an async comprehension does not make the comprehension around it
        // async: it must sit where awaiting is allowed by itself.
        let nested_rule = self.index.target_version < PythonVersion::Py311;
        for (depth, scope) in self.scopes.iter().enumerate().rev() {
            match scope.kind {
                ScopeKind::AsyncFunction | ScopeKind::Generator => return AwaitPlacement::Legal,
                ScopeKind::Comprehension => {
                    let outer = depth.checked_sub(1).map(|d| self.scopes[d]);
                    if let Some(outer) = outer.filter(|_| nested_rule) {
                        let in_comprehension =
                            matches!(outer.kind, ScopeKind::Comprehension | ScopeKind::Generator);
                        if in_comprehension && !outer.directly_async {
                            return AwaitPlacement::NestedComprehension(outer);
                        }
                    }
                    continue;
                }
                ScopeKind::Module => return AwaitPlacement::TopLevel,
                ScopeKind::SyncFunction | ScopeKind::Lambda | ScopeKind::Class => {
                    return AwaitPlacement::Illegal(*scope);
                }
            }
        }
        AwaitPlacement::TopLevel
    }

    /// Whether inserting `await` here yields valid code with the same meaning: legal in
    /// this kind of file, and not inside a generator expression, which `await` would
    /// silently turn into an async generator that `for` and `list()` cannot consume.
    pub fn can_await_here(&self) -> bool {
        for scope in self.scopes.iter().rev() {
            match scope.kind {
                ScopeKind::AsyncFunction => return true,
                ScopeKind::Comprehension => continue,
                ScopeKind::Module => return self.kind().has_cells(),
                ScopeKind::Generator
                | ScopeKind::SyncFunction
                | ScopeKind::Lambda
                | ScopeKind::Class => return false,
            }
        }
        self.kind().has_cells()
    }

    pub fn exec_context(&self) -> ExecContext {
        for scope in self.scopes.iter().rev() {
            match scope.kind {
                ScopeKind::Module => return ExecContext::TopLevel,
                ScopeKind::AsyncFunction => return ExecContext::AsyncFunction,
                ScopeKind::SyncFunction | ScopeKind::Lambda => return ExecContext::SyncFunction,
                ScopeKind::Class | ScopeKind::Generator | ScopeKind::Comprehension => continue,
            }
        }
        ExecContext::TopLevel
    }

    /// The innermost enclosing `def` (sync or async), skipping lambdas and comprehensions.
    pub fn enclosing_function(&self) -> Option<&'a ast::StmtFunctionDef> {
        self.scopes.iter().rev().find_map(|s| s.def)
    }

    /// Whether the loop is running on this thread when cell top-level code executes.
    /// Under asyncell every cell runs on the loop; under IPython only cells that await at
    /// top level do.
    pub fn top_level_runs_on_loop(&self) -> bool {
        self.kind().has_cells()
            && (self.index.target == Target::Asyncell
                || self
                    .unit
                    .facts
                    .awaits_at_top_level(self.index.target_version))
    }

    /// The fix that awaits the expression being visited (spanning `range`): `await f()`,
    /// or `(await f()).x` where the expression is the object of an attribute access, a
    /// subscript or a call, which bind tighter than `await`.
    pub fn add_await_fix(&self, range: TextRange) -> Fix {
        let edits = if self.await_needs_parens() {
            vec![
                Edit::insert(range.start(), "(await "),
                Edit::insert(range.end(), ")"),
            ]
        } else {
            vec![Edit::insert(range.start(), "await ")]
        };
        Fix::new("Add `await`", edits)
    }

    /// Source text that awaits `operand` in place of the expression being visited:
    /// the operand is parenthesized unless it is a primary (`await` takes a primary), and
    /// the whole is parenthesized where the context binds tighter than `await`.
    pub fn await_replacement(&self, operand: &Expr) -> String {
        self.await_text(&self.primary_source(operand))
    }

    /// `await {primary}`, parenthesized where the context requires it.
    pub fn await_text(&self, primary: &str) -> String {
        if self.await_needs_parens() {
            format!("(await {primary})")
        } else {
            format!("await {primary}")
        }
    }

    /// An expression's source, parenthesized unless it is a primary (a name, attribute,
    /// call, subscript, literal or display) that can be awaited or called as it is.
    pub fn primary_source(&self, expr: &Expr) -> String {
        let source = self.source(expr.range());
        let is_primary = match expr {
            Expr::Name(_)
            | Expr::Attribute(_)
            | Expr::Call(_)
            | Expr::Subscript(_)
            | Expr::NumberLiteral(_)
            | Expr::StringLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::FString(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_)
            | Expr::EllipsisLiteral(_)
            | Expr::List(_)
            | Expr::Dict(_)
            | Expr::Set(_)
            | Expr::ListComp(_)
            | Expr::SetComp(_)
            | Expr::DictComp(_) => true,
            Expr::Tuple(tuple) => tuple.parenthesized,
            _ => false,
        };
        if is_primary {
            source.to_string()
        } else {
            format!("({source})")
        }
    }

    /// Whether the expression being visited is the object of an attribute access, a
    /// subscript or a call, so that `await` in its place needs parentheses.
    fn await_needs_parens(&self) -> bool {
        let (Some(current), Some(parent)) = (self.exprs.last(), self.parent_expr()) else {
            return false;
        };
        let object = match parent {
            Expr::Attribute(attribute) => &attribute.value,
            Expr::Subscript(subscript) => &subscript.value,
            Expr::Call(call) => &call.func,
            _ => return false,
        };
        object.range() == current.range()
    }

    /// Whether `name`, read here, may be a local of an enclosing function, lambda or
    /// comprehension rather than the module-level name: a parameter, a comprehension
    /// target, or a name a function body binds (without declaring it `global`). Class
    /// bodies are skipped, as Python skips them when resolving names in nested scopes.
    pub fn is_bound_locally(&self, name: &str) -> bool {
        self.scopes.iter().rev().any(|scope| {
            let parameter = |parameters: &ast::Parameters| {
                parameters.iter().any(|p| p.name().id.as_str() == name)
            };
            match scope.kind {
                ScopeKind::Module | ScopeKind::Class => false,
                ScopeKind::Lambda => scope.lambda_parameters.is_some_and(parameter),
                ScopeKind::Generator | ScopeKind::Comprehension => {
                    scope.generators.iter().any(|generator| {
                        let mut finder = StoreFinder::new(name);
                        finder.visit_expr(&generator.target);
                        finder.found
                    })
                }
                ScopeKind::AsyncFunction | ScopeKind::SyncFunction => {
                    scope.def.is_some_and(|def| {
                        let mut finder = StoreFinder::new(name);
                        finder.visit_body(&def.body);
                        parameter(&def.parameters) || (finder.found && !finder.global)
                    })
                }
            }
        })
    }

    /// Whether `func` names an `async def` that the enclosing code defines itself: a
    /// function nested in the enclosing function's body, or, as `self.name`/`cls.name`
    /// in a method, an `async def` of the enclosing class. The document index only
    /// knows module-level functions.
    pub fn is_local_async_def(&self, func: &Expr) -> bool {
        let Some(at) = self.scopes.iter().rposition(|s| s.def.is_some()) else {
            return false;
        };
        let (name, body) = match func {
            Expr::Name(name) => match self.scopes[at].def {
                Some(def) => (name.id.as_str(), &def.body),
                None => return false,
            },
            Expr::Attribute(attribute) => {
                let receiver = match attribute.value.as_ref() {
                    Expr::Name(receiver) => receiver.id.as_str(),
                    _ => return false,
                };
                let class = at.checked_sub(1).and_then(|outer| self.scopes[outer].class);
                match class {
                    Some(class) if receiver == "self" || receiver == "cls" => {
                        (attribute.attr.id.as_str(), &class.body)
                    }
                    _ => return false,
                }
            }
            _ => return false,
        };
        // Every binding of the name in that body must be a plain `async def`: a sync
        // rebinding, or a decorator such as `@property`, changes what a call returns.
        let mut bindings = body.iter().filter_map(|stmt| match stmt {
            Stmt::FunctionDef(def) if def.name.id.as_str() == name => Some(Some(def)),
            Stmt::Assign(_)
            | Stmt::AnnAssign(_)
            | Stmt::ClassDef(_)
            | Stmt::Import(_)
            | Stmt::ImportFrom(_) => {
                let mut finder = StoreFinder::new(name);
                finder.visit_stmt(stmt);
                finder.found.then_some(None)
            }
            _ => None,
        });
        let mut any = false;
        bindings.all(|binding| {
            any = true;
            binding.is_some_and(|def| {
                def.is_async
                    && def.decorator_list.iter().all(|d| {
                        matches!(&d.expression, Expr::Name(n)
                            if matches!(n.id.as_str(), "staticmethod" | "classmethod"))
                    })
            })
        }) && any
    }

    /// Whether `rule` already reported exactly this range in this unit.
    pub fn already_reported(&self, rule: Rule, range: TextRange) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.rule == rule && d.range == range)
    }

    /// Byte offset of the `def` keyword of a function (after its decorators). It is the
    /// last `def` before the name: a comment after the decorators may say "def" too.
    pub fn def_keyword(&self, def: &ast::StmtFunctionDef) -> Option<TextSize> {
        let search_from = def.decorator_list.last().map_or(def.start(), |d| d.end());
        let between = TextRange::new(search_from, def.name.start());
        let offset = self.source(between).rfind("def")?;
        Some(search_from + TextSize::try_from(offset).ok()?)
    }

    fn with_scope(&mut self, scope: Scope<'a>, walk: impl FnOnce(&mut Self)) {
        self.scopes.push(scope);
        walk(self);
        self.scopes.pop();
    }

    fn visit_comprehension_scope(
        &mut self,
        kind: ScopeKind,
        generators: &'a [ast::Comprehension],
        elements: &[&'a Expr],
    ) {
        let Some((first, rest)) = generators.split_first() else {
            return;
        };
        // The first iterable is evaluated in the enclosing scope.
        self.visit_expr(&first.iter);
        let directly_async = self.index.target_version < PythonVersion::Py311
            && awaits::comprehension_awaits(generators, elements);
        self.with_scope(
            Scope {
                generators,
                directly_async,
                ..Scope::new(kind)
            },
            |checker| {
                for (i, generator) in generators.iter().enumerate() {
                    if generator.is_async {
                        rules::on_await_like(checker, generator.range, "async for");
                    }
                    checker.visit_expr(&generator.target);
                    if i > 0 {
                        checker.visit_expr(&generator.iter);
                    }
                    for condition in &generator.ifs {
                        checker.visit_expr(condition);
                    }
                }
                let _ = rest;
                for element in elements {
                    checker.visit_expr(element);
                }
            },
        );
    }

    fn visit_parameters_in_enclosing_scope(&mut self, parameters: &'a ast::Parameters) {
        for parameter in parameters.iter() {
            if let Some(default) = parameter.default() {
                self.visit_expr(default);
            }
            if let Some(annotation) = parameter.annotation() {
                self.visit_annotation(annotation);
            }
        }
    }

    /// The statement visit proper; `visit_stmt` wraps it to keep `stmts` current.
    fn visit_stmt_inner(&mut self, stmt: &'a Stmt) {
        rules::on_stmt(self, stmt);
        match stmt {
            Stmt::FunctionDef(def) => {
                for decorator in &def.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                self.visit_parameters_in_enclosing_scope(&def.parameters);
                if let Some(returns) = &def.returns {
                    self.visit_annotation(returns);
                }
                let kind = if def.is_async {
                    ScopeKind::AsyncFunction
                } else {
                    ScopeKind::SyncFunction
                };
                self.with_scope(
                    Scope {
                        def: Some(def),
                        ..Scope::new(kind)
                    },
                    |checker| {
                        checker.visit_body(&def.body);
                    },
                );
            }
            Stmt::ClassDef(class) => {
                for decorator in &class.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                let scope = Scope {
                    class_name: Some(class.name.id.as_str()),
                    class: Some(class),
                    ..Scope::new(ScopeKind::Class)
                };
                self.with_scope(scope, |checker| checker.visit_body(&class.body));
            }
            Stmt::For(ast::StmtFor {
                is_async: true,
                range,
                ..
            }) => {
                let keyword = TextRange::at(range.start(), TextSize::new(5));
                rules::on_await_like(self, keyword, "async for");
                visitor::walk_stmt(self, stmt);
            }
            Stmt::With(ast::StmtWith {
                is_async: true,
                range,
                ..
            }) => {
                let keyword = TextRange::at(range.start(), TextSize::new(5));
                rules::on_await_like(self, keyword, "async with");
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }
}

impl<'a> Visitor<'a> for Checker<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        guarded(|| {
            self.stmts.push(stmt);
            self.visit_stmt_inner(stmt);
            self.stmts.pop();
        });
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        guarded(|| self.visit_expr_inner(expr));
    }

    /// Parameter, return and variable annotations (the walk of `x: T = v` comes here).
    fn visit_annotation(&mut self, expr: &'a Expr) {
        if !self.postponed_annotations || self.in_postponed_annotation.is_some() {
            self.visit_expr(expr);
            return;
        }
        self.in_postponed_annotation = Some(self.scopes.len());
        self.visit_expr(expr);
        self.in_postponed_annotation = None;
    }

    guarded_nested_visits!('a);
}

impl<'a> Checker<'a> {
    /// The expression visit proper; `visit_expr` wraps it in the stack guard.
    fn visit_expr_inner(&mut self, expr: &'a Expr) {
        self.exprs.push(expr);
        rules::on_expr(self, expr);
        match expr {
            Expr::Await(await_expr) => {
                rules::on_await_like(self, await_expr.range, "await");
                visitor::walk_expr(self, expr);
            }
            Expr::Lambda(lambda) => {
                if let Some(parameters) = &lambda.parameters {
                    self.visit_parameters_in_enclosing_scope(parameters);
                }
                let scope = Scope {
                    lambda_parameters: lambda.parameters.as_deref(),
                    ..Scope::new(ScopeKind::Lambda)
                };
                self.with_scope(scope, |checker| checker.visit_expr(&lambda.body));
            }
            Expr::Generator(generator) => {
                self.visit_comprehension_scope(
                    ScopeKind::Generator,
                    &generator.generators,
                    &[&generator.elt],
                );
            }
            Expr::ListComp(comp) => {
                self.visit_comprehension_scope(
                    ScopeKind::Comprehension,
                    &comp.generators,
                    &[&comp.elt],
                );
            }
            Expr::SetComp(comp) => {
                self.visit_comprehension_scope(
                    ScopeKind::Comprehension,
                    &comp.generators,
                    &[&comp.elt],
                );
            }
            Expr::DictComp(comp) => {
                let mut elements: Vec<&Expr> = Vec::with_capacity(2);
                if let Some(key) = &comp.key {
                    elements.push(key);
                }
                elements.push(&comp.value);
                self.visit_comprehension_scope(
                    ScopeKind::Comprehension,
                    &comp.generators,
                    &elements,
                );
            }
            _ => visitor::walk_expr(self, expr),
        }
        self.exprs.pop();
    }
}

/// The import of the innermost function body around `offset` that `wanted` accepts.
fn innermost(
    imports: &[LocalImport],
    offset: TextSize,
    wanted: impl Fn(&LocalImport) -> bool,
) -> Option<&LocalImport> {
    imports
        .iter()
        .filter(|import| import.scope.contains(offset) && wanted(import))
        .max_by_key(|import| import.scope.start())
}

/// Finds whether a function body binds a name in its own scope: assignment targets,
/// loop and `with` targets, imports, nested `def` and `class` names. Nested functions,
/// classes, lambdas and comprehensions bind in scopes of their own and are not entered.
struct StoreFinder<'n> {
    name: &'n str,
    found: bool,
    /// Declared `global` or `nonlocal`: the binding is not local after all.
    global: bool,
}

impl<'n> StoreFinder<'n> {
    fn new(name: &'n str) -> Self {
        StoreFinder {
            name,
            found: false,
            global: false,
        }
    }
}

impl<'a> Visitor<'a> for StoreFinder<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        guarded(|| self.visit_stmt_inner(stmt));
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        guarded(|| match expr {
            Expr::Name(name) if name.ctx.is_store() => {
                self.found |= name.id.as_str() == self.name;
            }
            Expr::Lambda(_)
            | Expr::Generator(_)
            | Expr::ListComp(_)
            | Expr::SetComp(_)
            | Expr::DictComp(_) => {}
            _ => visitor::walk_expr(self, expr),
        });
    }

    guarded_nested_visits!('a);
}

impl StoreFinder<'_> {
    fn visit_stmt_inner<'a>(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(ast::StmtFunctionDef { name, .. })
            | Stmt::ClassDef(ast::StmtClassDef { name, .. }) => {
                self.found |= name.id.as_str() == self.name;
                return;
            }
            Stmt::Global(ast::StmtGlobal { names, .. })
            | Stmt::Nonlocal(ast::StmtNonlocal { names, .. }) => {
                self.global |= names.iter().any(|n| n.id.as_str() == self.name);
            }
            Stmt::Import(ast::StmtImport { names, .. }) => {
                self.found |= names.iter().any(|alias| match &alias.asname {
                    Some(asname) => asname.id.as_str() == self.name,
                    None => alias.name.id.split('.').next() == Some(self.name),
                });
            }
            Stmt::ImportFrom(ast::StmtImportFrom { names, .. }) => {
                self.found |= names.iter().any(|alias| {
                    alias.asname.as_ref().unwrap_or(&alias.name).id.as_str() == self.name
                });
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }
}
