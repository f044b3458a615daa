//! `await` inside a sync function, lambda or class body.

use ruff_text_size::TextRange;

use crate::analysis::checker::{AwaitPlacement, Checker, ScopeKind};
use crate::analysis::diagnostic::{Edit, Fix};

rule! {
    /// ## What it does
    /// Flags `await`, `async with`, `async for` and async comprehensions inside a plain
    /// `def`, a `lambda`, a class body, or a list/set/dict comprehension nested in one.
    ///
    /// ## Why is this bad?
    /// Python rejects the whole file or cell with
    /// `SyntaxError: 'await' outside async function`. In a notebook this is easy to hit:
    /// top-level `await` works in the cell, then the same line moved into a helper
    /// function stops compiling.
    ///
    /// Async generator expressions (`(await f() for f in fs)`) are legal anywhere and are
    /// not flagged; comprehensions inside an `async def` are legal too.
    ///
    /// With `from __future__ import annotations` in the file or cell, or in an earlier
    /// cell (asyncell's host, like IPython, keeps a cell's future imports for the cells
    /// after it), an `await` right in an annotation (`x: await f()`, `def g(x: await
    /// f())`) is flagged wherever it is, cells and `async def` included: CPython rejects it
    /// with "await expression cannot be used within an annotation".
    ///
    /// With `target-version = "py310"` (the default), an async comprehension nested in a
    /// comprehension or generator expression that is not async itself is flagged too,
    /// in cells and inside `async def` alike: Python 3.10 rejects
    /// `[[await x for x in row] for row in rows]`, which 3.11 accepts (bpo-33346).
    ///
    /// ## Example
    /// ```python
    /// def fetch_all(urls):
    ///     return [await fetch(url) for url in urls]
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// async def fetch_all(urls):
    ///     return [await fetch(url) for url in urls]
    /// ```
    ///
    /// ## Fix safety
    /// The fix makes the enclosing function `async def`. That is unsafe: every caller must
    /// now await it.
    "LOOP101" "await-outside-async-function" {
        library: "python",
        default: true,
        severity: Error,
        fix: Sometimes(Unsafe),
    }
}

pub(crate) fn check(checker: &mut Checker, range: TextRange, what: &'static str) {
    if !checker.enabled(RULE) {
        return;
    }
    let scope = match checker.await_placement() {
        AwaitPlacement::Illegal(scope) => scope,
        AwaitPlacement::NestedComprehension(outer) => {
            let outer = match outer.kind {
                ScopeKind::Generator => "generator expression",
                _ => "comprehension",
            };
            let version = checker.target_version().dotted();
            checker.report(
                RULE,
                range,
                format!(
                    "`{what}` makes this comprehension async inside a sync {outer}: \
                     SyntaxError on Python {version} (asynchronous comprehension outside of an \
                     asynchronous function); allowed from 3.11, or make the outer {outer} \
                     async too"
                ),
                None,
            );
            return;
        }
        AwaitPlacement::PostponedAnnotation => {
            checker.report(
                RULE,
                range,
                format!(
                    "`{what}` in an annotation that `from __future__ import annotations` \
                     postpones: SyntaxError (await expression cannot be used within an \
                     annotation), in a cell and in `async def` too; compute the value before \
                     the annotation"
                ),
                None,
            );
            return;
        }
        AwaitPlacement::Legal | AwaitPlacement::TopLevel => return,
    };
    let (place, fix) = match scope.kind {
        ScopeKind::SyncFunction => {
            let def = scope.def;
            let name = def.map_or("?", |d| d.name.id.as_str());
            let fix = def.and_then(|d| checker.def_keyword(d)).map(|at| {
                Fix::new(
                    format!("Make `{name}` an `async def`"),
                    vec![Edit::insert(at, "async ")],
                )
            });
            (format!("inside the sync function `{name}`"), fix)
        }
        ScopeKind::Lambda => ("inside a lambda".to_string(), None),
        ScopeKind::Class => (
            format!("in the body of class `{}`", scope.class_name.unwrap_or("?")),
            None,
        ),
        _ => ("here".to_string(), None),
    };
    checker.report(
        RULE,
        range,
        format!("`{what}` {place}: SyntaxError: '{what}' outside async function"),
        fix,
    );
}
