//! `gitlab`: a GitLab Code Quality report (a JSON array of Code Climate issues), which
//! GitLab shows in merge requests when a job saves it as `artifacts:reports:codequality`.
//!
//! Notebook rows count from their cell, which is no line of the `.ipynb` file, so a
//! notebook finding is placed on the file's first line and its description starts with
//! the cell location, as in the other CI formats.

use serde_json::{json, Value};

use super::finding::Finding;
use super::fingerprint::fingerprints;
use crate::analysis::Severity;

pub fn report(findings: &[Finding]) -> String {
    let issues: Vec<Value> = findings
        .iter()
        .zip(fingerprints(findings))
        .map(|(finding, fingerprint)| {
            let (description, begin, end) = match finding.cell_location() {
                Some(cell) => (format!("{cell}: {}", finding.message), 1, 1),
                None => (finding.message.clone(), finding.start.row, finding.end.row),
            };
            json!({
                "type": "issue",
                "check_name": finding.code,
                "description": format!("{}: {description}", finding.code),
                "categories": ["Bug Risk"],
                "severity": match finding.severity {
                    Severity::Error => "critical",
                    Severity::Warning => "major",
                },
                "fingerprint": fingerprint,
                "location": {
                    "path": finding.relative_path(),
                    "lines": {"begin": begin, "end": end},
                },
            })
        })
        .collect();
    serde_json::to_string_pretty(&Value::Array(issues)).unwrap_or_default() + "\n"
}
