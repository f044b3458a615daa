//! `await` at module level of a plain script.

use ruff_text_size::TextRange;

use crate::analysis::checker::{AwaitPlacement, Checker};

rule! {
    /// ## What it does
    /// Flags `await`, `async with`, `async for` and async comprehensions at the module
    /// level of a plain script (a `.py` file without `# %%` cell markers).
    ///
    /// ## Why is this bad?
    /// Top-level `await` works in a notebook cell, so code copied out of a notebook looks
    /// fine, but a script fails before it starts with
    /// `SyntaxError: 'await' outside function`.
    ///
    /// The rule follows CPython exactly: it does not fire in `# %%` cell files or
    /// notebooks, nor on async generator expressions such as `(await f() for f in fs)`,
    /// which are legal at module level even in a script.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// await trio.sleep(1)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def main():
    ///     await trio.sleep(1)
    ///
    /// trio.run(main)
    /// ```
    ///
    /// Or add a `# %%` marker to make the file a cell file that asyncell runs on a
    /// persistent loop.
    ///
    /// ## Fix safety
    /// There is no automatic fix: where `main()` should end is a decision for the author.
    "LOOP100" "top-level-await-in-script" {
        library: "python",
        default: true,
        severity: Error,
        fix: None,
    }
}

pub(crate) fn check(checker: &mut Checker, range: TextRange, what: &'static str) {
    if !checker.enabled(RULE) || checker.kind().has_cells() {
        return;
    }
    if matches!(checker.await_placement(), AwaitPlacement::TopLevel) {
        checker.report(
            RULE,
            range,
            format!(
                "`{what}` at module level of a script: SyntaxError: '{what}' outside function. \
                 It only works in a notebook cell; wrap it in `async def main()` and run that"
            ),
            None,
        );
    }
}
