//! Findings and their fixes, in unit-relative byte ranges.

use ruff_text_size::TextRange;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The code fails when it runs (a SyntaxError, a RuntimeError).
    Error,
    /// The code runs but misbehaves (a dropped coroutine, a frozen loop).
    Warning,
}

/// One text replacement inside the unit the diagnostic belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub content: String,
}

impl Edit {
    pub fn replace(range: TextRange, content: impl Into<String>) -> Self {
        Edit {
            range,
            content: content.into(),
        }
    }
    pub fn insert(at: ruff_text_size::TextSize, content: impl Into<String>) -> Self {
        Edit {
            range: TextRange::empty(at),
            content: content.into(),
        }
    }
    pub fn delete(range: TextRange) -> Self {
        Edit {
            range,
            content: String::new(),
        }
    }
}

/// A mechanical fix. Edits never overlap and are sorted by start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub message: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(message: impl Into<String>, mut edits: Vec<Edit>) -> Self {
        edits.sort_by_key(|e| e.range.start());
        Fix {
            message: message.into(),
            edits,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub message: String,
    /// Byte range inside the unit's text.
    pub range: TextRange,
    pub severity: Severity,
    pub fix: Option<Fix>,
}
