//! Syntax errors from the parser. Rules still run on the recovered tree.

rule! {
    /// ## What it does
    /// Reports code that Python cannot parse.
    ///
    /// ## Why is this bad?
    /// The cell or script raises `SyntaxError` before any of it runs. asyncell's parser
    /// recovers from the error, so the other rules still check the rest of the code.
    ///
    /// Notebook cells and `# %%` cells are parsed with IPython syntax, so
    /// `%autoawait trio` and `!pip install trio` are not errors there (LOOP102 reports the
    /// magics asyncell's host does not run; the body of an unknown cell magic such as
    /// `%%bash` is not parsed). A plain script is plain Python: a magic there is a syntax
    /// error. Jupytext's commented magics (`# %autoawait trio`) are comments everywhere.
    ///
    /// ## Example
    /// ```python
    /// async def main(:
    ///     ...
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// async def main():
    ///     ...
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    "E999" "syntax-error" {
        library: "python",
        default: true,
        severity: Error,
        fix: None,
    }
}

use ruff_text_size::{TextRange, TextSize};

use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::unit::Unit;

/// Syntax errors of a unit, as diagnostics.
pub fn check(unit: &Unit) -> Vec<Diagnostic> {
    // An error found at the end of the input (an unclosed bracket or block) would sit
    // after the unit's trailing blank lines: in a `# %%` file that is the next cell's
    // marker line. Report it at the end of the last line with code instead.
    let content_end = TextSize::of(unit.text.trim_end());
    unit.parsed
        .errors()
        .iter()
        .map(|error| {
            let range = if error.location.start() > content_end {
                TextRange::empty(content_end)
            } else {
                error.location
            };
            Diagnostic {
                code: RULE.code,
                message: format!("SyntaxError: {}", error.error),
                range,
                severity: RULE.severity,
                fix: None,
            }
        })
        .collect()
}
