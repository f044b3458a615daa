//! The checkpoint walk shared by ASYNC100 and ASYNC910-913: one forward walk over a
//! function body (or a module-level statement) that tracks, at every point, which
//! "marks" may still be reached without a checkpoint since: the function's start, the
//! last `yield`, the start of the current loop iteration, the entry of a cancel scope.
//!
//! What counts, as in flake8-async:
//! - checkpoints: `await` (after its operand), `async for` (each iteration and the
//!   end), `async with` (entry and exit; a nursery or task group exit only if something
//!   was started in it with `start_soon`), and `raise` (an exception leaves anyway);
//! - `return` is a schedule point: it ends the path, so later code is not blamed on it,
//!   but it does not count as a cancel point for cancel scopes;
//! - `yield` hands control to the consumer, which may checkpoint: it counts for
//!   ASYNC100 but starts a new uncheckpointed stretch for ASYNC911;
//! - `if`, `match`, conditional expressions and the right side of `and`/`or` only
//!   checkpoint if every branch does; loops may run zero times unless their iterable is
//!   a non-empty literal or their condition is constantly true; `try` bodies may be
//!   left at any point into a handler or `finally`; a context manager that may suppress
//!   exceptions (`contextlib.suppress`, `exception-suppress-context-managers`) makes its
//!   body's checkpoints not guaranteed for the code after it.
//!
//! Each body is walked once: nested functions are skipped (they get their own walk from
//! the `def` hook) and the state is a small set of marks, so the cost is linear in the
//! size of the function.
//!
//! The marks it carries are in [`super::marks`], the fixes it prepares in
//! [`super::fixes`], what counts as a cancel scope or task group in [`super::apis`].

use std::mem;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::FxHashSet;

use super::apis::{is_cancel_scope, is_suppressing, is_taskgroup};
use super::marks::{collect_yields, Mark, Marks};
use crate::analysis::checker::Checker;
use crate::analysis::depth::guarded;
use crate::analysis::diagnostic::{Edit, Fix};
use crate::analysis::index::Library;
use crate::analysis::rules::literal_range::literal_range_is_non_empty;
use crate::analysis::rules::Rule;

/// What a path that is not guaranteed to checkpoint ends with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExitKind {
    Return,
    Yield,
    /// Falling off the end of the function.
    End,
}

impl ExitKind {
    /// The exit in words, in `what` (`async function `f``).
    pub(crate) fn describe(self, what: &str) -> String {
        match self {
            ExitKind::Return => format!("`return` from {what}"),
            ExitKind::Yield => format!("`yield` in {what}"),
            ExitKind::End => format!("the end of {what}"),
        }
    }
}

/// A `return`, `yield` or the end of a function that the walk found reachable without a
/// checkpoint: one finding of ASYNC910 (not a generator) or ASYNC911 (a generator).
#[derive(Clone, Debug)]
pub(crate) struct UncheckedExit {
    /// The function's name.
    pub(crate) function: String,
    pub(crate) kind: ExitKind,
    pub(crate) range: TextRange,
    pub(crate) since: Since,
    pub(crate) fix: Option<Fix>,
}

impl UncheckedExit {
    /// Reports it as `rule`: `kind` of exit from `what` (`async function`, `async
    /// generator`) reachable without a checkpoint since `started` (`the function`, `the
    /// generator`) or the previous `yield`.
    pub(crate) fn report(self, checker: &mut Checker, rule: Rule, what: &str, started: &str) {
        if !checker.enabled(rule) {
            return;
        }
        let exit = self.kind.describe(&format!("{what} `{}`", self.function));
        let since = match self.since {
            Since::FunctionStart => format!("since {started} started"),
            Since::Yield => "since the previous `yield`".to_string(),
        };
        let checkpoint = checker.library().checkpoint_call();
        let message = format!(
            "{exit} can be reached without a checkpoint {since}, so on that path it cannot \
             be cancelled and lets no other task run: add `await {checkpoint}` before it"
        );
        checker.report(rule, self.range, message, self.fix);
    }
}

/// Since when the path has not checkpointed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Since {
    FunctionStart,
    Yield,
}

/// What the walk found, for the rule files to report.
#[derive(Clone, Debug)]
pub(crate) enum Event {
    /// ASYNC100: a cancel scope whose body has no checkpoint at all.
    EmptyCancelScope {
        call: TextRange,
        /// `trio.move_on_after`, `asyncio.timeout` ...
        name: String,
        fix: Option<Fix>,
    },
    /// ASYNC912: a cancel scope whose body checkpoints on some paths only.
    UnguaranteedCancelScope { call: TextRange, name: String },
    /// ASYNC910 (not a generator so far) or ASYNC911 (a generator).
    Exit {
        generator: bool,
        exit: UncheckedExit,
    },
    /// ASYNC913: a loop that never ends by itself and may spin without a checkpoint.
    IndefiniteLoop { range: TextRange, fix: Option<Fix> },
}

/// A `return` or `yield` whose path may lack a checkpoint.
#[derive(Clone, Debug)]
struct ExitSite {
    kind: ExitKind,
    range: TextRange,
    /// Insert a checkpoint on the line before it, where that is mechanical.
    before: Option<Edit>,
    in_except: bool,
}

#[derive(Default)]
struct LoopState {
    infinite: bool,
    guaranteed_once: bool,
    has_break: bool,
    before_continue: Marks,
    before_break: Marks,
    /// Exits that saw the loop start mark, resolved when the loop ends.
    pending: Vec<(ExitSite, bool)>,
    /// Where the top of the body is, for fixes.
    body_start: Option<Edit>,
}

#[derive(Default)]
struct TryState {
    body_unchecked: Marks,
    try_end: Marks,
    except_unchecked: Marks,
}

struct CancelScope {
    has_checkpoint: Option<bool>,
    call: Option<(TextRange, String, TextSize)>,
}

/// A cancel scope found without any checkpoint, held until the end so that nested
/// ones do not get overlapping fixes.
pub(super) struct EmptyScope<'a> {
    pub(super) with: &'a ast::StmtWith,
    pub(super) item: usize,
    pub(super) call: TextRange,
    pub(super) name: String,
}

/// Which rules the caller wants results for.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Wanted {
    pub(crate) async100: bool,
    pub(crate) async91x: bool,
}

pub(crate) struct Flow<'c, 'a> {
    pub(super) checker: &'c Checker<'c>,
    pub(super) library: Library,
    /// Whether the fix may name the library (it is imported).
    pub(super) can_fix: bool,
    pub(super) wanted: Wanted,
    /// Whether exits are checked: inside an `async def` not exempted by decorators.
    async_function: bool,
    has_yield: bool,
    unchecked: Marks,
    loop_: LoopState,
    try_: TryState,
    except_depth: u32,
    function_body_start: Option<Edit>,
    scopes: Vec<CancelScope>,
    taskgroups: Vec<(&'a str, bool)>,
    /// Inside `and` / `or`: no fixes for yields there.
    boolean_depth: u32,
    comp_unknown: bool,
    /// The simple statement being walked, where a checkpoint can be inserted before.
    line_stmt: Option<&'a Stmt>,
    /// Exits are not reported (an `__aenter__`/`__aexit__` whose partner checkpoints).
    exempt: bool,
    empty_scopes: Vec<EmptyScope<'a>>,
    /// (code-is-913, offset) of fixes already attached, so that two findings do not
    /// insert the same checkpoint twice.
    pub(super) fixed_at: FxHashSet<(bool, TextSize)>,
    events: Vec<Event>,
    function: &'a str,
}

impl<'c, 'a> Flow<'c, 'a> {
    pub(crate) fn new(checker: &'c Checker<'c>, wanted: Wanted) -> Self {
        let library = checker.library();
        Flow {
            checker,
            library,
            can_fix: checker.imports_module(library.name()),
            wanted,
            async_function: false,
            has_yield: false,
            unchecked: Marks::default(),
            loop_: LoopState::default(),
            try_: TryState::default(),
            except_depth: 0,
            function_body_start: None,
            scopes: Vec::new(),
            taskgroups: Vec::new(),
            boolean_depth: 0,
            comp_unknown: false,
            line_stmt: None,
            exempt: false,
            empty_scopes: Vec::new(),
            fixed_at: FxHashSet::default(),
            events: Vec::new(),
            function: "",
        }
    }

    /// Walks an `async def` body. `check_exits` is false when a decorator exempts the
    /// function from ASYNC910/911 (cancel scopes are still checked); `exempt` silences
    /// the exits of a context manager method whose partner checkpoints.
    pub(crate) fn function(
        mut self,
        def: &'a ast::StmtFunctionDef,
        check_exits: bool,
        exempt: bool,
    ) -> Vec<Event> {
        self.async_function = check_exits;
        self.exempt = exempt;
        self.function = def.name.id.as_str();
        self.unchecked = Marks::one(Mark::Start);
        self.function_body_start = self.body_start_edit(&def.body);
        self.stmts(&def.body);
        if self.async_function && !self.unchecked.is_empty() {
            let site = ExitSite {
                kind: ExitKind::End,
                range: def.name.range(),
                before: self.body_end_edit(&def.body),
                in_except: false,
            };
            // Falling off the end never sees a loop start mark.
            let marks = self.unchecked.clone();
            self.report_exit(&site, &marks, site.before.clone());
        }
        self.finish()
    }

    /// Walks a module-level statement: only cancel scopes are checked (top-level
    /// `await` in cells counts as a checkpoint).
    pub(crate) fn module_statement(mut self, stmt: &'a Stmt) -> Vec<Event> {
        self.stmt(stmt);
        self.finish()
    }

    fn finish(mut self) -> Vec<Event> {
        let scopes = mem::take(&mut self.empty_scopes);
        let mut fixed: Vec<TextRange> = Vec::new();
        // Outermost first (they start earlier), so that a scope nested in one that is
        // being removed gets no second, overlapping fix.
        let mut order: Vec<&EmptyScope> = scopes.iter().collect();
        order.sort_by_key(|s| s.with.start());
        for scope in order {
            let nested = fixed.iter().any(|r| r.contains_range(scope.with.range()));
            let fix = if nested {
                None
            } else {
                self.remove_scope_fix(scope)
            };
            if fix.is_some() {
                fixed.push(scope.with.range());
            }
            self.events.push(Event::EmptyCancelScope {
                call: scope.call,
                name: scope.name.clone(),
                fix,
            });
        }
        self.events
    }

    // ---- checkpoints -------------------------------------------------------------

    fn cancel_point(&mut self) {
        for scope in self.scopes.iter_mut().rev() {
            if scope.has_checkpoint == Some(true) {
                break;
            }
            scope.has_checkpoint = Some(true);
        }
        self.taskgroups.clear();
    }

    /// The path ended or handed control to the loop, without being a cancel point:
    /// only the artificial marks (loop and cancel scope entries) survive.
    fn schedule_point(&mut self) {
        self.unchecked.0.retain(|m| m.is_artificial());
    }

    fn checkpoint(&mut self) {
        self.unchecked = Marks::default();
        self.cancel_point();
    }

    // ---- exits ---------------------------------------------------------------------

    /// A `return` or `yield` (or the function's end) under the current marks.
    fn exit(&mut self, site: ExitSite) {
        if self.unchecked.is_empty() {
            return;
        }
        if self.unchecked.contains(Mark::LoopStart) {
            // Whether this is an error depends on the rest of the loop.
            let only_loop = self.unchecked.len() == 1;
            self.loop_.pending.push((site.clone(), only_loop));
            if only_loop {
                return;
            }
        }
        let fix = self.exit_fix(&site);
        let marks = self.unchecked.clone();
        self.report_exit(&site, &marks, fix);
    }

    /// Where to insert the checkpoint for an exit: before it, or, inside an `except`
    /// clause (where a checkpoint would trigger ASYNC120), at the top of the loop or
    /// function when that covers every uncheckpointed path.
    fn exit_fix(&mut self, site: &ExitSite) -> Option<Edit> {
        let redirectable = self
            .unchecked
            .0
            .iter()
            .all(|m| matches!(m, Mark::Start | Mark::LoopStart | Mark::ScopeEntry(_)));
        if site.in_except && redirectable {
            if self.unchecked.contains(Mark::LoopStart) {
                return self.loop_.body_start.clone();
            }
            return self.function_body_start.clone();
        }
        site.before.clone()
    }

    fn report_exit(&mut self, site: &ExitSite, marks: &Marks, fix: Option<Edit>) {
        if self.exempt || !self.async_function || !self.wanted.async91x {
            return;
        }
        let mut fix = fix;
        for &mark in &marks.0 {
            let since = match mark {
                Mark::Start => Since::FunctionStart,
                Mark::Yield(_) => Since::Yield,
                Mark::LoopStart | Mark::ScopeEntry(_) => continue,
            };
            let fix = fix.take().and_then(|edit| self.fix_once(false, edit));
            self.events.push(Event::Exit {
                generator: self.has_yield,
                exit: UncheckedExit {
                    function: self.function.to_string(),
                    kind: site.kind,
                    range: site.range,
                    since,
                    fix,
                },
            });
        }
    }

    fn site(&self, kind: ExitKind, range: TextRange) -> ExitSite {
        let before = match self.line_stmt {
            Some(stmt) if self.boolean_depth == 0 => self.before_stmt_edit(stmt),
            _ => None,
        };
        ExitSite {
            kind,
            range,
            before,
            in_except: self.except_depth > 0,
        }
    }

    // ---- statements ----------------------------------------------------------------

    fn stmts(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            self.stmt(stmt);
        }
    }

    fn stmt(&mut self, stmt: &'a Stmt) {
        guarded(|| {
            match stmt {
                // Nested functions get their own walk; their decorators and defaults run
                // here.
                Stmt::FunctionDef(def) => {
                    for decorator in &def.decorator_list {
                        self.expr(&decorator.expression);
                    }
                    for parameter in def.parameters.iter() {
                        if let Some(default) = parameter.default() {
                            self.expr(default);
                        }
                    }
                }
                Stmt::ClassDef(class) => {
                    for decorator in &class.decorator_list {
                        self.expr(&decorator.expression);
                    }
                    if let Some(arguments) = &class.arguments {
                        for argument in arguments.args.iter() {
                            self.expr(argument);
                        }
                        for keyword in arguments.keywords.iter() {
                            self.expr(&keyword.value);
                        }
                    }
                    self.stmts(&class.body);
                }
                Stmt::Return(ret) => {
                    self.simple(stmt, |flow| {
                        if let Some(value) = &ret.value {
                            flow.expr(value);
                        }
                        if flow.async_function {
                            let site = flow.site(ExitKind::Return, stmt.range());
                            flow.exit(site);
                            flow.schedule_point();
                        }
                    });
                }
                Stmt::Raise(raise) => {
                    self.simple(stmt, |flow| {
                        if let Some(exc) = &raise.exc {
                            flow.expr(exc);
                        }
                        if let Some(cause) = &raise.cause {
                            flow.expr(cause);
                        }
                        flow.checkpoint();
                    });
                }
                Stmt::If(if_) => self.if_stmt(if_),
                Stmt::For(for_) => {
                    self.expr(&for_.iter);
                    self.loop_stmt(
                        stmt,
                        None,
                        Some(&for_.iter),
                        for_.is_async,
                        &for_.body,
                        &for_.orelse,
                    );
                }
                Stmt::While(while_) => {
                    self.loop_stmt(
                        stmt,
                        Some(&while_.test),
                        None,
                        false,
                        &while_.body,
                        &while_.orelse,
                    );
                }
                Stmt::With(with) => self.with_stmt(with),
                Stmt::Try(try_) => self.try_stmt(try_),
                Stmt::Match(match_) => self.match_stmt(match_),
                Stmt::Break(_) => {
                    self.loop_.has_break = true;
                    if self.async_function {
                        let marks = self.unchecked.clone();
                        self.loop_.before_break.extend(&marks);
                    }
                }
                Stmt::Continue(_) => {
                    if self.async_function {
                        let marks = self.unchecked.clone();
                        self.loop_.before_continue.extend(&marks);
                    }
                }
                _ => self.simple(stmt, |flow| {
                    flow.simple_children(stmt);
                }),
            }
        });
    }

    fn simple(&mut self, stmt: &'a Stmt, walk: impl FnOnce(&mut Self)) {
        let outer = self.line_stmt.replace(stmt);
        walk(self);
        self.line_stmt = outer;
    }

    /// The expressions of a simple statement, in evaluation order where it matters
    /// (the value before the targets).
    fn simple_children(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Expr(s) => self.expr(&s.value),
            Stmt::Assign(s) => {
                self.expr(&s.value);
                for target in &s.targets {
                    self.expr(target);
                }
            }
            Stmt::AugAssign(s) => {
                self.expr(&s.target);
                self.expr(&s.value);
            }
            Stmt::AnnAssign(s) => {
                if let Some(value) = &s.value {
                    self.expr(value);
                }
                self.expr(&s.target);
            }
            Stmt::Delete(s) => {
                for target in &s.targets {
                    self.expr(target);
                }
            }
            Stmt::Assert(s) => {
                self.expr(&s.test);
                if let Some(msg) = &s.msg {
                    self.expr(msg);
                }
            }
            Stmt::TypeAlias(s) => self.expr(&s.value),
            _ => {}
        }
    }

    fn if_stmt(&mut self, if_: &'a ast::StmtIf) {
        self.expr(&if_.test);
        let mut branches = Marks::default();
        let base = self.unchecked.clone();
        self.stmts(&if_.body);
        branches.extend(&mem::replace(&mut self.unchecked, base));
        for clause in &if_.elif_else_clauses {
            match &clause.test {
                Some(test) => {
                    self.expr(test);
                    let base = self.unchecked.clone();
                    self.stmts(&clause.body);
                    branches.extend(&mem::replace(&mut self.unchecked, base));
                }
                None => self.stmts(&clause.body),
            }
        }
        self.unchecked.extend(&branches);
    }

    fn loop_stmt(
        &mut self,
        stmt: &'a Stmt,
        test: Option<&'a Expr>,
        iter: Option<&'a Expr>,
        is_async: bool,
        body: &'a [Stmt],
        orelse: &'a [Stmt],
    ) {
        let saved = mem::take(&mut self.loop_);
        if let Some(test) = test {
            if is_constant_true(test) {
                self.loop_.infinite = true;
                self.loop_.guaranteed_once = true;
            }
            self.expr(test);
        }
        if let Some(iter) = iter {
            self.loop_.guaranteed_once = iter_guaranteed_once(iter);
        }
        if !self.async_function {
            self.stmts(body);
            self.stmts(orelse);
            self.loop_ = saved;
            return;
        }
        self.loop_.body_start = self.before_first_stmt_edit(body);
        let outer = mem::take(&mut self.unchecked);
        if is_async {
            self.checkpoint();
        } else {
            self.unchecked = Marks::one(Mark::LoopStart);
        }
        self.stmts(body);

        // Exits that saw the loop start are errors for whatever was unchecked before
        // the loop, at the end of an iteration, or before a `continue`.
        let mut blame = outer.clone();
        blame.extend(&self.unchecked);
        blame.extend(&self.loop_.before_continue);
        let pending = mem::take(&mut self.loop_.pending);
        let real_blame = blame.0.iter().any(|m| !m.is_artificial());
        // Unlike flake8-async, a `continue` reached without a checkpoint counts too: it
        // starts the next iteration just like the end of the body.
        let indefinite = self.loop_.infinite
            && !self.loop_.has_break
            && (self.unchecked.contains(Mark::LoopStart)
                || self.loop_.before_continue.contains(Mark::LoopStart));
        let loop_start_fix = self.loop_.body_start.clone();
        if indefinite {
            let range = loop_header_range(stmt);
            let fix = loop_start_fix
                .clone()
                .and_then(|edit| self.fix_once(true, edit));
            self.events.push(Event::IndefiniteLoop { range, fix });
        }
        if real_blame {
            for (site, only_loop) in &pending {
                // Exits seen only under the loop mark get their fix now; others got
                // theirs when first reported.
                let fix = if *only_loop {
                    if site.in_except || indefinite {
                        loop_start_fix.clone()
                    } else {
                        site.before.clone()
                    }
                } else {
                    None
                };
                self.report_exit(site, &blame, fix);
            }
        }

        for marks in [
            &mut self.loop_.before_continue,
            &mut self.loop_.before_break,
            &mut self.unchecked,
        ] {
            if marks.remove(Mark::LoopStart) {
                marks.extend(&outer);
            }
        }
        if is_async {
            // Running out of an async iterable checkpoints.
            self.checkpoint();
        } else {
            if !self.loop_.guaranteed_once {
                self.unchecked.extend(&outer);
            }
            if !self.loop_.infinite {
                let marks = self.loop_.before_continue.clone();
                self.unchecked.extend(&marks);
            }
        }
        self.stmts(orelse);
        if self.loop_.infinite && !self.loop_.has_break {
            // Nothing after a loop that never ends runs.
            self.unchecked = Marks::default();
        } else {
            let marks = self.loop_.before_break.clone();
            self.unchecked.extend(&marks);
        }
        self.loop_ = saved;
    }

    fn with_stmt(&mut self, with: &'a ast::StmtWith) {
        for item in &with.items {
            self.expr(&item.context_expr);
        }
        let saved_taskgroups = self.taskgroups.clone();
        let suppressing = with
            .items
            .iter()
            .any(|item| is_suppressing(self.checker, &item.context_expr));
        let saved_unchecked = suppressing.then(|| self.unchecked.clone());

        for item in &with.items {
            self.scopes.push(CancelScope {
                has_checkpoint: None,
                call: None,
            });
            let Expr::Call(call) = &item.context_expr else {
                if with.is_async {
                    self.checkpoint();
                }
                continue;
            };
            let qualified = self.checker.qualified_name(&call.func);
            let qualified = qualified.as_deref().unwrap_or_default();
            if is_taskgroup(qualified) {
                if let Some(Expr::Name(name)) = item.optional_vars.as_deref() {
                    self.taskgroups.push((name.id.as_str(), false));
                }
                self.schedule_point();
                continue;
            }
            if with.is_async {
                self.checkpoint();
            }
            if is_suppressing(self.checker, &item.context_expr) {
                continue;
            }
            if is_cancel_scope(qualified) {
                let at = item.start();
                self.unchecked.insert(Mark::ScopeEntry(at));
                if let Some(scope) = self.scopes.last_mut() {
                    scope.call = Some((call.range(), qualified.to_string(), at));
                    scope.has_checkpoint = Some(false);
                }
            }
        }

        self.stmts(&with.body);

        for index in (0..with.items.len()).rev() {
            let Some(scope) = self.scopes.pop() else {
                break;
            };
            let Some((call, name, at)) = scope.call else {
                continue;
            };
            if scope.has_checkpoint == Some(false) {
                if self.wanted.async100 {
                    self.empty_scopes.push(EmptyScope {
                        with,
                        item: index,
                        call,
                        name,
                    });
                }
            } else if self.unchecked.remove(Mark::ScopeEntry(at)) && self.wanted.async91x {
                self.events
                    .push(Event::UnguaranteedCancelScope { call, name });
            }
        }

        if let Some(saved) = saved_unchecked {
            let inside = mem::replace(&mut self.unchecked, saved);
            self.unchecked.extend(&inside);
            self.taskgroups = saved_taskgroups;
        }

        if with.is_async {
            self.with_exit(with);
        }
    }

    /// Leaving an `async with`: a checkpoint, except for a nursery or task group in which
    /// nothing was started with `start_soon`.
    fn with_exit(&mut self, with: &'a ast::StmtWith) {
        for item in &with.items {
            let qualified = match &item.context_expr {
                Expr::Call(call) => self.checker.qualified_name(&call.func),
                _ => None,
            };
            if qualified.as_deref().is_some_and(is_taskgroup) {
                if let Some(Expr::Name(name)) = item.optional_vars.as_deref() {
                    let name = name.id.as_str();
                    if let Some(position) = self.taskgroups.iter().position(|(n, _)| *n == name) {
                        let (_, started) = self.taskgroups.remove(position);
                        if started {
                            self.checkpoint();
                            return;
                        }
                    }
                }
            } else {
                self.checkpoint();
                return;
            }
        }
        self.schedule_point();
    }

    fn try_stmt(&mut self, try_: &'a ast::StmtTry) {
        if !self.async_function {
            self.stmts(&try_.body);
            for handler in &try_.handlers {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                self.stmts(&handler.body);
            }
            self.stmts(&try_.orelse);
            self.stmts(&try_.finalbody);
            return;
        }
        let saved = mem::take(&mut self.try_);
        // A handler or `finally` may be entered from anywhere in the body, including
        // right after a `yield` there.
        let mut body_unchecked = self.unchecked.clone();
        collect_yields(&try_.body, &mut body_unchecked);
        self.try_.body_unchecked = body_unchecked;
        self.stmts(&try_.body);
        self.try_.try_end = self.unchecked.clone();
        self.try_.except_unchecked = Marks::default();
        for handler in &try_.handlers {
            let ast::ExceptHandler::ExceptHandler(handler) = handler;
            self.unchecked = self.try_.body_unchecked.clone();
            self.except_depth += 1;
            if let Some(type_) = &handler.type_ {
                self.expr(type_);
            }
            self.stmts(&handler.body);
            self.except_depth -= 1;
            let marks = self.unchecked.clone();
            self.try_.except_unchecked.extend(&marks);
        }
        self.unchecked = self.try_.try_end.clone();
        self.stmts(&try_.orelse);
        let marks = self.try_.except_unchecked.clone();
        self.unchecked.extend(&marks);
        if !try_.finalbody.is_empty() {
            let added = self.try_.body_unchecked.difference(&self.unchecked);
            // Without a catch-all handler, `finally` may run on the way out of an
            // exception raised anywhere in the body; that exception propagates after
            // it, so those paths are forgotten again afterwards.
            let catch_all = try_.handlers.iter().any(|handler| {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                match handler.type_.as_deref() {
                    None => true,
                    Some(Expr::Name(name)) => name.id.as_str() == "BaseException",
                    Some(_) => false,
                }
            });
            if !catch_all {
                self.unchecked.extend(&added);
            }
            self.stmts(&try_.finalbody);
            self.unchecked.remove_all(&added);
        }
        self.try_ = saved;
    }

    fn match_stmt(&mut self, match_: &'a ast::StmtMatch) {
        self.expr(&match_.subject);
        let base = self.unchecked.clone();
        let mut cases = Marks::default();
        let mut has_fallback = false;
        for case in &match_.cases {
            self.unchecked = base.clone();
            if let Some(guard) = &case.guard {
                self.expr(guard);
            }
            if let ast::Pattern::MatchAs(ast::PatternMatchAs { pattern: None, .. }) = &case.pattern
            {
                if case.guard.is_none() || self.unchecked.is_empty() {
                    has_fallback = true;
                }
            }
            self.stmts(&case.body);
            let marks = self.unchecked.clone();
            cases.extend(&marks);
        }
        self.unchecked = cases;
        if !has_fallback {
            self.unchecked.extend(&base);
        }
    }

    // ---- expressions ---------------------------------------------------------------

    fn expr(&mut self, expr: &'a Expr) {
        guarded(|| {
            match expr {
                Expr::Await(await_) => {
                    self.expr(&await_.value);
                    self.checkpoint();
                }
                Expr::Yield(yield_) => {
                    if let Some(value) = &yield_.value {
                        self.expr(value);
                    }
                    if !self.async_function {
                        return;
                    }
                    self.has_yield = true;
                    // The consumer may checkpoint while the generator is suspended.
                    self.cancel_point();
                    let site = self.site(ExitKind::Yield, yield_.range());
                    self.exit(site);
                    self.unchecked = Marks::one(Mark::Yield(yield_.start()));
                }
                Expr::BoolOp(bool_op) => {
                    self.boolean_depth += 1;
                    let mut values = bool_op.values.iter();
                    if let Some(first) = values.next() {
                        self.expr(first);
                    }
                    for value in values {
                        // Only evaluated sometimes: its checkpoints are not guaranteed.
                        let before = self.unchecked.clone();
                        self.expr(value);
                        if self.async_function {
                            self.unchecked.extend(&before);
                        }
                    }
                    self.boolean_depth -= 1;
                }
                Expr::If(if_) => {
                    self.expr(&if_.test);
                    let base = self.unchecked.clone();
                    self.expr(&if_.body);
                    let body = mem::replace(&mut self.unchecked, base);
                    self.expr(&if_.orelse);
                    if self.async_function {
                        self.unchecked.extend(&body);
                    }
                }
                Expr::ListComp(comp) => self.comprehension(&comp.generators, &[&comp.elt]),
                Expr::SetComp(comp) => self.comprehension(&comp.generators, &[&comp.elt]),
                Expr::DictComp(comp) => match &comp.key {
                    Some(key) => self.comprehension(&comp.generators, &[key, &comp.value]),
                    None => self.comprehension(&comp.generators, &[&comp.value]),
                },
                // Only the first iterable runs when a generator expression is created.
                Expr::Generator(generator) => {
                    if let Some(first) = generator.generators.first() {
                        self.expr(&first.iter);
                    }
                }
                Expr::Lambda(_) => {}
                Expr::Call(call) => {
                    if let Expr::Attribute(attribute) = call.func.as_ref() {
                        if attribute.attr.as_str() == "start_soon" {
                            if let Expr::Name(name) = attribute.value.as_ref() {
                                let name = name.id.as_str();
                                for (taskgroup, started) in &mut self.taskgroups {
                                    if *taskgroup == name {
                                        *started = true;
                                    }
                                }
                            }
                        }
                    }
                    self.expr(&call.func);
                    for argument in call.arguments.args.iter() {
                        self.expr(argument);
                    }
                    for keyword in call.arguments.keywords.iter() {
                        self.expr(&keyword.value);
                    }
                }
                _ => {
                    use ruff_python_ast::visitor::source_order::{
                        walk_expr, walk_interpolated_string_element, SourceOrderVisitor,
                    };
                    struct Children<'f, 'c, 'a>(&'f mut Flow<'c, 'a>, bool);
                    impl<'a> SourceOrderVisitor<'a> for Children<'_, '_, 'a> {
                        fn visit_expr(&mut self, expr: &'a Expr) {
                            if self.1 {
                                // The expression itself: walk its children.
                                self.1 = false;
                                walk_expr(self, expr);
                            } else {
                                self.0.expr(expr);
                            }
                        }
                        // Format specs nest without an expression between them.
                        fn visit_interpolated_string_element(
                            &mut self,
                            element: &'a ast::InterpolatedStringElement,
                        ) {
                            guarded(|| walk_interpolated_string_element(self, element));
                        }
                    }
                    Children(self, true).visit_expr(expr);
                }
            }
        });
    }

    /// A list, set or dict comprehension: only what is guaranteed to run is followed,
    /// until the comprehension is known to checkpoint or not.
    fn comprehension(&mut self, generators: &'a [ast::Comprehension], elements: &[&'a Expr]) {
        if !self.async_function || self.unchecked.is_empty() {
            return;
        }
        let outer = mem::replace(&mut self.comp_unknown, true);
        self.comprehension_for(generators);
        if self.comp_unknown && !self.unchecked.is_empty() {
            for element in elements {
                self.expr(element);
            }
        }
        self.comp_unknown = outer;
    }

    fn comprehension_for(&mut self, generators: &'a [ast::Comprehension]) {
        let Some((generator, rest)) = generators.split_first() else {
            return;
        };
        if self.unchecked.is_empty() {
            return;
        }
        if generator.is_async {
            self.checkpoint();
            self.comp_unknown = false;
            return;
        }
        self.expr(&generator.iter);
        if !iter_guaranteed_once(&generator.iter) {
            self.comp_unknown = false;
        } else if let Some(first) = generator.ifs.first() {
            self.comp_unknown = false;
            self.expr(first);
        } else {
            guarded(|| self.comprehension_for(rest));
        }
    }
}

fn loop_header_range(stmt: &Stmt) -> TextRange {
    match stmt {
        Stmt::While(w) => TextRange::new(w.start(), w.test.end()),
        Stmt::For(f) => TextRange::new(f.start(), f.iter.end()),
        _ => stmt.range(),
    }
}

/// `while True`, `while 1`, `while "x"`: a condition that is constantly true.
fn is_constant_true(test: &Expr) -> bool {
    match test {
        Expr::BooleanLiteral(b) => b.value,
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => i.as_u64() != Some(0),
            ast::Number::Float(f) => *f != 0.0,
            ast::Number::Complex { real, imag } => *real != 0.0 || *imag != 0.0,
        },
        Expr::StringLiteral(s) => !s.value.is_empty(),
        _ => false,
    }
}

/// Whether a `for` over this iterable runs its body at least once: a non-empty literal
/// container, string or bytes, or `range()` of integer literals (of any size) that is
/// not empty. An implicitly concatenated string counts as unknown, as in flake8-async.
pub(crate) fn iter_guaranteed_once(iter: &Expr) -> bool {
    guarded(|| {
        let elements = |elts: &[Expr]| {
            elts.iter().any(|elt| match elt {
                Expr::Starred(starred) => iter_guaranteed_once(&starred.value),
                _ => true,
            })
        };
        match iter {
            Expr::List(list) => elements(&list.elts),
            Expr::Tuple(tuple) => elements(&tuple.elts),
            Expr::Set(set) => elements(&set.elts),
            Expr::Dict(dict) => dict.items.iter().any(|item| match &item.key {
                Some(_) => true,
                None => iter_guaranteed_once(&item.value),
            }),
            Expr::StringLiteral(s) => !s.value.is_implicit_concatenated() && !s.value.is_empty(),
            Expr::BytesLiteral(b) => !b.value.is_implicit_concatenated() && !b.value.is_empty(),
            Expr::Call(call) => literal_range_is_non_empty(call).unwrap_or(false),
            _ => false,
        }
    })
}
