//! `sarif`: a SARIF 2.1.0 log for GitHub code scanning and other SARIF viewers. The
//! rules section lists each rule that has a result (id, name, descriptions, help, the
//! `helpUri` only under a configured `rule-url-base`, and the default level from the
//! rule's severity); each result names its rule by `ruleId` and `ruleIndex`.
//!
//! Relative paths are relative to `%SRCROOT%`, the directory asyncell ran in (given in
//! `originalUriBaseIds`), as code scanning expects for files in the repository. A
//! notebook's rows count from its cell, which is no line of the `.ipynb` file, so its
//! results sit on the file's first line, with the cell location in the message and in
//! the result's `properties`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::{json, Value};

use super::finding::Finding;
use crate::analysis::rules::{Rule, RuleMeta};
use crate::analysis::Severity;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn log(findings: &[Finding]) -> String {
    // BTreeMap: rules in code order, so a log is the same from run to run.
    let mut used: BTreeMap<&'static str, Option<&'static RuleMeta>> = BTreeMap::new();
    for finding in findings {
        used.entry(finding.code)
            .or_insert_with(|| Rule::from_code(finding.code).map(Rule::meta));
    }
    let index_of: BTreeMap<&str, usize> = used
        .keys()
        .enumerate()
        .map(|(index, code)| (*code, index))
        .collect();
    let rules: Vec<Value> = used
        .iter()
        .map(|(code, rule)| {
            let url = findings
                .iter()
                .find(|finding| finding.code == *code)
                .and_then(|finding| finding.url.clone());
            rule_descriptor(code, *rule, url)
        })
        .collect();
    let results: Vec<SarifResult> = findings
        .iter()
        .map(|finding| result(finding, index_of[finding.code]))
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: json!({
                "driver": {
                    "name": "asyncell",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            }),
            original_uri_base_ids: source_root().map(|root| json!({"%SRCROOT%": {"uri": root}})),
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

// The log's frame and its results are typed (results are the bulk of a large log; as
// `serde_json::Value`s they would take ten times their size while it is written). The
// rules section, a few entries, is built as JSON values.

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<Value>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: [ResultLocation; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<CellProperties>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

/// Where a notebook result really is: its cell and the position in it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CellProperties {
    cell: usize,
    cell_row: u32,
    cell_column: u32,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information => "note",
    }
}

fn rule_descriptor(code: &str, rule: Option<&RuleMeta>, url: Option<String>) -> Value {
    let Some(rule) = rule else {
        return json!({"id": code});
    };
    let documentation = rule.documentation();
    let mut descriptor = json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": summary(&documentation)},
        "fullDescription": {"text": documentation},
        "help": {"text": documentation, "markdown": documentation},
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {"tags": [rule.library]},
    });
    if let Some(url) = url {
        descriptor["helpUri"] = json!(url);
    }
    descriptor
}

/// The first sentence of a rule's "What it does" paragraph.
fn summary(documentation: &str) -> String {
    let paragraph: Vec<&str> = documentation
        .lines()
        .skip_while(|line| line.trim().is_empty() || line.starts_with('#'))
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect();
    let text = paragraph.join(" ");
    match text.find(". ") {
        Some(end) => text[..=end].to_string(),
        None => text,
    }
}

fn result(finding: &Finding, rule_index: usize) -> SarifResult {
    let (message, region) = match finding.cell_location() {
        Some(cell) => (
            format!("{cell}: {}", finding.message),
            Region {
                start_line: 1,
                start_column: 1,
                end_line: None,
                end_column: None,
            },
        ),
        None => (
            finding.message.clone(),
            Region {
                start_line: finding.start.row,
                start_column: finding.start.column,
                end_line: Some(finding.end.row),
                end_column: Some(finding.end.column),
            },
        ),
    };
    SarifResult {
        rule_id: finding.code,
        rule_index,
        level: level(finding.severity),
        message: Message { text: message },
        locations: [ResultLocation {
            physical_location: PhysicalLocation {
                artifact_location: artifact_location(&finding.path),
                region,
            },
        }],
        properties: finding.cell.map(|cell| CellProperties {
            cell,
            cell_row: finding.start.row,
            cell_column: finding.start.column,
        }),
    }
}

fn artifact_location(path: &Path) -> ArtifactLocation {
    if path.is_absolute() {
        ArtifactLocation {
            uri: format!("file://{}", encode_path(path)),
            uri_base_id: None,
        }
    } else {
        let relative = path.strip_prefix(".").unwrap_or(path);
        ArtifactLocation {
            uri: encode_path(relative),
            uri_base_id: Some("%SRCROOT%"),
        }
    }
}

/// The working directory as a `file://` URI ending in `/`, as SARIF requires of a base.
fn source_root() -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let mut uri = format!("file://{}", encode_path(&cwd));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    Some(uri)
}

/// A path as a URI path: bytes other than unreserved characters and `/` are
/// percent-encoded (a space, `#` or `%` in a file name would otherwise break the URI).
fn encode_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_percent_encoded() {
        assert_eq!(encode_path(Path::new("a b/c#1%.py")), "a%20b/c%231%25.py");
    }

    #[test]
    fn the_summary_is_the_first_sentence_after_the_heading() {
        let doc = "## What it does\nFlags a call that\nblocks. Then more.\n\n## Why";
        assert_eq!(summary(doc), "Flags a call that blocks.");
    }
}
