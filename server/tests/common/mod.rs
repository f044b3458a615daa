//! Helpers shared by the integration tests: check a snippet through the public API and
//! read the findings back as (code, line) pairs, or apply a rule's fixes and read back
//! the fixed text.

#![allow(dead_code)]

use std::sync::Arc;

use asyncell::analysis::document::CellInput;
pub use asyncell::analysis::PythonVersion;
use asyncell::analysis::{check_document, Diagnostic, Document, Fix, LoopMode, Settings, Target};
use asyncell::positions::Encoding;

/// Removes the indentation common to every non-blank line and one leading newline, so
/// snippets can be written as indented raw strings.
pub fn dedent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            out.push_str(if line.ends_with('\n') { "\n" } else { "" });
        } else {
            out.push_str(&line[indent..]);
        }
    }
    // Raw strings end with the closing quote's indentation: drop that last blank line.
    let trimmed = out.trim_end_matches([' ', '\t']);
    trimmed.to_string()
}

/// Settings with one field changed, for readability at call sites.
pub fn settings() -> Settings {
    Settings::default()
}

pub fn with_loop(mode: LoopMode) -> Settings {
    Settings {
        loop_mode: mode,
        ..Settings::default()
    }
}

pub fn with_target(target: Target) -> Settings {
    Settings {
        target,
        ..Settings::default()
    }
}

pub fn with_target_version(target_version: PythonVersion) -> Settings {
    Settings {
        target_version,
        ..Settings::default()
    }
}

pub fn selecting(codes: &[&str]) -> Settings {
    Settings {
        select: Some(codes.iter().map(|c| c.to_string()).collect()),
        ..Settings::default()
    }
}

pub fn ignoring(codes: &[&str]) -> Settings {
    Settings {
        ignore: codes.iter().map(|c| c.to_string()).collect(),
        ..Settings::default()
    }
}

/// A checked document and its diagnostics per unit.
pub struct Checked {
    pub document: Document,
    pub per_unit: Vec<Arc<Vec<Diagnostic>>>,
}

/// Checks a `.py` text (a plain script, or a cell file if it has `# %%` markers). The
/// text is dedented first.
pub fn python(source: &str) -> Checked {
    python_with(source, &Settings::default())
}

pub fn python_with(source: &str, settings: &Settings) -> Checked {
    let mut document = Document::from_python(dedent(source), settings);
    let per_unit = check_document(&mut document);
    Checked { document, per_unit }
}

/// Checks a notebook whose cells are all code cells (each dedented).
pub fn notebook(cells: &[&str]) -> Checked {
    notebook_with(cells, &Settings::default())
}

pub fn notebook_with(cells: &[&str], settings: &Settings) -> Checked {
    let cells = cells
        .iter()
        .map(|text| CellInput {
            is_code: true,
            text: dedent(text),
        })
        .collect();
    let mut document = Document::from_cells(cells, settings);
    let per_unit = check_document(&mut document);
    Checked { document, per_unit }
}

/// Checks a notebook from `(is_code, text)` cells, so markdown cells can sit between
/// code cells (each dedented).
pub fn notebook_mixed(cells: &[(bool, &str)]) -> Checked {
    let cells = cells
        .iter()
        .map(|(is_code, text)| CellInput {
            is_code: *is_code,
            text: dedent(text),
        })
        .collect();
    let mut document = Document::from_cells(cells, &Settings::default());
    let per_unit = check_document(&mut document);
    Checked { document, per_unit }
}

/// A diagnostic located in its document: 1-based line in the `.py` file, or 1-based cell
/// number and line within the cell for notebooks.
#[derive(Clone, Debug)]
pub struct Located<'a> {
    pub slot: usize,
    pub cell: Option<usize>,
    pub line: u32,
    pub diagnostic: &'a Diagnostic,
}

impl Checked {
    pub fn located(&self) -> Vec<Located<'_>> {
        let mut out = Vec::new();
        for (position, (slot, diagnostics)) in
            self.document.slots().iter().zip(&self.per_unit).enumerate()
        {
            for diagnostic in diagnostics.iter() {
                let at = slot.line_col(diagnostic.range.start(), Encoding::Utf32);
                out.push(Located {
                    slot: position,
                    cell: slot.cell,
                    line: at.line + 1,
                    diagnostic,
                });
            }
        }
        out
    }

    /// `(code, line)` of every finding of a `.py` document, in document order.
    pub fn findings(&self) -> Vec<(&'static str, u32)> {
        assert!(
            self.document.kind() != asyncell::analysis::SourceKind::Notebook,
            "use cell_findings() for notebooks"
        );
        self.located()
            .iter()
            .map(|l| (l.diagnostic.rule.code(), l.line))
            .collect()
    }

    /// `findings()` of the given codes only: for a test about one rule whose snippet
    /// other rules rightly flag too (ASYNC124 on an `async def` that never awaits).
    pub fn findings_for(&self, codes: &[&str]) -> Vec<(&'static str, u32)> {
        let mut found = self.findings();
        found.retain(|(code, _)| codes.contains(code));
        found
    }

    /// `cell_findings()` of the given codes only.
    pub fn cell_findings_for(&self, codes: &[&str]) -> Vec<(&'static str, usize, u32)> {
        let mut found = self.cell_findings();
        found.retain(|(code, _, _)| codes.contains(code));
        found
    }

    /// `(code, cell, line)` of every finding of a notebook, cells and lines 1-based.
    pub fn cell_findings(&self) -> Vec<(&'static str, usize, u32)> {
        self.located()
            .iter()
            .map(|l| {
                (
                    l.diagnostic.rule.code(),
                    l.cell.expect("a notebook cell") + 1,
                    l.line,
                )
            })
            .collect()
    }

    /// Lines (1-based, document lines for `.py`) where `code` fires.
    pub fn lines_of(&self, code: &str) -> Vec<u32> {
        self.located()
            .iter()
            .filter(|l| l.diagnostic.rule.code() == code)
            .map(|l| l.line)
            .collect()
    }

    /// Whether `code` fires anywhere.
    pub fn has(&self, code: &str) -> bool {
        !self.lines_of(code).is_empty()
    }

    /// Every diagnostic with `code`.
    pub fn diagnostics(&self, code: &str) -> Vec<&Diagnostic> {
        self.located()
            .into_iter()
            .filter(|l| l.diagnostic.rule.code() == code)
            .map(|l| l.diagnostic)
            .collect()
    }

    /// The first diagnostic with `code`.
    pub fn first(&self, code: &str) -> &Diagnostic {
        self.diagnostics(code)
            .first()
            .copied()
            .unwrap_or_else(|| panic!("no {code}"))
    }

    /// The single diagnostic with `code`.
    pub fn only(&self, code: &str) -> &Diagnostic {
        let found = self.diagnostics(code);
        assert_eq!(found.len(), 1, "expected one {code}, got {found:#?}");
        found[0]
    }

    /// The `.py` text after applying the fix of every `code` diagnostic (there must be at
    /// least one, and each must have a fix).
    pub fn fixed(&self, code: &str) -> String {
        let mut edits = Vec::new();
        for located in self.located() {
            if located.diagnostic.rule.code() != code {
                continue;
            }
            let fix = located
                .diagnostic
                .fix
                .as_ref()
                .unwrap_or_else(|| panic!("{code} on line {} has no fix", located.line));
            let offset = self.document.slots()[located.slot].offset;
            for edit in &fix.edits {
                edits.push((edit.range + offset, edit.content.clone()));
            }
        }
        assert!(!edits.is_empty(), "no {code} diagnostic to fix");
        apply_edits(self.document.text(), edits)
    }

    /// Like [`Checked::fixed`], skipping `code` diagnostics that have no fix.
    pub fn fixed_only_where_possible(&self, code: &str) -> String {
        let mut edits = Vec::new();
        for located in self.located() {
            if located.diagnostic.rule.code() != code {
                continue;
            }
            let offset = self.document.slots()[located.slot].offset;
            for edit in located.diagnostic.fix.iter().flat_map(|f| &f.edits) {
                edits.push((edit.range + offset, edit.content.clone()));
            }
        }
        assert!(!edits.is_empty(), "no fixable {code} diagnostic");
        apply_edits(self.document.text(), edits)
    }

    /// Notebook cells (code cells, in order) after applying every `code` fix.
    pub fn fixed_cells(&self, code: &str) -> Vec<String> {
        let mut any = false;
        let cells = self
            .document
            .slots()
            .iter()
            .zip(&self.per_unit)
            .map(|(slot, diagnostics)| {
                let edits: Vec<_> = diagnostics
                    .iter()
                    .filter(|d| d.rule.code() == code)
                    .flat_map(|d| &d.fix.as_ref().expect("a fix").edits)
                    .map(|e| (e.range, e.content.clone()))
                    .collect();
                any |= !edits.is_empty();
                apply_edits(&slot.unit.text, edits)
            })
            .collect();
        assert!(any, "no {code} diagnostic to fix");
        cells
    }
}

/// Applies one fix to the text of the unit it belongs to.
pub fn apply_fix(text: &str, fix: &Fix) -> String {
    apply_edits(
        text,
        fix.edits
            .iter()
            .map(|e| (e.range, e.content.clone()))
            .collect(),
    )
}

/// Applies non-overlapping edits, given in any order. Identical edits are applied once:
/// two diagnostics in one function both offer `async ` before its `def`.
pub fn apply_edits(text: &str, mut edits: Vec<(ruff_text_size::TextRange, String)>) -> String {
    edits.sort_by(|(a, x), (b, y)| (a.start(), a.end(), x).cmp(&(b.start(), b.end(), y)));
    edits.dedup();
    for pair in edits.windows(2) {
        assert!(
            pair[0].0.end() <= pair[1].0.start(),
            "overlapping edits: {pair:?}"
        );
    }
    let mut out = text.to_string();
    for (range, content) in edits.into_iter().rev() {
        out.replace_range(
            usize::from(range.start())..usize::from(range.end()),
            &content,
        );
    }
    out
}

/// Checks the fixture `server/tests/fixtures/rules/<code>.py` and compares what it
/// reports with the fixture's own annotations: each line that must be reported ends
/// with `# error: CODE` (several codes separated by commas). Every other line must stay
/// clean. The rule under test is selected alone unless a first-line header says
/// otherwise: `# asyncell: loop=trio target=ipython select=ASYNC9,LOOP400`
/// (`blocking-calls=mylib.fetch->mylib.afetch,...` configures ASYNC200).
/// A fixture with `# %%` markers is checked as a cell file.
pub fn assert_fixture(code: &str) {
    assert_named_fixture(code, code);
}

/// A second fixture of rule `code`: `tests/fixtures/rules/{name}.py`.
pub fn assert_named_fixture(code: &str, name: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(format!("{name}.py"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()));
    let settings = fixture_settings(code, &text);
    let mut expected: Vec<(String, u32)> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if let Some((_, codes)) = line.rsplit_once("# error:") {
            for code in codes.split(',') {
                expected.push((code.trim().to_string(), number as u32 + 1));
            }
        }
    }
    expected.sort();
    let mut document = Document::from_python(text.clone(), &settings);
    let per_unit = check_document(&mut document);
    let checked = Checked { document, per_unit };
    let mut actual: Vec<(String, u32)> = checked
        .findings()
        .into_iter()
        .map(|(code, line)| (code.to_string(), line))
        .collect();
    actual.sort();
    assert_eq!(
        actual,
        expected,
        "{code} fixture {}: reported (left) vs annotated (right)",
        path.display()
    );
}

/// The rule fixtures, `tests/fixtures/rules/*.py`, sorted.
pub fn rule_fixtures() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "py"))
        .collect();
    fixtures.sort();
    fixtures
}

/// The rule a fixture is for, from its file name: `ASYNC910` for `ASYNC910.py` and
/// `ASYNC910_import_star.py`.
pub fn fixture_rule(path: &std::path::Path) -> &str {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a fixture file name");
    stem.split_once('_').map_or(stem, |(code, _)| code)
}

/// The settings a fixture of rule `code` is checked with: `code` selected alone, unless
/// the fixture's first-line `# asyncell:` header says otherwise (see [`assert_fixture`]).
pub fn fixture_settings(code: &str, text: &str) -> Settings {
    let mut settings = selecting(&[code]);
    if let Some(header) = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# asyncell:"))
    {
        for setting in header.split_whitespace() {
            match setting.split_once('=') {
                Some(("loop", mode)) => settings.loop_mode = mode.parse().expect("loop"),
                Some(("target", target)) => settings.target = target.parse().expect("target"),
                Some(("target-version", version)) => {
                    settings.target_version = version.parse().expect("target-version")
                }
                Some(("package", package)) => settings.package = Some(package.to_string()),
                Some(("select", codes)) => {
                    settings.select = Some(codes.split(',').map(str::to_string).collect())
                }
                // `blocking-calls=pattern->replacement,...`, as flake8-async's option.
                Some(("blocking-calls", pairs)) => {
                    for pair in pairs.split(',') {
                        let (pattern, replacement) =
                            pair.split_once("->").expect("pattern->replacement");
                        settings
                            .options
                            .blocking_calls
                            .insert(pattern.to_string(), replacement.to_string());
                    }
                }
                _ => panic!("unknown fixture header setting `{setting}`"),
            }
        }
    }
    settings
}

/// The checks of the first catalogue's tests (where code runs: E999, LOOP100-303,
/// ASYNC105). Their snippets are written to show one rule at a time, and the later
/// families (flake8-async parity, LOOP4xx-6xx) rightly find more in them (ASYNC124 in
/// every `async def` without an await, say); those families have tests of their own.
pub mod first_catalogue {
    use super::*;

    pub const CODES: &[&str] = &[
        "E999", "LOOP100", "LOOP101", "LOOP102", "LOOP200", "LOOP201", "LOOP300", "LOOP301",
        "LOOP302", "LOOP303", "ASYNC105",
    ];

    /// The settings with every later rule ignored by its full code, which outranks any
    /// selector a test may give, so selection tests still see their own semantics.
    fn narrowed(settings: &Settings) -> Settings {
        let mut settings = settings.clone();
        settings.ignore.extend(
            asyncell::analysis::rules::Rule::ALL
                .iter()
                .filter(|rule| !CODES.contains(&rule.code))
                .map(|rule| rule.code.to_string()),
        );
        settings
    }

    pub fn python(source: &str) -> Checked {
        python_with(source, &Settings::default())
    }

    pub fn python_with(source: &str, settings: &Settings) -> Checked {
        super::python_with(source, &narrowed(settings))
    }

    pub fn notebook(cells: &[&str]) -> Checked {
        notebook_with(cells, &Settings::default())
    }

    pub fn notebook_with(cells: &[&str], settings: &Settings) -> Checked {
        super::notebook_with(cells, &narrowed(settings))
    }
}
