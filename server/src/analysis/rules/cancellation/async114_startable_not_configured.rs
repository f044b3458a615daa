//! ASYNC114: a startable function missing from `startable-in-context-manager`.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::context::last_component;
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags `async def` functions with a `task_status` parameter (functions meant to
    /// be run with `nursery.start()`) whose name is not listed in the
    /// `startable-in-context-manager` option. Same code and meaning as flake8-async's
    /// ASYNC114.
    ///
    /// ## Why is this bad?
    /// ASYNC113 can only catch `start_soon(f)` calls that should be `start(f)` when it
    /// knows `f` is startable. Listing every startable function keeps it informed.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def serve_metrics(port, task_status=trio.TASK_STATUS_IGNORED):
    ///     listeners = await trio.open_tcp_listeners(port)
    ///     task_status.started()
    ///     await trio.serve_listeners(handler, listeners)
    /// ```
    ///
    /// ## Use instead
    /// List the function in `pyproject.toml` and keep the code as it is:
    /// `[tool.asyncell] startable-in-context-manager = ["serve_metrics"]`. Or, if
    /// callers never need to wait for it to be ready, drop `task_status`:
    /// ```python
    /// import trio
    ///
    /// async def serve_metrics(port):
    ///     listeners = await trio.open_tcp_listeners(port)
    ///     await trio.serve_listeners(handler, listeners)
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the configuration lives outside the file.
    "ASYNC114" "startable-not-in-config" {
        library: "trio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

/// Functions that trio and anyio document as startable, known without configuration.
pub(crate) const BUILTIN_STARTABLE: &[&str] = &["serve"];

/// trio's startable functions, recognised by name as `trio.<name>` or a bare name.
pub(crate) const TRIO_STARTABLE: &[&str] = &[
    "run_process",
    "serve_ssl_over_tcp",
    "serve_tcp",
    "serve_listeners",
];

/// Whether a function name (its last component) is known to be startable: built in or
/// configured.
pub(crate) fn is_listed_startable(checker: &Checker, name: &str) -> bool {
    BUILTIN_STARTABLE.contains(&name)
        || TRIO_STARTABLE.contains(&name)
        || checker
            .options()
            .startable_in_context_manager
            .iter()
            .any(|option| last_component(option) == name)
}

pub(crate) fn check_def(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    if !checker.enabled(RULE) || !def.is_async {
        return;
    }
    // `task_status` is passed by keyword: a positional-only one does not count.
    let startable = def
        .parameters
        .args
        .iter()
        .chain(&def.parameters.kwonlyargs)
        .any(|p| p.parameter.name.as_str() == "task_status");
    if !startable || is_listed_startable(checker, def.name.as_str()) {
        return;
    }
    checker.report(
        RULE,
        def.name.range(),
        format!(
            "`{name}` takes `task_status`, so it is meant for `nursery.start()`; add it to \
             `startable-in-context-manager` in [tool.asyncell] so ASYNC113 can catch \
             `start_soon({name})` calls that return before it is ready",
            name = def.name.as_str()
        ),
        None,
    );
}
