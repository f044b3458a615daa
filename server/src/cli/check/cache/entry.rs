//! A stored entry: the findings of one file without its path (re-attached on load, since
//! the same file may be named `src/a.py` or `./src/a.py`), with the key they were made
//! under. Codes and rule names are `&'static str` in a [`Finding`]; they are restored from
//! the rule catalogue, and a code it does not know makes the entry a miss.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::key::EntryKey;
use crate::analysis::rules::Rule;
use crate::analysis::{Applicability, Severity};
use crate::cli::check::finding::{EditView, Finding, FixView, Location, SourceLine};
use crate::cli::check::fixes::FileFixes;

#[derive(Serialize, Deserialize)]
struct Entry {
    /// [`EntryKey`] in hex (JSON has no 128-bit integers).
    key: String,
    fixable: usize,
    hidden: usize,
    findings: Vec<StoredFinding>,
}

#[derive(Serialize, Deserialize)]
struct StoredFinding {
    cell: Option<usize>,
    code: String,
    message: String,
    severity: StoredSeverity,
    start: StoredLocation,
    end: StoredLocation,
    fix: Option<StoredFix>,
    fixable: bool,
    source: Vec<(u32, String)>,
    url: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct StoredFix {
    title: String,
    applicability: StoredApplicability,
    edits: Vec<StoredEdit>,
}

/// A row and column, as in [`Location`].
type StoredLocation = (u32, u32);

/// An edit's (content, start, end).
type StoredEdit = (String, StoredLocation, StoredLocation);

/// The analysis's enums, mirrored so that their serialised form is this file's business.
#[derive(Serialize, Deserialize)]
enum StoredSeverity {
    Error,
    Warning,
    Information,
}

#[derive(Serialize, Deserialize)]
enum StoredApplicability {
    DisplayOnly,
    Unsafe,
    Safe,
}

/// The entry's bytes; `None` when a finding's code is not catalogued (it could not be
/// restored, so storing it would only cost a miss on every run).
pub fn encode(key: &EntryKey, findings: &[Finding], fixes: &FileFixes) -> Option<Vec<u8>> {
    if findings.iter().any(|finding| finding.rule_name.is_none()) {
        return None;
    }
    let entry = Entry {
        key: key.to_hex(),
        fixable: fixes.fixable,
        hidden: fixes.hidden,
        findings: findings.iter().map(StoredFinding::from).collect(),
    };
    serde_json::to_vec(&entry).ok()
}

/// The findings, named `path`, when `bytes` is a whole entry made under `key`.
pub fn decode(bytes: &[u8], key: &EntryKey, path: &Path) -> Option<(Vec<Finding>, FileFixes)> {
    let entry: Entry = serde_json::from_slice(bytes).ok()?;
    if entry.key != key.to_hex() {
        return None;
    }
    let findings = entry
        .findings
        .into_iter()
        .map(|stored| stored.restore(path))
        .collect::<Option<Vec<_>>>()?;
    let fixes = FileFixes {
        fixable: entry.fixable,
        hidden: entry.hidden,
        ..FileFixes::default()
    };
    Some((findings, fixes))
}

fn stored_location(location: Location) -> StoredLocation {
    (location.row, location.column)
}

fn location((row, column): StoredLocation) -> Location {
    Location { row, column }
}

impl From<&Finding> for StoredFinding {
    fn from(finding: &Finding) -> StoredFinding {
        StoredFinding {
            cell: finding.cell,
            code: finding.code.to_string(),
            message: finding.message.clone(),
            severity: match finding.severity {
                Severity::Error => StoredSeverity::Error,
                Severity::Warning => StoredSeverity::Warning,
                Severity::Information => StoredSeverity::Information,
            },
            start: stored_location(finding.start),
            end: stored_location(finding.end),
            fix: finding.fix.as_ref().map(|fix| StoredFix {
                title: fix.title.clone(),
                applicability: match fix.applicability {
                    Applicability::DisplayOnly => StoredApplicability::DisplayOnly,
                    Applicability::Unsafe => StoredApplicability::Unsafe,
                    Applicability::Safe => StoredApplicability::Safe,
                },
                edits: fix
                    .edits
                    .iter()
                    .map(|edit| {
                        (
                            edit.content.clone(),
                            stored_location(edit.start),
                            stored_location(edit.end),
                        )
                    })
                    .collect(),
            }),
            fixable: finding.fixable,
            source: finding
                .source
                .iter()
                .map(|line| (line.row, line.text.clone()))
                .collect(),
            url: finding.url.clone(),
        }
    }
}

impl StoredFinding {
    fn restore(self, path: &Path) -> Option<Finding> {
        let rule = Rule::from_code(&self.code)?;
        Some(Finding {
            path: path.to_path_buf(),
            cell: self.cell,
            code: rule.code,
            rule_name: Some(rule.name),
            message: self.message,
            severity: match self.severity {
                StoredSeverity::Error => Severity::Error,
                StoredSeverity::Warning => Severity::Warning,
                StoredSeverity::Information => Severity::Information,
            },
            start: location(self.start),
            end: location(self.end),
            fix: self.fix.map(|fix| FixView {
                title: fix.title,
                applicability: match fix.applicability {
                    StoredApplicability::DisplayOnly => Applicability::DisplayOnly,
                    StoredApplicability::Unsafe => Applicability::Unsafe,
                    StoredApplicability::Safe => Applicability::Safe,
                },
                edits: fix
                    .edits
                    .into_iter()
                    .map(|(content, start, end)| EditView {
                        content,
                        start: location(start),
                        end: location(end),
                    })
                    .collect(),
            }),
            fixable: self.fixable,
            source: self
                .source
                .into_iter()
                .map(|(row, text)| SourceLine { row, text })
                .collect(),
            url: self.url,
        })
    }
}
