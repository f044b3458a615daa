//! Findings and their fixes, in unit-relative byte ranges.

use ruff_text_size::TextRange;
use serde::Serialize;

use super::rules::Rule;

/// How bad a finding is. The model (see docs/rules/README.md): an error raises at run
/// time, a warning hangs, leaks or loses work, information is style. Each rule declares
/// its severity once, in its `rule!` declaration; every diagnostic carries its rule's
/// severity, and every front end (CLI output formats, LSP) maps this one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The code fails when it runs (a SyntaxError, a RuntimeError).
    Error,
    /// The code runs but misbehaves: it hangs, leaks or loses work (a dropped coroutine,
    /// a frozen loop, an unsupervised task).
    Warning,
    /// The code works; another spelling says better what is meant (style).
    Information,
}

impl Severity {
    /// The name used in text and JSON output and in configuration: `error`, `warning`,
    /// `information`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
        }
    }
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

/// How far a fix can be trusted, as Ruff grades them. Ordered from least to most
/// trusted, so "apply everything at least this safe" is a comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown to explain the finding, never applied by a tool (`--fix`, fix-all).
    DisplayOnly,
    /// Correct code, but it may behave differently (a function that now really runs):
    /// applied only when asked for (`--unsafe-fixes`, or one quick fix chosen by hand).
    Unsafe,
    /// Keeps what the code does, or turns code that could never have worked into code
    /// that does: applied by `--fix` and an editor's fix-on-save.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// A mechanical fix. Edits never overlap and are sorted by start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub message: String,
    pub edits: Vec<Edit>,
    /// The rule decides: [`Checker::report`](super::checker::Checker::report) stamps the
    /// rule's declared applicability on its fixes; a rule that declares more than one
    /// sets it per fix with [`Fix::with_applicability`].
    pub applicability: Applicability,
}

impl Fix {
    /// A fix of the rule's declared applicability. Until the rule's report stamps it, it
    /// is display-only, so a fix that escaped the stamping is never applied by a tool.
    pub fn new(message: impl Into<String>, mut edits: Vec<Edit>) -> Self {
        edits.sort_by_key(|e| e.range.start());
        Fix {
            message: message.into(),
            edits,
            applicability: Applicability::DisplayOnly,
        }
    }

    /// For rules whose fixes differ in safety (declared as `Sometimes(Safe | Unsafe)`).
    pub fn with_applicability(mut self, applicability: Applicability) -> Self {
        self.applicability = applicability;
        self
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule that found it; `rule.code()` is the code every output shows.
    pub rule: Rule,
    pub message: String,
    /// Byte range inside the unit's text.
    pub range: TextRange,
    pub severity: Severity,
    pub fix: Option<Fix>,
}
