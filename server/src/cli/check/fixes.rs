//! `asyncell check --fix`, `--unsafe-fixes`, `--diff`, `--show-fixes`: which fixes a run
//! applies, and what it does with the fixed text (write it back, print a diff, or hand
//! it to stdout for stdin).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use clap::Args;

use crate::analysis::document::CellInput;
use crate::analysis::fix::{fix_document, Sources};
use crate::analysis::rules::Rule;
use crate::analysis::Settings;
use crate::analysis::{check_document, ipynb, ipynb_edit, Applicability, Diagnostic, Document};
use crate::source;

#[derive(Debug, Default, Args)]
pub struct FixArgs {
    /// Apply the safe fixes and write the files back (each through a temporary file
    /// renamed over it). Fixes are applied until none is left; what remains is reported.
    #[arg(long)]
    pub fix: bool,
    /// Count unsafe fixes as fixable too: with --fix or --diff they are applied. Unsafe
    /// fixes are correct code that may behave differently (a function that now runs).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as unified diffs and write nothing; exit 1 if anything would
    /// change, else 0.
    #[arg(long)]
    pub diff: bool,
    /// After the findings, list the fixes applied, per file and rule.
    #[arg(long)]
    pub show_fixes: bool,
    /// With --fix: exit 1 when anything was fixed, even if no finding remains.
    #[arg(long)]
    pub exit_non_zero_on_fix: bool,
    /// The file name to check standard input as, when the path is `-` (or no path is
    /// given): it decides the
    /// kind of file (.py or .ipynb), the pyproject.toml that applies and the name in
    /// reports. With --fix the fixed text goes to stdout and the findings to stderr.
    #[arg(long)]
    pub stdin_filename: Option<std::path::PathBuf>,
}

/// What this run does with fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixMode {
    /// Report findings; mark the fixable ones.
    Report,
    /// Apply fixes and write the fixed files.
    Apply,
    /// Apply fixes in memory and print diffs.
    Diff,
}

#[derive(Clone, Copy, Debug)]
pub struct FixOptions {
    pub mode: FixMode,
    /// The least trusted fix this run applies, and counts as fixable.
    pub at_least: Applicability,
}

impl FixArgs {
    pub fn options(&self) -> FixOptions {
        FixOptions {
            mode: if self.diff {
                FixMode::Diff
            } else if self.fix {
                FixMode::Apply
            } else {
                FixMode::Report
            },
            at_least: if self.unsafe_fixes {
                Applicability::Unsafe
            } else {
                Applicability::Safe
            },
        }
    }
}

impl FixOptions {
    /// Whether the `[*]` marker goes on this finding.
    pub fn is_fixable(&self, diagnostic: &Diagnostic) -> bool {
        diagnostic
            .fix
            .as_ref()
            .is_some_and(|fix| fix.applicability >= self.at_least)
    }
}

/// A file's text as read, kept to write the fixed file in the same shape.
pub struct Original {
    /// The bytes as read; empty unless asked to keep them (fixing, or stdin).
    pub bytes: Vec<u8>,
    pub text: String,
    pub is_notebook: bool,
}

impl Original {
    pub fn decode(bytes: Vec<u8>, is_notebook: bool, keep_bytes: bool) -> Result<Original, String> {
        let kept = if keep_bytes {
            bytes.clone()
        } else {
            Vec::new()
        };
        let text = if is_notebook {
            source::decode_notebook(bytes)?
        } else {
            source::decode_python_owned(bytes).map_err(|error| error.to_string())?
        };
        Ok(Original {
            bytes: kept,
            text,
            is_notebook,
        })
    }

    /// The document's sources; `take` moves the text out (a plain check needs no copy).
    fn sources(&mut self, take: bool) -> Result<Sources, String> {
        if !self.is_notebook {
            return Ok(Sources::Python(if take {
                std::mem::take(&mut self.text)
            } else {
                self.text.clone()
            }));
        }
        let cells = ipynb::parse(&self.text)?;
        Ok(Sources::Cells(
            cells
                .into_iter()
                .map(|cell| CellInput {
                    is_code: cell.is_code,
                    text: cell.source,
                })
                .collect(),
        ))
    }

    /// The bytes of the fixed file: for a notebook, the old JSON with only the changed
    /// cells' `source` replaced; for a `.py` file, the fixed text, provided the file was
    /// UTF-8 (a file in another PEP 263 encoding is not rewritten: re-encoding it is a
    /// change nobody asked for).
    fn fixed_bytes(&self, before: &Sources, after: &Sources) -> Result<Vec<u8>, String> {
        let bom: &[u8] = if self.bytes.starts_with(b"\xEF\xBB\xBF") {
            b"\xEF\xBB\xBF"
        } else {
            b""
        };
        let body = match (before, after) {
            (Sources::Cells(old), Sources::Cells(new)) => {
                let changed: Vec<Option<String>> = old
                    .iter()
                    .zip(new)
                    .map(|(old, new)| (old.text != new.text).then(|| new.text.clone()))
                    .collect();
                ipynb_edit::replace_sources(&self.text, &changed)?
            }
            (_, Sources::Python(text)) => {
                if self.bytes[bom.len()..] != *self.text.as_bytes() {
                    return Err("not fixed: the file is not UTF-8 (its coding line names \
                         another encoding), and --fix writes UTF-8 only; re-save it as \
                         UTF-8 to have it fixed"
                        .into());
                }
                text.clone()
            }
            _ => return Err("internal error: the fixed document changed kind".into()),
        };
        let mut bytes = bom.to_vec();
        bytes.extend_from_slice(body.as_bytes());
        Ok(bytes)
    }
}

/// One file's fixes.
#[derive(Debug, Default)]
pub struct FileFixes {
    /// Findings removed by fixes, by rule code.
    pub fixed: BTreeMap<&'static str, usize>,
    /// The fixed file's bytes, when fixing changed it (to write, or to print for stdin).
    pub new_bytes: Option<Vec<u8>>,
    /// The unified diff, in --diff mode.
    pub diff: Option<String>,
    /// Remaining findings whose fix this run would apply ([*]).
    pub fixable: usize,
    /// Remaining findings with an unsafe fix this run does not apply.
    pub hidden: usize,
}

impl FileFixes {
    pub fn fixed_total(&self) -> usize {
        self.fixed.values().sum()
    }
}

/// The checked document, its findings, and what fixing did (nothing in Report mode).
pub struct Checked {
    pub document: Document,
    pub diagnostics: Vec<Arc<Vec<Diagnostic>>>,
    pub fixes: FileFixes,
}

/// Checks, and in Apply or Diff mode fixes, one file's text.
pub fn check_text(
    path: &Path,
    original: &mut Original,
    settings: &Settings,
    options: FixOptions,
) -> Result<Checked, String> {
    let report_only = options.mode == FixMode::Report;
    let sources = original.sources(report_only)?;
    let (document, diagnostics, mut fixes) = if report_only {
        let mut document = match sources {
            Sources::Python(text) => Document::from_python(text, settings),
            Sources::Cells(cells) => Document::from_cells(cells, settings),
        };
        let diagnostics = check_document(&mut document);
        (document, diagnostics, FileFixes::default())
    } else {
        let fixed = fix_document(sources.clone(), settings, options.at_least);
        if fixed.gave_up {
            tracing::warn!(path = %path.display(), "fixes did not settle; some may remain");
        }
        let mut fixes = FileFixes {
            fixed: fixed.counts.clone(),
            ..FileFixes::default()
        };
        if fixed.sources != sources {
            match options.mode {
                FixMode::Diff => fixes.diff = Some(diff(path, &sources, &fixed.sources)),
                _ => fixes.new_bytes = Some(original.fixed_bytes(&sources, &fixed.sources)?),
            }
        }
        (fixed.document, fixed.diagnostics, fixes)
    };
    for diagnostic in diagnostics.iter().flat_map(|d| d.iter()) {
        match &diagnostic.fix {
            Some(_) if options.is_fixable(diagnostic) => fixes.fixable += 1,
            Some(fix) if fix.applicability == Applicability::Unsafe => fixes.hidden += 1,
            _ => {}
        }
    }
    Ok(Checked {
        document,
        diagnostics,
        fixes,
    })
}

/// Unified diffs of what fixing changed: one for a `.py` file, one per changed cell of a
/// notebook (named `path:cell N`, counted as in the findings).
fn diff(path: &Path, before: &Sources, after: &Sources) -> String {
    let name = path.display().to_string();
    match (before, after) {
        (Sources::Python(old), Sources::Python(new)) => unified(old, new, &name),
        (Sources::Cells(old), Sources::Cells(new)) => old
            .iter()
            .zip(new)
            .enumerate()
            .filter(|(_, (old, new))| old.text != new.text)
            .map(|(index, (old, new))| {
                let mut text = unified(
                    &with_final_newline(&old.text),
                    &with_final_newline(&new.text),
                    &format!("{name}:cell {}", index + 1),
                );
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                text
            })
            .collect(),
        _ => String::new(),
    }
}

/// The unified diff `--diff` prints for one text (a `.py` file, or a cell named
/// `path:cell N`), with `name` in both headers.
pub fn unified(old: &str, new: &str, name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(name, name)
        .missing_newline_hint(false)
        .to_string()
}

/// Cells rarely end in a newline; the diff of one should not say so on every line.
fn with_final_newline(text: &str) -> String {
    if text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    }
}

/// `--show-fixes`: what was fixed, per file and rule.
pub fn show_fixes(fixed: &[(&Path, &BTreeMap<&'static str, usize>)]) -> String {
    let total: usize = fixed.iter().flat_map(|(_, counts)| counts.values()).sum();
    if total == 0 {
        return "No errors fixed.\n".into();
    }
    let mut out = format!(
        "Fixed {total} {}:\n",
        if total == 1 { "error" } else { "errors" }
    );
    for (path, counts) in fixed.iter().filter(|(_, counts)| !counts.is_empty()) {
        out.push_str(&format!("- {}:\n", path.display()));
        for (code, count) in *counts {
            let name = Rule::from_code(code).map_or("", |rule| rule.name);
            out.push_str(&format!("    {count} × {code} ({name})\n"));
        }
    }
    out
}

/// The line after the summary that explains `[*]` and the fixes left out.
pub fn fixable_hint(fixable: usize, hidden: usize, mode: FixMode) -> Option<String> {
    let hidden_note = match hidden {
        0 => String::new(),
        1 => " (1 hidden fix can be enabled with the `--unsafe-fixes` option)".into(),
        n => format!(" ({n} hidden fixes can be enabled with the `--unsafe-fixes` option)"),
    };
    match (fixable, hidden, mode) {
        (0, 0, _) => None,
        // After --fix, whatever is still fixable is only the unsafe kind left out.
        (_, _, FixMode::Apply | FixMode::Diff) if hidden == 0 => None,
        (_, _, FixMode::Apply | FixMode::Diff) => {
            Some(format!("No more fixes available{hidden_note}."))
        }
        (0, _, FixMode::Report) => Some(format!("No fixes available{hidden_note}.")),
        (n, _, FixMode::Report) => Some(format!("[*] {n} fixable with `--fix`{hidden_note}.")),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// The closing line after `--fix` changed something: "Found 3 errors (2 fixed, 1
/// remaining) in 4 files." (`None` when nothing was fixed: the usual summary applies).
pub fn apply_summary(
    fixed: usize,
    remaining: usize,
    files: &str,
    failures: usize,
) -> Option<String> {
    if fixed == 0 {
        return None;
    }
    let found = format!(
        "Found {} ({fixed} fixed, {remaining} remaining) in {files}",
        plural(fixed + remaining, "error", "errors")
    );
    Some(match failures {
        0 => format!("{found}."),
        f => format!(
            "{found}; {} (above) stopped checking.",
            plural(f, "problem", "problems")
        ),
    })
}

/// The closing line of `--diff`.
pub fn diff_summary(fixed: usize, files: usize, remaining: usize, failures: usize) -> String {
    let mut line = match fixed {
        0 => "No errors would be fixed".to_string(),
        n => format!(
            "Would fix {} in {}",
            plural(n, "error", "errors"),
            plural(files, "file", "files")
        ),
    };
    if remaining > 0 {
        line.push_str(&format!(
            "; {} would remain",
            plural(remaining, "error", "errors")
        ));
    }
    if failures > 0 {
        line.push_str(&format!(
            "; {} (above) stopped checking",
            plural(failures, "problem", "problems")
        ));
    }
    line.push('.');
    line
}
