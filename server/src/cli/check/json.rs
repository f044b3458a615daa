//! `json` (an array) and `json-lines` (one object per line): findings in Ruff's JSON
//! shape, plus `cell` (the 1-based notebook cell, rows relative to it) and `severity`.

use serde_json::{json, Value};

use super::finding::{Finding, Location};

pub fn item(finding: &Finding) -> Value {
    let location = |at: Location| json!({"row": at.row, "column": at.column});
    let fix = finding.fix.as_ref().map(|fix| {
        json!({
            "message": fix.title,
            "edits": fix.edits.iter().map(|edit| json!({
                "content": edit.content,
                "location": location(edit.start),
                "end_location": location(edit.end),
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "code": finding.code,
        "message": finding.message,
        "filename": finding.path.display().to_string(),
        "cell": finding.cell,
        "location": location(finding.start),
        "end_location": location(finding.end),
        "severity": finding.severity,
        "fix": fix,
        "url": finding.url,
    })
}

pub fn array(findings: &[Finding]) -> String {
    let items = findings.iter().map(item).collect();
    serde_json::to_string_pretty(&Value::Array(items)).unwrap_or_default() + "\n"
}

pub fn lines(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|finding| item(finding).to_string() + "\n")
        .collect()
}
