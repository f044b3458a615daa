//! `nest_asyncio.apply()`.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use crate::analysis::checker::Checker;

rule! {
    /// ## What it does
    /// Flags calls to `nest_asyncio.apply()`.
    ///
    /// ## Why is this bad?
    /// `nest_asyncio` patches asyncio so that `asyncio.run()` and
    /// `run_until_complete()` can re-enter a running loop. That silences the error
    /// instead of fixing the code: re-entrant loops run callbacks out of order, hide
    /// deadlocks, and break libraries that assume one loop per thread. It does nothing for
    /// trio and is incompatible with it.
    ///
    /// In asyncell (and in any notebook) top-level `await` is the direct way to run a
    /// coroutine from a cell.
    ///
    /// ## Example
    /// ```python
    /// import nest_asyncio
    /// nest_asyncio.apply()
    /// asyncio.run(main())
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// await main()
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: removing the patch needs the nested runs removed first.
    "LOOP201" "nest-asyncio-patch" {
        library: "asyncio",
        default: true,
        severity: Warning,
        fix: None,
    }
}

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, qualified: Option<&str>) {
    if checker.enabled(RULE) && qualified == Some("nest_asyncio.apply") {
        checker.report(
            RULE,
            call.range(),
            "`nest_asyncio.apply()` makes the loop re-entrant: it hides re-entrancy bugs and \
             does not work with trio; `await` the coroutine instead of nesting a loop run",
            None,
        );
    }
}
