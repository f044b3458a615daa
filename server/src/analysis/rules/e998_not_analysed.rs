//! Code the rules do not see: nested deeper than asyncell analyses, or code the parser
//! failed on. One diagnostic per unit, and the other units are still checked.

rule! {
    /// ## What it does
    /// Reports a cell or script that asyncell could not check, and why:
    ///
    /// - **It nests more than 20,000 levels deep**: a generated line such as
    ///   `x = a + a + ... + a` with tens of thousands of terms, or brackets, calls or
    ///   attribute accesses nested as deeply. CPython 3.11 to 3.13 cannot compile code
    ///   that deep either (`RecursionError: maximum recursion depth exceeded during
    ///   compilation`). Syntax errors (E999) are still reported; no other rule runs on
    ///   that cell or script.
    /// - **The parser failed on it** (an internal error of the parser; the details are in
    ///   the log with `ASYNCELL_LOG=debug`). A notebook or `# %%` cell is then checked
    ///   as plain Python, so any IPython syntax in it (`%magic`, `!command`) shows as a
    ///   syntax error; other code is not checked.
    ///
    /// ## Why is this bad?
    /// Nothing in that cell or script is checked, so its problems go unreported.
    ///
    /// ## Example
    /// A notebook cell that makes the IPython parser fail:
    /// ```python
    /// l(}
    /// ,oad()
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// load()
    /// ```
    ///
    /// Split a deeply nested expression into smaller ones: `total = sum(terms)` for a long
    /// sum, a data file (or several statements) for a huge literal.
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    "E998" "not-analysed" {
        library: "python",
        default: true,
        severity: Warning,
        fix: None,
    }
}

use ruff_text_size::{TextRange, TextSize};

use crate::analysis::depth::MAX_ANALYSED_DEPTH;
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::unit::{ParserFailure, Unit};

/// Whether the rules may walk the unit: it parsed, and is not too deep.
pub fn is_analysable(unit: &Unit) -> bool {
    unit.depth.levels <= MAX_ANALYSED_DEPTH && unit.parser_failure != Some(ParserFailure::Unparsed)
}

/// The unit's one E998 diagnostic, if it has one.
pub fn check(unit: &Unit) -> Option<Diagnostic> {
    let (message, range) = if let Some(failure) = unit.parser_failure {
        let message = match failure {
            ParserFailure::FellBackToPython => {
                "the IPython parser failed on this cell (an internal error; details with \
                 ASYNCELL_LOG=debug): it was checked as plain Python, so IPython syntax in \
                 it (`%magic`, `!command`) shows as syntax errors"
            }
            ParserFailure::Unparsed => {
                "not checked: the parser failed on this code (an internal error; details \
                 with ASYNCELL_LOG=debug)"
            }
        };
        (message.to_string(), first_line(unit, TextSize::new(0)))
    } else if unit.depth.levels > MAX_ANALYSED_DEPTH {
        let message = format!(
            "not checked: this code nests {} levels deep, more than the {MAX_ANALYSED_DEPTH} \
             asyncell analyses (CPython 3.11-3.13 cannot compile code this deep either); \
             split the expression into smaller ones",
            unit.depth.levels
        );
        (message, first_line(unit, unit.depth.statement.start()))
    } else {
        return None;
    };
    Some(Diagnostic {
        rule: RULE,
        message,
        range,
        severity: RULE.severity,
        fix: None,
    })
}

/// From `start` to the end of its line: a generated 100 KB line is not underlined whole.
fn first_line(unit: &Unit, start: TextSize) -> TextRange {
    let rest = unit.text.get(usize::from(start)..).unwrap_or_default();
    let line = crate::positions::line_end(rest, 0);
    TextRange::at(start, TextSize::try_from(line).unwrap_or_default())
}
