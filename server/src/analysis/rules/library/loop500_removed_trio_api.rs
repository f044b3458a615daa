//! trio APIs that were renamed or removed: `trio.hazmat`, `nursery.spawn`, ...

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::common::is_nursery;
use super::guards::guard_at;
use crate::analysis::checker::Checker;
use crate::analysis::diagnostic::{Edit, Fix};

rule! {
    /// ## What it does
    /// Flags trio APIs that no longer exist, through any import style
    /// (`import trio as t`, `from trio import hazmat`):
    ///
    /// | Removed | Use instead |
    /// | --- | --- |
    /// | `trio.hazmat` | `trio.lowlevel` |
    /// | `nursery.spawn(...)` | `nursery.start_soon(...)` |
    /// | `trio.open_cancel_scope(...)` | `trio.CancelScope(...)` |
    /// | `trio.run_sync_in_worker_thread(...)` | `trio.to_thread.run_sync(...)` |
    /// | `trio.BlockingTrioPortal` | `trio.from_thread.run` / `run_sync` |
    /// | `trio.MultiError` | `ExceptionGroup` / `BaseExceptionGroup` and `except*` |
    ///
    /// ## Why is this bad?
    /// Each raises `AttributeError` (or `ImportError`) on a current trio. Old snippets,
    /// answers and notebooks still use them.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def main():
    ///     await trio.hazmat.checkpoint()
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def main():
    ///     await trio.lowlevel.checkpoint()
    /// ```
    ///
    /// Code behind a version or feature guard is a compatibility shim and is not
    /// reported: `try: ... except (ImportError, AttributeError):`, `if hasattr(trio,
    /// "MultiError"):`, and flags computed from a version (`OLD_TRIO = trio_version <
    /// (0, 22)` then `if OLD_TRIO:`), in either branch.
    ///
    /// ## Fix safety
    /// Renames are offered where the new API takes the same arguments: `hazmat` →
    /// `lowlevel`, `spawn` → `start_soon`, `open_cancel_scope` → `CancelScope`,
    /// `run_sync_in_worker_thread` → `to_thread.run_sync` (`from trio import x` becomes
    /// `from trio import new as x`, so later uses keep working). They are safe.
    /// `BlockingTrioPortal` and `MultiError` have no one-to-one replacement and get no
    /// fix.
    "LOOP500" "removed-trio-api" {
        library: "trio",
        default: true,
        severity: Error,
        fix: Sometimes(Safe),
    }
}

/// A removed name directly under `trio`: the replacement (as a path under `trio`) and
/// whether renaming is a faithful fix.
fn replacement(name: &str) -> Option<(&'static str, bool)> {
    Some(match name {
        "hazmat" => ("lowlevel", true),
        "open_cancel_scope" => ("CancelScope", true),
        "run_sync_in_worker_thread" => ("to_thread.run_sync", true),
        "BlockingTrioPortal" => ("from_thread.run", false),
        "MultiError" => ("ExceptionGroup", false),
        _ => return None,
    })
}

fn message(old: &str, new: &str) -> String {
    if old == "MultiError" {
        "`trio.MultiError` was removed from trio: AttributeError on a current trio; catch \
         `ExceptionGroup`/`BaseExceptionGroup` (with `except*`) instead"
            .to_string()
    } else if old == "BlockingTrioPortal" {
        "`trio.BlockingTrioPortal` was removed from trio: AttributeError on a current trio; \
         call `trio.from_thread.run(...)` / `trio.from_thread.run_sync(...)` from the thread \
         instead"
            .to_string()
    } else {
        format!(
            "`trio.{old}` was removed from trio (AttributeError on a current trio): use \
             `trio.{new}`"
        )
    }
}

/// Cheap pre-filter for the attribute hook: the names this rule can report.
pub(crate) fn is_candidate(attr: &str) -> bool {
    matches!(
        attr,
        "hazmat"
            | "open_cancel_scope"
            | "run_sync_in_worker_thread"
            | "BlockingTrioPortal"
            | "MultiError"
            | "spawn"
    )
}

/// `trio.hazmat`, `t.open_cancel_scope`, `nursery.spawn`.
pub(crate) fn check_attribute(checker: &mut Checker, attribute: &ast::ExprAttribute) {
    if !checker.enabled(RULE) {
        return;
    }
    if guarded(checker, attribute.range()) {
        return;
    }
    let attr = attribute.attr.id.as_str();
    if attr == "spawn" {
        if is_nursery(checker, &attribute.value) {
            checker.report(
                RULE,
                attribute.range(),
                "`nursery.spawn()` was renamed `nursery.start_soon()` long ago and no longer \
                 exists: AttributeError",
                Some(Fix::new(
                    "Rename to `start_soon`",
                    vec![Edit::replace(attribute.attr.range(), "start_soon")],
                )),
            );
        }
        return;
    }
    if checker.qualified_name(&attribute.value).as_deref() != Some("trio") {
        return;
    }
    let Some((new, renamable)) = replacement(attr) else {
        return;
    };
    // `cancellable=` is spelled `abandon_on_cancel=` in `to_thread.run_sync`.
    let renames_keyword = attr == "run_sync_in_worker_thread"
        && matches!(checker.parent_expr(), Some(Expr::Call(call))
            if call.func.range() == attribute.range()
                && call.arguments.find_keyword("cancellable").is_some());
    let fix = (renamable && !renames_keyword).then(|| {
        Fix::new(
            format!("Replace with `{new}`"),
            vec![Edit::replace(attribute.attr.range(), new)],
        )
    });
    checker.report(RULE, attribute.range(), message(attr, new), fix);
}

/// Whether a version or feature guard surrounds `range`: code that supports old and new
/// trio alike (`try: from trio import MultiError except ImportError: ...`,
/// `if _IS_TRIO_MULTI_ERROR:` with the flag computed from trio's version,
/// `if hasattr(trio, "MultiError"):`) is a shim, not a use of the removed API.
fn guarded(checker: &Checker, range: TextRange) -> bool {
    !guard_at(
        checker,
        range,
        &[
            "ImportError",
            "ModuleNotFoundError",
            "AttributeError",
            "NameError",
        ],
    )
    .is_none()
}

/// `import trio.hazmat`, `from trio import hazmat`, `from trio.hazmat import x`.
pub(crate) fn check_import(checker: &mut Checker, stmt: &Stmt) {
    if !checker.enabled(RULE) || guarded(checker, stmt.range()) {
        return;
    }
    match stmt {
        Stmt::Import(import) => {
            for alias in &import.names {
                let name = alias.name.id.as_str();
                if name == "trio.hazmat" || name.starts_with("trio.hazmat.") {
                    let fix = hazmat_range(checker, alias.name.range()).map(|range| {
                        Fix::new(
                            "Import `trio.lowlevel`",
                            vec![Edit::replace(range, "lowlevel")],
                        )
                    });
                    checker.report(RULE, alias.range(), message("hazmat", "lowlevel"), fix);
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
            if module_name == "trio.hazmat" || module_name.starts_with("trio.hazmat.") {
                let fix = hazmat_range(checker, module.range()).map(|range| {
                    Fix::new(
                        "Import from `trio.lowlevel`",
                        vec![Edit::replace(range, "lowlevel")],
                    )
                });
                checker.report(RULE, module.range(), message("hazmat", "lowlevel"), fix);
                return;
            }
            if module_name != "trio" {
                return;
            }
            for alias in names {
                let old = alias.name.id.as_str();
                let Some((new, renamable)) = replacement(old) else {
                    continue;
                };
                // `from trio import to_thread.run_sync` is not a thing: only one-segment
                // replacements can be imported by name.
                let fix = (renamable && !new.contains('.')).then(|| {
                    let local = alias.asname.as_ref().unwrap_or(&alias.name).id.as_str();
                    let text = if local == new {
                        new.to_string()
                    } else {
                        format!("{new} as {local}")
                    };
                    Fix::new(
                        format!("Import `{text}`"),
                        vec![Edit::replace(alias.range(), text)],
                    )
                });
                checker.report(RULE, alias.range(), message(old, new), fix);
            }
        }
        _ => {}
    }
}

/// The range of the `hazmat` segment inside a dotted module name as written.
fn hazmat_range(checker: &Checker, range: TextRange) -> Option<TextRange> {
    let offset = checker.source(range).find("hazmat")?;
    Some(TextRange::at(
        range.start() + TextSize::try_from(offset).ok()?,
        TextSize::from(6),
    ))
}
