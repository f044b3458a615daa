//! Patching or importing trio's private internals.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::common::is_nursery;
use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags code that reaches into trio's private internals:
    ///
    /// - assigning to or through a private attribute of a nursery or of a trio module
    ///   (`nursery._add_exc = handler`, `GLOBAL_NURSERY._closed = False`,
    ///   `trio._core._run.X = ...`, also via `setattr`); a nursery is a name bound by
    ///   `async with trio.open_nursery() as ...` or named like one;
    /// - importing or using a private trio module or attribute (`trio._core`,
    ///   `trio._util`, `from trio._abc import ...`, any `trio._x`).
    ///
    /// Files of trio itself (whose top-level package, the outermost directory with an
    /// `__init__.py` above them, is `trio`) are not flagged: trio's modules and tests
    /// use its internals by design. A subpackage that is merely named `trio`
    /// (`websockets/trio/`) is not trio.
    ///
    /// The advice depends on where the finding is: in notebook cells and `# %%` cell
    /// files, asyncell's supervised `background` nursery; in modules, trio's public API
    /// (`trio`, `trio.lowlevel`, `trio.testing`).
    ///
    /// ## Why is this bad?
    /// Private names change in any trio release without notice. Patches on them fail
    /// in the worst way: a monkey-patched `nursery._add_exc` broke when trio 0.35 added
    /// a `reason` argument, and the TypeError it raised inside trio's scheduler killed
    /// the whole loop (and with it every cell's background task). Public APIs are kept
    /// stable or deprecated first.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// def handler(exc):
    ///     print(exc)
    ///
    /// async def main():
    ///     async with trio.open_nursery() as nursery:
    ///         nursery._add_exc = handler
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// def handler(exc):
    ///     print(exc)
    ///
    /// async def supervised(task):
    ///     try:
    ///         await task()
    ///     except Exception as exc:
    ///         handler(exc)
    ///
    /// async def main(task):
    ///     async with trio.open_nursery() as nursery:
    ///         nursery.start_soon(supervised, task)
    /// ```
    ///
    /// In a notebook, `from asyncell import background` then
    /// `background.start_soon(worker)` gives supervised background tasks.
    ///
    /// ## Fix safety
    /// No fix: the public replacement depends on what the patch was for (supervised
    /// background tasks: `from asyncell import background`; low-level hooks:
    /// `trio.lowlevel`).
    "LOOP402" "private-trio-internals" {
        library: "trio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

/// What to use instead, by where the finding is: in cells asyncell's supervised
/// `background` nursery is at hand; in a module (library code) it is not, and trio's
/// public API is the answer.
fn advice(checker: &Checker) -> &'static str {
    if checker.kind().has_cells() {
        "use the public API instead: `from asyncell import background` for supervised \
         background tasks, `trio.lowlevel` for low-level needs"
    } else {
        "use trio's public API instead (`trio`, `trio.lowlevel`, `trio.testing`), e.g. \
         `nursery.start_soon` with a wrapper that handles the task's exceptions rather \
         than a patched nursery"
    }
}

/// Whether the file is part of trio itself (its top-level package is `trio`): trio's
/// own modules and tests use its internals by design.
fn inside_trio(checker: &Checker) -> bool {
    checker.index.package.as_deref() == Some("trio")
}

fn is_private(name: &str) -> bool {
    name.starts_with('_') && !(name.starts_with("__") && name.ends_with("__"))
}

/// A module path with a private segment under trio: `trio._core`, `trio.lowlevel._x`.
fn private_trio_module(path: &str) -> bool {
    let mut segments = path.split('.');
    segments.next() == Some("trio") && segments.any(is_private)
}

/// Imports of private trio modules.
pub(crate) fn check_import(checker: &mut Checker, stmt: &Stmt) {
    if !checker.enabled(RULE) || inside_trio(checker) {
        return;
    }
    match stmt {
        Stmt::Import(import) => {
            for alias in &import.names {
                let name = alias.name.id.as_str();
                if private_trio_module(name) {
                    report_import(checker, alias.range(), name);
                }
            }
        }
        Stmt::ImportFrom(ast::StmtImportFrom {
            module: Some(module),
            names,
            level: 0,
            ..
        }) => {
            let module_name = module.id.as_str();
            if private_trio_module(module_name) {
                report_import(checker, stmt.range(), module_name);
            } else if module_name.split('.').next() == Some("trio") {
                for alias in names {
                    if is_private(alias.name.id.as_str()) {
                        let path = format!("{module_name}.{}", alias.name.id);
                        report_import(checker, alias.range(), &path);
                    }
                }
            }
        }
        _ => {}
    }
}

fn report_import(checker: &mut Checker, range: ruff_text_size::TextRange, path: &str) {
    checker.report(
        RULE,
        range,
        format!(
            "`{path}` is private to trio and changes without notice in any release: code using \
             it breaks on upgrade; {}",
            advice(checker)
        ),
        None,
    );
}

/// Assignments to or through a private attribute of a nursery or trio module.
pub(crate) fn check_assignment(checker: &mut Checker, stmt: &Stmt) {
    if !checker.enabled(RULE) || inside_trio(checker) {
        return;
    }
    let targets: &[Expr] = match stmt {
        Stmt::Assign(assign) => &assign.targets,
        Stmt::AugAssign(assign) => std::slice::from_ref(&assign.target),
        Stmt::AnnAssign(assign) => std::slice::from_ref(&assign.target),
        _ => return,
    };
    for target in targets {
        if let Some(owner) = patched_owner(checker, target) {
            report_patch(checker, target.range(), &owner);
        }
    }
}

/// `setattr(nursery, "_add_exc", handler)`.
pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if qualified != Some("setattr") || !checker.enabled(RULE) || inside_trio(checker) {
        return;
    }
    let [object, Expr::StringLiteral(name), _] = &call.arguments.args[..] else {
        return;
    };
    let private_here = is_private(name.value.to_str());
    let owner = if private_here && is_nursery(checker, object) {
        Some("a nursery".to_string())
    } else {
        owner_chain(checker, object, private_here)
    };
    if let Some(owner) = owner {
        report_patch(checker, call.range(), &owner);
    }
}

fn report_patch(checker: &mut Checker, range: ruff_text_size::TextRange, owner: &str) {
    checker.report(
        RULE,
        range,
        format!(
            "patching private internals of {owner} breaks on upgrade: the `nursery._add_exc` \
             patch broke when trio 0.35 added a `reason` argument, killing the loop; {}",
            advice(checker)
        ),
        None,
    );
}

/// What a target patches privately: a nursery, or a trio module.
fn patched_owner(checker: &Checker, target: &Expr) -> Option<String> {
    let Expr::Attribute(attribute) = target else {
        return None;
    };
    let private_here = is_private(attribute.attr.id.as_str());
    if private_here && is_nursery(checker, &attribute.value) {
        return Some("a nursery".to_string());
    }
    owner_chain(checker, &attribute.value, private_here)
}

/// Walks an attribute chain down to its root: a nursery or trio module reached through
/// (or patched at) a private attribute.
fn owner_chain(checker: &Checker, expr: &Expr, mut private: bool) -> Option<String> {
    let mut current = expr;
    loop {
        match current {
            Expr::Attribute(attribute) => {
                private |= is_private(attribute.attr.id.as_str());
                if private && is_nursery(checker, &attribute.value) {
                    return Some("a nursery".to_string());
                }
                current = &attribute.value;
            }
            Expr::Name(_) => {
                if !private {
                    return None;
                }
                let root = checker.qualified_name(current)?;
                if root == "trio" || root.starts_with("trio.") {
                    let shown = checker.qualified_name(expr).unwrap_or(root);
                    return Some(format!("`{shown}`"));
                }
                return is_nursery(checker, current).then(|| "a nursery".to_string());
            }
            _ => return None,
        }
    }
}

/// Cheap pre-filter for the attribute hook.
pub(crate) fn is_candidate(attr: &str) -> bool {
    is_private(attr)
}

/// A load of a private attribute of a public trio module: `trio._core`,
/// `trio.lowlevel._x`. Deeper private chains are reported once, at their first private
/// segment.
pub(crate) fn check_attribute(checker: &mut Checker, attribute: &ast::ExprAttribute) {
    if !checker.enabled(RULE) || inside_trio(checker) {
        return;
    }
    let Some(owner) = checker.qualified_name(&attribute.value) else {
        return;
    };
    if !(owner == "trio" || owner.starts_with("trio.")) || owner.split('.').any(is_private) {
        return;
    }
    // Part of an assignment target already reported as a patch.
    let inside_reported_patch = checker.enclosing_stmts().last().is_some_and(|stmt| {
        let targets: &[Expr] = match stmt {
            Stmt::Assign(assign) => &assign.targets,
            Stmt::AugAssign(assign) => std::slice::from_ref(&assign.target),
            Stmt::AnnAssign(assign) => std::slice::from_ref(&assign.target),
            _ => return false,
        };
        targets.iter().any(|target| {
            target.range().contains_range(attribute.range())
                && checker.already_reported(RULE, target.range())
        })
    });
    let inside_reported_setattr = matches!(checker.enclosing_stmts().last(), Some(Stmt::Expr(e))
        if checker.already_reported(RULE, e.value.range())
            && e.value.range().contains_range(attribute.range()));
    if inside_reported_patch || inside_reported_setattr {
        return;
    }
    let path = format!("{owner}.{}", attribute.attr.id);
    checker.report(
        RULE,
        attribute.range(),
        format!(
            "`{path}` is private to trio and changes without notice in any release: code using \
             it breaks on upgrade; {}",
            advice(checker)
        ),
        None,
    );
}
