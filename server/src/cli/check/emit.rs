//! Writes a check's findings in the chosen output format.

use std::path::PathBuf;

use super::finding::Finding;
use super::output_format::OutputFormat;
use super::style::Palette;
use super::{concise, full, github, gitlab, json, junit, sarif, statistics};

/// What a report is made of: the findings (in file order), every file checked, and the
/// files that could not be checked with the reason.
pub struct Report<'a> {
    pub findings: &'a [Finding],
    pub checked: &'a [PathBuf],
    pub failed: &'a [(PathBuf, String)],
}

/// The whole of stdout for a check.
pub fn render(
    format: OutputFormat,
    show_statistics: bool,
    report: &Report,
    palette: Palette,
) -> String {
    let findings = report.findings;
    if show_statistics {
        return match format {
            OutputFormat::Json | OutputFormat::JsonLines => statistics::json(findings),
            _ => statistics::table(findings),
        };
    }
    match format {
        OutputFormat::Concise => findings
            .iter()
            .map(|finding| concise::line(finding, palette) + "\n")
            .collect(),
        // A blank line between blocks, as Ruff prints them.
        OutputFormat::Full => findings
            .iter()
            .map(|finding| full::block(finding, palette) + "\n")
            .collect(),
        OutputFormat::Json => json::array(findings),
        OutputFormat::JsonLines => json::lines(findings),
        OutputFormat::Github => findings.iter().map(github::line).collect(),
        OutputFormat::Gitlab => gitlab::report(findings),
        OutputFormat::Sarif => sarif::log(findings),
        OutputFormat::Junit => junit::report(report),
    }
}
