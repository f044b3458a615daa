//! IPython magics and escapes that asyncell's host does not run (see `analysis::magics`,
//! the mirror of the host's `SUPPORTED`).

use ruff_python_ast::{Expr, IpyEscapeKind, Stmt};
use ruff_text_size::{TextRange, TextSize};

use crate::analysis::checker::Checker;
use crate::analysis::magics;

rule! {
    /// ## What it does
    /// Flags IPython magics and escapes in notebook cells and `# %%` cells that
    /// asyncell's host does not run. It runs these, as IPython does:
    ///
    /// - line magics `%autoawait`, `%cd`, `%env`, `%matplotlib`, `%pip`, `%time`,
    ///   `%timeit`, `%who`, also indented (in a `for` body) and assigned
    ///   (`home = %env HOME`);
    /// - the cell magic `%%time`, on the cell's first line, without arguments;
    /// - shell escapes `!cmd` and `files = !ls` (names as targets);
    /// - `obj?` and `obj??` (also `?obj`) on a dotted name.
    ///
    /// Anything else is flagged: an unknown line magic (`%load_ext`), an unknown cell
    /// magic (`%%bash`), a cell magic below the first line, `!!cmd`, the autocall escapes
    /// (`,f a b`, `;f a b`, `/f a b`), `x[0]?`. In a plain script (no `# %%` markers)
    /// a magic is a syntax error (E999) instead.
    ///
    /// ## Why is this bad?
    /// `asyncell run` and the editor's cells fail there (`asyncell run` prints these
    /// findings before it runs the file). An unknown line magic is one
    /// `UsageError` at its line (the rest of the cell still runs, and the cell ends with
    /// an error); an unknown cell magic, a misplaced one, or an escape the host cannot
    /// read fails the whole cell before any of it runs.
    ///
    /// ## Example
    /// ```python
    /// %load_ext autoreload
    /// !!ls
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import importlib
    /// importlib.reload(mymodule)
    /// files = !ls
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    "LOOP102" "unsupported-magic" {
        library: "python",
        default: true,
        severity: Error,
        fix: None,
    }
}

/// How much of the cell a magic the host cannot run takes down with it.
#[derive(Clone, Copy)]
enum Failure {
    /// One `UsageError` at the line; the rest of the cell runs.
    Line,
    /// A `UsageError` before the cell runs.
    CellUsage,
    /// A `SyntaxError` before the cell runs (the host leaves the line as it is).
    CellSyntax,
    /// The line runs, but not as in IPython.
    Differs,
}

impl Failure {
    fn consequence(self) -> &'static str {
        match self {
            Failure::Line => "this line fails with UsageError and the rest of the cell runs",
            Failure::CellUsage => "the cell fails with UsageError before any of it runs",
            Failure::CellSyntax => "the cell fails with SyntaxError before any of it runs",
            Failure::Differs => "it does not run as in IPython",
        }
    }
}

/// What is wrong, what happens when the cell runs, and what to write instead.
struct Problem {
    what: String,
    failure: Failure,
    /// `None`: the list of what asyncell supports.
    advice: Option<String>,
}

fn problem(what: String, failure: Failure) -> Option<Problem> {
    Some(Problem {
        what,
        failure,
        advice: None,
    })
}

/// A magic or escape statement: `%name`, `%%name`, `!cmd`, `obj?`, `,f a`.
pub(crate) fn check_stmt(checker: &mut Checker, stmt: &Stmt) {
    let Stmt::IpyEscapeCommand(command) = stmt else {
        return;
    };
    if !checker.enabled(RULE) {
        return;
    }
    let value = &*command.value;
    let found = match command.kind {
        IpyEscapeKind::Shell => None,
        IpyEscapeKind::Magic => line_magic(value),
        IpyEscapeKind::Magic2 => cell_magic(checker, command.range.start(), value),
        IpyEscapeKind::Help | IpyEscapeKind::Help2 => {
            help(checker, command.range, value, command.kind.as_str())
        }
        IpyEscapeKind::ShCap => Some(Problem {
            what: format!("`!!{value}`: asyncell has no `!!` (the shell is handed `!{value}`)"),
            failure: Failure::Differs,
            advice: Some(format!(
                "use `!{value}`, or `out = !{value}` for its output lines"
            )),
        }),
        IpyEscapeKind::Quote | IpyEscapeKind::Quote2 | IpyEscapeKind::Paren => Some(Problem {
            what: format!(
                "the autocall escape `{}` is not supported",
                command.kind.as_str()
            ),
            failure: Failure::CellSyntax,
            advice: Some("call the function with parentheses instead".to_string()),
        }),
    };
    report(checker, command.range, found);
}

/// An assigned escape: `files = !ls`, `home = %env HOME`.
pub(crate) fn check_expr(checker: &mut Checker, expr: &Expr) {
    let Expr::IpyEscapeCommand(command) = expr else {
        return;
    };
    if !checker.enabled(RULE) {
        return;
    }
    let value = &*command.value;
    let escape = command.kind.as_str();
    let assignment = checker.enclosing_stmts().last().copied();
    let targets_are_names = matches!(
        assignment,
        Some(Stmt::Assign(assign)) if assign.targets.len() == 1 && plain_targets(&assign.targets[0])
    );
    let found = if !targets_are_names {
        Some(Problem {
            what: format!("`{escape}{value}` is assigned to something other than names"),
            failure: Failure::CellSyntax,
            advice: Some(format!(
                "asyncell runs `x = {escape}...` and `a, b = {escape}...`; assign from the \
                 name afterwards"
            )),
        })
    } else {
        match command.kind {
            IpyEscapeKind::Shell => None,
            IpyEscapeKind::Magic if value.starts_with('%') => problem(
                format!("the cell magic `%{value}` cannot be assigned"),
                Failure::CellSyntax,
            ),
            IpyEscapeKind::Magic => line_magic(value),
            _ => problem(
                format!("`{escape}{value}` cannot be assigned"),
                Failure::CellSyntax,
            ),
        }
    };
    report(checker, command.range, found);
}

/// Targets the host's pattern takes: names, dotted names, a bare tuple of them.
fn plain_targets(target: &Expr) -> bool {
    fn dotted(expr: &Expr) -> bool {
        match expr {
            Expr::Name(_) => true,
            Expr::Attribute(attribute) => dotted(&attribute.value),
            _ => false,
        }
    }
    match target {
        Expr::Tuple(tuple) => !tuple.parenthesized && tuple.elts.iter().all(dotted),
        other => dotted(other),
    }
}

/// `%name args` (`value` is what follows the `%`).
fn line_magic(value: &str) -> Option<Problem> {
    match magics::magic_name(value) {
        Some(name) if magics::is_line_magic(name) => None,
        Some(name) => problem(format!("unknown magic `%{name}`"), Failure::Line),
        None => problem(
            format!("`%{value}` is not a magic asyncell can read"),
            Failure::CellSyntax,
        ),
    }
}

/// `%%name`: only on the cell's first line, and only the supported ones.
fn cell_magic(checker: &Checker, start: TextSize, value: &str) -> Option<Problem> {
    let mut words = value.split_whitespace();
    let name = words.next().unwrap_or("");
    let first = usize::from(start) == magics::first_line_start(&checker.unit.text);
    let what = if !magics::is_cell_magic(name) {
        format!("unknown cell magic `%%{name}`")
    } else if !first {
        format!("the cell magic `%%{name}` is not on the cell's first line")
    } else if words.next().is_some() {
        format!("`%%{name}` takes no arguments on its line")
    } else {
        return None;
    };
    problem(what, Failure::CellUsage)
}

/// `obj?`, `obj??`, `?obj` (`value` is the object).
fn help(checker: &Checker, range: TextRange, value: &str, escape: &str) -> Option<Problem> {
    if value.is_empty() {
        // `f(x)?`: a syntax error, which E999 reports.
        return None;
    }
    if let Some(after) = value.strip_prefix('%') {
        if !after.starts_with('%') {
            // `%time?` is the magic `%time` with `?` as its argument to the host.
            return line_magic(after);
        }
    }
    if !magics::is_inspectable(value) {
        return Some(Problem {
            what: format!("`{value}{escape}`: asyncell inspects names only"),
            failure: Failure::CellSyntax,
            advice: Some(format!("bind it to a name first, then `name{escape}`")),
        });
    }
    // The host reads `obj?` only where the `?` ends the line.
    let text = &checker.unit.text;
    let end = usize::from(range.end());
    let rest = text.get(end..).unwrap_or_default();
    let rest = crate::positions::first_line(rest);
    if text[..end].ends_with('?') && !rest.trim().is_empty() {
        return Some(Problem {
            what: format!("`{value}{escape}` has a comment after it"),
            failure: Failure::CellSyntax,
            advice: Some("asyncell reads `obj?` only at the end of its line".to_string()),
        });
    }
    None
}

fn report(checker: &mut Checker, range: TextRange, found: Option<Problem>) {
    let Some(found) = found else {
        return;
    };
    let advice = found
        .advice
        .unwrap_or_else(|| format!("asyncell supports {}", magics::supported_text()));
    let message = format!("{}: {} ({advice})", found.what, found.failure.consequence());
    checker.report(RULE, first_line(checker, range), message, None);
}

/// The escape's first line: an escape line continued with `\` spans more.
fn first_line(checker: &Checker, range: TextRange) -> TextRange {
    let text = checker.source(range);
    let end = crate::positions::line_end(text, 0);
    if end < text.len() {
        TextRange::at(range.start(), TextSize::try_from(end).unwrap_or_default())
    } else {
        range
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_are_plain_targets() {
        let target = |source: &str| {
            let parsed = ruff_python_parser::parse_module(&format!("{source} = 1")).unwrap();
            let Stmt::Assign(assign) = &parsed.syntax().body[0] else {
                panic!()
            };
            plain_targets(&assign.targets[0])
        };
        assert!(target("x"));
        assert!(target("a.b"));
        assert!(target("a, b.c"));
        assert!(!target("(a, b)"));
        assert!(!target("d['k']"));
        assert!(!target("*a, b"));
    }
}
