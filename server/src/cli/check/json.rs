//! `json` (an array) and `json-lines` (one object per line): findings in Ruff's JSON
//! shape, plus `cell` (the 1-based notebook cell, rows relative to it) and `severity`.
//!
//! Typed and borrowed, not `serde_json::Value`s: a report of 20,000 findings would
//! otherwise hold some ten times its own size in maps while it is written. Fields are
//! declared in alphabetical order, the order the first (`Value`-built) output had.

use serde::Serialize;

use super::finding::{Finding, Location};
use crate::analysis::{Applicability, Severity};

#[derive(Serialize)]
struct Item<'a> {
    cell: Option<usize>,
    code: &'a str,
    end_location: Position,
    filename: String,
    fix: Option<FixItem<'a>>,
    location: Position,
    message: &'a str,
    severity: Severity,
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct Position {
    column: u32,
    row: u32,
}

#[derive(Serialize)]
struct FixItem<'a> {
    applicability: Applicability,
    edits: Vec<EditItem<'a>>,
    message: &'a str,
}

#[derive(Serialize)]
struct EditItem<'a> {
    content: &'a str,
    end_location: Position,
    location: Position,
}

impl From<Location> for Position {
    fn from(at: Location) -> Position {
        Position {
            column: at.column,
            row: at.row,
        }
    }
}

fn item(finding: &Finding) -> Item<'_> {
    Item {
        cell: finding.cell,
        code: finding.code,
        end_location: finding.end.into(),
        filename: finding.path.display().to_string(),
        fix: finding.fix.as_ref().map(|fix| FixItem {
            applicability: fix.applicability,
            edits: fix
                .edits
                .iter()
                .map(|edit| EditItem {
                    content: &edit.content,
                    end_location: edit.end.into(),
                    location: edit.start.into(),
                })
                .collect(),
            message: &fix.title,
        }),
        location: finding.start.into(),
        message: &finding.message,
        severity: finding.severity,
        url: finding.url.as_deref(),
    }
}

pub fn array(findings: &[Finding]) -> String {
    let items: Vec<Item> = findings.iter().map(item).collect();
    serde_json::to_string_pretty(&items).unwrap_or_default() + "\n"
}

pub fn lines(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|finding| serde_json::to_string(&item(finding)).unwrap_or_default() + "\n")
        .collect()
}
