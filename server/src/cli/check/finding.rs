//! One finding as every output format needs it: positions as the user counts them, the
//! source lines it spans and its fix, all owned, so the file's parsed document can be
//! dropped as soon as the file is checked.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ruff_text_size::TextSize;

use crate::analysis::{Applicability, Diagnostic, Severity, UnitSlot};
use crate::positions::Encoding;

/// A 1-based row and column (in characters), as printed. In a notebook the row is
/// counted from the top of the finding's cell; elsewhere from the top of the file, `# %%`
/// cell files included, because that is the line number the editor shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub row: u32,
    pub column: u32,
}

#[derive(Clone, Debug)]
pub struct FixView {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<EditView>,
}

#[derive(Clone, Debug)]
pub struct EditView {
    pub content: String,
    pub start: Location,
    pub end: Location,
}

/// A line of the source the finding spans, without its line break.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceLine {
    pub row: u32,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub path: PathBuf,
    /// The 1-based cell of a notebook, counted among all cells (markdown included) as
    /// Jupyter and Ruff number them. `None` outside notebooks.
    pub cell: Option<usize>,
    pub code: &'static str,
    /// The rule's name (`unawaited-coroutine`), when the code is a catalogued rule.
    pub rule_name: Option<&'static str>,
    pub message: String,
    pub severity: Severity,
    pub start: Location,
    pub end: Location,
    pub fix: Option<FixView>,
    /// Whether this run would apply the fix (`[*]`): safe, or unsafe under
    /// `--unsafe-fixes`.
    pub fixable: bool,
    /// The spanned lines; for a long span, its first and last lines only (rows tell
    /// where the gap is).
    pub source: Vec<SourceLine>,
    /// The rule's page under the configured `rule-url-base`; `None` without one.
    pub url: Option<String>,
}

/// A span longer than this shows its first and last lines only.
const MAX_SHOWN_LINES: usize = 6;

impl Finding {
    pub fn new(
        path: &Path,
        slot: &UnitSlot,
        diagnostic: &Diagnostic,
        rule_url_base: Option<&str>,
        fixable: bool,
    ) -> Finding {
        let location = |offset: TextSize| {
            let at = slot.line_col(offset, Encoding::Utf32);
            Location {
                row: at.line + 1,
                column: at.col + 1,
            }
        };
        let rule = diagnostic.rule;
        Finding {
            path: path.to_path_buf(),
            cell: slot.cell.filter(|_| is_notebook(path)).map(|cell| cell + 1),
            code: rule.code(),
            rule_name: Some(rule.name),
            message: diagnostic.message.clone(),
            severity: diagnostic.severity,
            start: location(diagnostic.range.start()),
            end: location(diagnostic.range.end()),
            fix: diagnostic.fix.as_ref().map(|fix| FixView {
                title: fix.message.clone(),
                applicability: fix.applicability,
                edits: fix
                    .edits
                    .iter()
                    .map(|edit| EditView {
                        content: edit.content.clone(),
                        start: location(edit.range.start()),
                        end: location(edit.range.end()),
                    })
                    .collect(),
            }),
            fixable,
            source: spanned_lines(slot, diagnostic),
            url: rule_url_base.map(|base| rule.url_under(base)),
        }
    }

    /// `cell 3:2:1`: where a notebook finding is, in the words concise output uses.
    pub fn cell_location(&self) -> Option<String> {
        self.cell
            .map(|cell| format!("cell {cell}:{}:{}", self.start.row, self.start.column))
    }

    /// The path relative to the working directory, for formats that other tools resolve
    /// against the repository root (where CI runs): without the `./` a walk of `.`
    /// prepends, and an absolute path under the working directory made relative.
    pub fn relative_path(&self) -> String {
        shown_path(&self.path)
    }
}

pub fn shown_path(path: &Path) -> String {
    static WORKING_DIRECTORY: OnceLock<Option<PathBuf>> = OnceLock::new();
    let cwd = WORKING_DIRECTORY.get_or_init(|| std::env::current_dir().ok());
    let shown = match cwd {
        Some(cwd) if path.is_absolute() => path.strip_prefix(cwd).unwrap_or(path),
        _ => path.strip_prefix(".").unwrap_or(path),
    };
    shown.display().to_string()
}

pub fn is_notebook(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "ipynb")
}

fn spanned_lines(slot: &UnitSlot, diagnostic: &Diagnostic) -> Vec<SourceLine> {
    let unit = &slot.unit;
    let lines = &unit.lines;
    let first = lines.line_of(diagnostic.range.start());
    let mut last = lines.line_of(diagnostic.range.end()).max(first);
    // A range ending just after a line break ends on the line before it.
    if last > first && lines.line_start(last) == diagnostic.range.end() {
        last -= 1;
    }
    let line = |index: usize| {
        let start = usize::from(lines.line_start(index));
        let end = usize::from(lines.line_start(index + 1)).max(start);
        let text = unit.text.get(start..end).unwrap_or_default();
        SourceLine {
            row: slot.start_line + index as u32 + 1,
            text: text.trim_end_matches(['\n', '\r']).to_string(),
        }
    };
    let count = last - first + 1;
    if count <= MAX_SHOWN_LINES {
        (first..=last).map(line).collect()
    } else {
        let head = MAX_SHOWN_LINES / 2;
        let tail = MAX_SHOWN_LINES - head;
        (first..first + head)
            .chain(last + 1 - tail..=last)
            .map(line)
            .collect()
    }
}
