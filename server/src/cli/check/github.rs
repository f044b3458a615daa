//! `github`: GitHub Actions workflow commands, which the runner turns into annotations
//! on the pull request's diff:
//! `::warning title=LOOP300,file=cells.py,line=13,col=1,endLine=13,endColumn=10::message`.
//!
//! The command follows the rule's severity (`error` or `warning`), as SARIF's level
//! does. A notebook's rows count from its cell, which is no line of the `.ipynb` file
//! GitHub shows, so a notebook finding is annotated on the file as a whole and its
//! message starts with the cell location (`cell 5:1:1: ...`).

use super::finding::Finding;
use crate::analysis::Severity;

pub fn line(finding: &Finding) -> String {
    let command = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information => "notice",
    };
    let mut properties = vec![
        format!("title={}", property(finding.code)),
        format!("file={}", property(&finding.relative_path())),
    ];
    let message = match finding.cell_location() {
        Some(cell) => format!("{cell}: {}", finding.message),
        None => {
            properties.push(format!("line={}", finding.start.row));
            properties.push(format!("col={}", finding.start.column));
            properties.push(format!("endLine={}", finding.end.row));
            properties.push(format!("endColumn={}", finding.end.column));
            finding.message.clone()
        }
    };
    format!("::{command} {}::{}\n", properties.join(","), data(&message))
}

/// A command's message: `%`, CR and LF are escaped, as the runner unescapes them.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: the message escapes, plus `:` and `,`, which end a value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_and_line_breaks_are_escaped() {
        assert_eq!(data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
