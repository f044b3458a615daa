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
    /// A `return` outside a function (at the top level of a cell or script, or in a
    /// class body) is reported too: the parser accepts it, but CPython's compiler
    /// rejects the whole cell with `SyntaxError: 'return' outside function`, in a cell
    /// as in a script. It is easy to hit when a function's body is pasted into a cell.
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

use ruff_python_ast::Stmt;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::analysis::checker::{Checker, ScopeKind};
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
                rule: RULE,
                message: format!("SyntaxError: {}", error.error),
                range,
                severity: RULE.severity,
                fix: None,
            }
        })
        .collect()
}

/// `return` where no function encloses it: the innermost scope that can hold statements
/// is the module (a cell, a script) or a class body.
pub(crate) fn check_return(checker: &mut Checker, stmt: &Stmt) {
    if !checker.enabled(RULE) {
        return;
    }
    let Stmt::Return(statement) = stmt else {
        return;
    };
    let outside_function = checker
        .scopes()
        .iter()
        .rev()
        .find(|scope| {
            matches!(
                scope.kind,
                ScopeKind::AsyncFunction
                    | ScopeKind::SyncFunction
                    | ScopeKind::Class
                    | ScopeKind::Module
            )
        })
        .is_none_or(|scope| matches!(scope.kind, ScopeKind::Class | ScopeKind::Module));
    if !outside_function {
        return;
    }
    let place = if checker.kind().has_cells() {
        "a cell's top level runs as module code, not as a function"
    } else {
        "module code is not a function"
    };
    // The keyword only: the value may span lines.
    let range = TextRange::at(statement.start(), TextSize::new(6));
    checker.report(
        RULE,
        range,
        format!(
            "SyntaxError: 'return' outside function ({place}); remove it, or put the code \
             in a function"
        ),
        None,
    );
}
