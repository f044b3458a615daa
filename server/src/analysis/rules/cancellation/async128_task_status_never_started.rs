//! ASYNC128: a startable function that never calls `task_status.started()`.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::checker::Checker;
use crate::analysis::depth::{guarded, guarded_nested_visits};

rule! {
    /// ## What it does
    /// Flags an `async def` with a `task_status` parameter (or one annotated
    /// `TaskStatus`) whose body never calls `task_status.started()`. Stub bodies
    /// (`...`, `pass`, `raise NotImplementedError`) are exempt. Same code and meaning
    /// as flake8-async's ASYNC128.
    ///
    /// ## Why is this bad?
    /// `await nursery.start(f)` waits until `f` calls `task_status.started()`. If it
    /// never does, `start()` blocks until `f` returns, and then raises `RuntimeError`
    /// ("child exited without calling task_status.started()").
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def serve(port, task_status=trio.TASK_STATUS_IGNORED):
    ///     listeners = await trio.open_tcp_listeners(port)
    ///     await trio.serve_listeners(handler, listeners)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def serve(port, task_status=trio.TASK_STATUS_IGNORED):
    ///     listeners = await trio.open_tcp_listeners(port)
    ///     task_status.started()
    ///     await trio.serve_listeners(handler, listeners)
    /// ```
    ///
    /// ## Fix safety
    /// No fix: only the author knows the point at which the task is ready.
    "ASYNC128" "task-status-never-started" {
        library: "trio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check_def(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    if !checker.enabled(RULE) || !def.is_async {
        return;
    }
    let parameters = &def.parameters;
    let keyword_capable = parameters.args.iter().chain(&parameters.kwonlyargs);
    let positional_only = parameters.posonlyargs.iter();
    let status = positional_only
        .map(|p| (p, false))
        .chain(keyword_capable.map(|p| (p, true)))
        .find(|(p, by_keyword)| {
            is_task_status_annotation(p.parameter.annotation.as_deref())
                || (*by_keyword && p.parameter.name.as_str() == "task_status")
        });
    let Some((status, _)) = status else {
        return;
    };
    if is_stub(&def.body) {
        return;
    }
    let name = status.parameter.name.as_str();
    let mut finder = StartedFinder { name, found: false };
    finder.visit_body(&def.body);
    if finder.found {
        return;
    }
    checker.report(
        RULE,
        def.name.range(),
        format!(
            "`{fname}` takes `{name}` but never calls `{name}.started()`: \
             `nursery.start({fname})` will block until it returns and then raise \
             RuntimeError; call `{name}.started()` once it is ready",
            fname = def.name.as_str()
        ),
        None,
    );
}

/// `TaskStatus`, `trio.TaskStatus[int]`, `anyio.abc.TaskStatus[None]` ...
fn is_task_status_annotation(annotation: Option<&Expr>) -> bool {
    let Some(mut annotation) = annotation else {
        return false;
    };
    if let Expr::Subscript(subscript) = annotation {
        annotation = &subscript.value;
    }
    match annotation {
        Expr::Name(name) => name.id.as_str() == "TaskStatus",
        Expr::Attribute(attribute) => attribute.attr.as_str() == "TaskStatus",
        _ => false,
    }
}

/// Overloads, protocol methods and abstract methods have nothing to start.
fn is_stub(body: &[Stmt]) -> bool {
    body.iter().all(|stmt| match stmt {
        Stmt::Pass(_) | Stmt::Raise(_) => true,
        Stmt::Expr(expr) => matches!(
            &*expr.value,
            Expr::StringLiteral(_)
                | Expr::BytesLiteral(_)
                | Expr::NumberLiteral(_)
                | Expr::BooleanLiteral(_)
                | Expr::NoneLiteral(_)
                | Expr::EllipsisLiteral(_)
        ),
        _ => false,
    })
}

/// Looks for `<name>.started(...)`, also in nested functions and lambdas that close
/// over the parameter (a callback may report readiness), but not in those that take a
/// parameter of the same name: that is another startable function's status.
struct StartedFinder<'n> {
    name: &'n str,
    found: bool,
}

impl StartedFinder<'_> {
    fn rebinds(&self, parameters: &ast::Parameters) -> bool {
        parameters.iter().any(|p| p.name().as_str() == self.name)
    }
}

impl<'a> Visitor<'a> for StartedFinder<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        guarded(|| {
            if self.found {
                return;
            }
            if let Stmt::FunctionDef(def) = stmt {
                if !self.rebinds(&def.parameters) {
                    self.visit_body(&def.body);
                }
                return;
            }
            visitor::walk_stmt(self, stmt);
        });
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        guarded(|| {
            if self.found {
                return;
            }
            match expr {
                Expr::Call(call) => {
                    if let Expr::Attribute(attribute) = &*call.func {
                        if attribute.attr.as_str() == "started"
                            && matches!(&*attribute.value, Expr::Name(n) if n.id.as_str() == self.name)
                        {
                            self.found = true;
                            return;
                        }
                    }
                    visitor::walk_expr(self, expr);
                }
                Expr::Lambda(lambda) => {
                    if !lambda
                        .parameters
                        .as_deref()
                        .is_some_and(|p| self.rebinds(p))
                    {
                        self.visit_expr(&lambda.body);
                    }
                }
                _ => visitor::walk_expr(self, expr),
            }
        });
    }

    guarded_nested_visits!('a);
}
