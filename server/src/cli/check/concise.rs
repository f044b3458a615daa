//! `concise`: one line per finding, `path:row:col: CODE [*] message`, with `cell N:`
//! after the path in a notebook. Unchanged from asyncell's first text output, so scripts
//! that read it keep working.

use super::finding::{Finding, Location};
use super::style::{Palette, Style};

pub fn line(finding: &Finding, palette: Palette) -> String {
    format!(
        "{}: {} {}",
        header_location(finding, palette),
        code_and_marker(finding, palette),
        finding.message
    )
}

/// `path:row:col` or `path:cell N:row:col`.
pub fn header_location(finding: &Finding, palette: Palette) -> String {
    let path = palette.paint(Style::Bold, &finding.path.display().to_string());
    let Location { row, column } = finding.start;
    match finding.cell {
        Some(cell) => format!("{path}:cell {cell}:{row}:{column}"),
        None => format!("{path}:{row}:{column}"),
    }
}

/// `CODE` coloured by severity, and ` [*]` when this run would apply its fix.
pub fn code_and_marker(finding: &Finding, palette: Palette) -> String {
    let code = palette.paint(severity_style(finding), finding.code);
    if finding.fixable {
        format!("{code} {}", palette.paint(Style::Fixable, "[*]"))
    } else {
        code
    }
}

pub fn severity_style(finding: &Finding) -> Style {
    match finding.severity {
        crate::analysis::Severity::Error => Style::Error,
        crate::analysis::Severity::Warning => Style::Warning,
        crate::analysis::Severity::Information => Style::Information,
    }
}
