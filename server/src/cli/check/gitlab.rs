//! `gitlab`: a GitLab Code Quality report (a JSON array of Code Climate issues), which
//! GitLab shows in merge requests when a job saves it as `artifacts:reports:codequality`.
//!
//! Notebook rows count from their cell, which is no line of the `.ipynb` file, so a
//! notebook finding is placed on the file's first line and its description starts with
//! the cell location, as in the other CI formats.

use serde::Serialize;

use super::finding::Finding;
use super::fingerprint::fingerprints;
use crate::analysis::Severity;

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: &'a str,
    description: String,
    categories: [&'static str; 1],
    severity: &'static str,
    fingerprint: String,
    location: IssueLocation,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

pub fn report(findings: &[Finding]) -> String {
    let issues: Vec<Issue> = findings
        .iter()
        .zip(fingerprints(findings))
        .map(|(finding, fingerprint)| {
            let (description, begin, end) = match finding.cell_location() {
                Some(cell) => (format!("{cell}: {}", finding.message), 1, 1),
                None => (finding.message.clone(), finding.start.row, finding.end.row),
            };
            Issue {
                kind: "issue",
                check_name: finding.code,
                description: format!("{}: {description}", finding.code),
                categories: ["Bug Risk"],
                severity: match finding.severity {
                    Severity::Error => "critical",
                    Severity::Warning => "major",
                    Severity::Information => "info",
                },
                fingerprint,
                location: IssueLocation {
                    path: finding.relative_path(),
                    lines: Lines { begin, end },
                },
            }
        })
        .collect();
    serde_json::to_string_pretty(&issues).unwrap_or_default() + "\n"
}
