//! `full`: the concise header, then the source line(s) with a caret span under the
//! finding and the fix's title, as Ruff's full output shows them. Line numbers are the
//! ones the user sees: the file's, or in a notebook the cell's own.
//!
//! ```text
//! cells.py:13:1: LOOP300 [*] `refresh()` is never awaited
//!    |
//! 13 | refresh()
//!    | ^^^^^^^^^ LOOP300
//!    |
//!    = help: Add `await`
//! ```

use super::concise::{code_and_marker, header_location, severity_style};
use super::finding::{Finding, SourceLine};
use super::style::{Palette, Style};

use unicode_width::UnicodeWidthChar;

/// Tabs are shown as this many spaces, so carets stay under the text they mark.
const TAB_WIDTH: usize = 4;

pub fn block(finding: &Finding, palette: Palette) -> String {
    let mut out = format!(
        "{}: {} {}\n",
        header_location(finding, palette),
        code_and_marker(finding, palette),
        finding.message
    );
    let width = finding
        .source
        .iter()
        .map(|line| line.row.to_string().len())
        .max()
        .unwrap_or(1);
    let gutter = |number: &str| palette.paint(Style::Gutter, &format!("{number:>width$} |"));
    let blank = gutter("");
    out.push_str(&format!("{blank}\n"));
    let last = finding.source.len().saturating_sub(1);
    for (index, line) in finding.source.iter().enumerate() {
        if index > 0 && finding.source[index - 1].row + 1 != line.row {
            let elided = palette.paint(Style::Gutter, &format!("{:>width$}", "..."));
            out.push_str(&format!("{elided}\n"));
        }
        let (shown, columns) = expand_tabs(&line.text);
        let code_line = format!("{} {shown}", gutter(&line.row.to_string()));
        out.push_str(code_line.trim_end());
        out.push('\n');
        let (from, to) = underline(finding, line, &columns);
        let carets = "^".repeat(to - from);
        let label = if index == last {
            format!(" {}", finding.code)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{blank} {}{}\n",
            " ".repeat(from),
            palette.paint(severity_style(finding), &format!("{carets}{label}"))
        ));
    }
    out.push_str(&format!("{blank}\n"));
    if let Some(fix) = &finding.fix {
        out.push_str(&format!(
            "{} {}: {}\n",
            palette.paint(Style::Gutter, &format!("{:width$} =", "")),
            palette.paint(Style::Bold, "help"),
            fix.title
        ));
    }
    out
}

/// The line as shown (tabs expanded, control characters replaced), and for each
/// character boundary (0 to the number of characters) its display column: a wide
/// character (CJK, most emoji) takes two columns, a combining mark none.
fn expand_tabs(text: &str) -> (String, Vec<usize>) {
    let mut shown = String::with_capacity(text.len());
    let mut columns = Vec::with_capacity(text.len() + 1);
    let mut column = 0;
    for c in text.chars() {
        columns.push(column);
        if c == '\t' {
            let to = (column / TAB_WIDTH + 1) * TAB_WIDTH;
            shown.extend(std::iter::repeat_n(' ', to - column));
            column = to;
        } else if c.is_control() {
            // A stray control character would move the terminal's cursor.
            shown.push('\u{fffd}');
            column += 1;
        } else {
            shown.push(c);
            column += c.width().unwrap_or(0);
        }
    }
    columns.push(column);
    (shown, columns)
}

/// The display columns `[from, to)` to underline on one line of the span: from the
/// finding's start (or the line's first non-blank character) to its end (or the line's
/// end); at least one caret, so an empty range still points somewhere.
fn underline(finding: &Finding, line: &SourceLine, columns: &[usize]) -> (usize, usize) {
    let characters = columns.len() - 1;
    let column_at = |character: usize| columns[character.min(characters)];
    let first_text = line
        .text
        .chars()
        .position(|c| !c.is_whitespace())
        .unwrap_or(characters);
    let start = if line.row == finding.start.row {
        finding.start.column as usize - 1
    } else {
        first_text
    };
    let end = if line.row == finding.end.row {
        finding.end.column as usize - 1
    } else {
        characters
    };
    let from = column_at(start);
    let to = column_at(end).max(from + 1);
    (from, to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Severity;
    use crate::cli::check::finding::Location;

    fn finding(start: (u32, u32), end: (u32, u32), source: &[(u32, &str)]) -> Finding {
        Finding {
            path: "f.py".into(),
            cell: None,
            code: "E999",
            rule_name: None,
            message: "SyntaxError: m".into(),
            severity: Severity::Error,
            start: Location {
                row: start.0,
                column: start.1,
            },
            end: Location {
                row: end.0,
                column: end.1,
            },
            fix: None,
            fixable: false,
            source: source
                .iter()
                .map(|(row, text)| SourceLine {
                    row: *row,
                    text: text.to_string(),
                })
                .collect(),
            url: None,
        }
    }

    #[test]
    fn an_empty_range_at_the_end_of_a_line_gets_one_caret_past_it() {
        let block = block(&finding((1, 6), (1, 6), &[(1, "x = (")]), Palette::PLAIN);
        assert_eq!(
            block,
            "f.py:1:6: E999 SyntaxError: m\n  |\n1 | x = (\n  |      ^ E999\n  |\n"
        );
    }

    #[test]
    fn a_long_span_shows_its_ends_and_marks_the_gap() {
        let source = [
            (8, "a = ["),
            (9, "  1,"),
            (10, "  2,"),
            (98, "  3,"),
            (99, "  4,"),
            (100, "]"),
        ];
        let block = block(&finding((8, 5), (100, 2), &source), Palette::PLAIN);
        assert_eq!(
            block,
            "f.py:8:5: E999 SyntaxError: m\n    |\n  8 | a = [\n    |     ^\n  9 |   1,\n    |   ^^\n \
              10 |   2,\n    |   ^^\n...\n 98 |   3,\n    |   ^^\n 99 |   4,\n    |   ^^\n100 | ]\n    \
             | ^ E999\n    |\n"
        );
    }

    #[test]
    fn columns_count_tabs_and_wide_characters() {
        let (shown, columns) = expand_tabs("\tx");
        assert_eq!(shown, "    x");
        assert_eq!(columns, [0, 4, 5]);
        let (shown, columns) = expand_tabs("é中f");
        assert_eq!(shown, "é中f");
        assert_eq!(columns, [0, 1, 3, 4]);
        let (shown, _) = expand_tabs("a\u{1b}[31m");
        assert_eq!(shown, "a\u{fffd}[31m");
    }
}
