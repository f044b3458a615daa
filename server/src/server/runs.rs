//! What plain LSP clients (no asyncell plugin: eglot, lsp-mode, Helix, Zed, Neovim with
//! only `vim.lsp.config`) see of a run, in standard LSP only (docs/protocol.md, "Plain LSP
//! clients"): the client's features read at `initialize`, the last cell a code action or
//! code lens was asked for (what a command sent without arguments means), and each cell's
//! last result: an inlay hint after the cell, a diagnostic on the failing line, and its full
//! output in a read-only text file that "Show output" opens.
//!
//! A result belongs to the cell's text as it was run: once the cell is edited (or run
//! again) its hint and diagnostic are gone.
//!
//! Cells are numbered for people as `asyncell check` and Ruff do: "cell N", 1-based among
//! all cells (markdown included). Command arguments keep the protocol's 0-based index
//! among code cells.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use rustc_hash::FxHashMap;
use serde_json::Value;
use tower_lsp_server::lsp_types::{self as lsp, Uri};

use super::execution::code_cells;
use super::session::Session;
use crate::analysis::SourceKind;
use crate::exec::{render, ExecResult, ExecStatus};
use crate::positions::{self, width};

/// The longest inlay hint label, in characters.
const HINT_LIMIT: usize = 80;
/// The traceback kept in a diagnostic's related information is cut at this many bytes.
const TRACEBACK_LIMIT: usize = 8 * 1024;
/// The output file of one cell is cut at this many bytes.
const OUTPUT_FILE_LIMIT: usize = 4 << 20;
/// Results kept per document (older cells' results are dropped first).
const RESULTS_PER_DOCUMENT: usize = 256;

/// What the client said it supports, at `initialize`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientFeatures {
    /// `experimental.asyncell`: an asyncell plugin, which takes `asyncell/*`
    /// notifications (and runs cells its own way, so gets no run code actions).
    pub asyncell: bool,
    /// `window.workDoneProgress`.
    pub work_done_progress: bool,
    /// `workspace.inlayHint.refreshSupport`.
    pub inlay_hint_refresh: bool,
    /// `window.showDocument.support`.
    pub show_document: bool,
}

impl ClientFeatures {
    pub fn from_capabilities(capabilities: &lsp::ClientCapabilities) -> ClientFeatures {
        let asyncell = capabilities
            .experimental
            .as_ref()
            .and_then(|experimental| experimental.get("asyncell"))
            .is_some_and(|value| !value.is_null() && value != &Value::Bool(false));
        let window = capabilities.window.as_ref();
        ClientFeatures {
            asyncell,
            work_done_progress: window.and_then(|w| w.work_done_progress).unwrap_or(false),
            show_document: window
                .and_then(|w| w.show_document.as_ref())
                .is_some_and(|s| s.support),
            inlay_hint_refresh: capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|i| i.refresh_support)
                .unwrap_or(false),
        }
    }
}

/// Shared with the output forwarder (`execution.rs`): whether `asyncell/*` notifications
/// may be sent, the last output line of each running execution (for progress), and where
/// the output of a finished run's background tasks goes (its cell's output file).
#[derive(Default)]
pub struct Watch {
    custom: AtomicBool,
    last_lines: Mutex<FxHashMap<String, String>>,
    late: Mutex<Late>,
}

/// Finished command runs whose background tasks may still print, oldest first.
#[derive(Default)]
struct Late {
    sinks: FxHashMap<String, Sink>,
    order: VecDeque<String>,
}

/// Where one finished run's background output goes: held until the run's output file is
/// written, then appended to it.
#[derive(Default)]
struct Sink {
    file: Option<PathBuf>,
    pending: String,
    /// Bytes in the file (appends stop at [`OUTPUT_FILE_LIMIT`]).
    size: usize,
    /// Whether the "after the cell finished" line was written.
    marked: bool,
}

/// Finished runs whose background output is still followed.
const LATE_RUNS: usize = 256;
/// Background output held for a run whose output file is not written yet (it is, within
/// about 50 ms of the run's end, unless writing it failed).
const PENDING_LIMIT: usize = 64 * 1024;

impl Watch {
    pub fn set_custom(&self, allowed: bool) {
        self.custom.store(allowed, Ordering::Relaxed);
    }

    /// Whether the client declared `experimental.asyncell`.
    pub fn custom(&self) -> bool {
        self.custom.load(Ordering::Relaxed)
    }

    /// Notes an output of an execution this module follows (see [`Watch::follow`]): the
    /// last line of a running one, or a finished one's background output.
    pub fn saw_output(&self, execution_id: &str, output: &Value) {
        let mut lines = self.last_lines.lock().unwrap_or_else(|p| p.into_inner());
        let Some(slot) = lines.get_mut(execution_id) else {
            drop(lines);
            return self.saw_late_output(execution_id, output);
        };
        if let Some((_, text)) = render::output_text(output) {
            if let Some(line) = text.lines().rev().find(|l| !l.trim().is_empty()) {
                *slot = cut(line.trim_end(), HINT_LIMIT);
            }
        }
    }

    pub fn follow(&self, execution_id: &str) {
        let mut lines = self.last_lines.lock().unwrap_or_else(|p| p.into_inner());
        lines.insert(execution_id.to_string(), String::new());
    }

    pub fn last_line(&self, execution_id: &str) -> String {
        let lines = self.last_lines.lock().unwrap_or_else(|p| p.into_inner());
        lines.get(execution_id).cloned().unwrap_or_default()
    }

    pub fn forget(&self, execution_id: &str) {
        let mut lines = self.last_lines.lock().unwrap_or_else(|p| p.into_inner());
        lines.remove(execution_id);
    }

    /// A followed execution finished: what its background tasks print from now on goes
    /// to its cell's output file (held until [`Watch::output_written`] names it).
    pub fn finished(&self, execution_id: &str) {
        let followed = {
            let mut lines = self.last_lines.lock().unwrap_or_else(|p| p.into_inner());
            lines.remove(execution_id).is_some()
        };
        if !followed {
            return;
        }
        let mut late = self.late.lock().unwrap_or_else(|p| p.into_inner());
        if late
            .sinks
            .insert(execution_id.to_string(), Sink::default())
            .is_none()
        {
            late.order.push_back(execution_id.to_string());
        }
        while late.order.len() > LATE_RUNS {
            if let Some(oldest) = late.order.pop_front() {
                late.sinks.remove(&oldest);
            }
        }
    }

    /// The run's output file is written: background output held so far is appended, and
    /// so is what comes later.
    pub fn output_written(&self, execution_id: &str, path: PathBuf) {
        let mut late = self.late.lock().unwrap_or_else(|p| p.into_inner());
        let Some(sink) = late.sinks.get_mut(execution_id) else {
            return;
        };
        sink.size = std::fs::metadata(&path).map_or(0, |m| m.len() as usize);
        sink.file = Some(path);
        let pending = std::mem::take(&mut sink.pending);
        sink.append(&pending);
    }

    /// Output of a finished run's background task: into the run's output file.
    fn saw_late_output(&self, execution_id: &str, output: &Value) {
        let mut late = self.late.lock().unwrap_or_else(|p| p.into_inner());
        let Some(sink) = late.sinks.get_mut(execution_id) else {
            return;
        };
        let Some((_, text)) = render::output_text(output) else {
            return;
        };
        let mut text = plain(&text);
        if !sink.marked {
            sink.marked = true;
            text.insert_str(0, "\n[background output, after the cell finished]\n");
        }
        match sink.file {
            Some(_) => sink.append(&text),
            None if sink.pending.len() < PENDING_LIMIT => sink.pending.push_str(&text),
            None => {}
        }
    }
}

impl Sink {
    /// Appends to the (read-only) output file, up to [`OUTPUT_FILE_LIMIT`].
    fn append(&mut self, text: &str) {
        let Some(path) = &self.file else {
            return;
        };
        if text.is_empty() || self.size > OUTPUT_FILE_LIMIT {
            return;
        }
        let mut text = text.to_string();
        if self.size + text.len() > OUTPUT_FILE_LIMIT {
            let mut at = OUTPUT_FILE_LIMIT.saturating_sub(self.size);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.truncate(at);
            text.push_str("\n[… cut]\n");
        }
        self.size += text.len();
        if let Err(error) = append_read_only(path, &text) {
            tracing::warn!(
                "cannot add background output to {}: {error}",
                path.display()
            );
        }
    }
}

/// Appends to a file kept read-only (0444): writable only for the append.
fn append_read_only(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::PermissionsExt;
    #[cfg(unix)]
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))?;
    let written = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()));
    #[cfg(unix)]
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444))?;
    written
}

/// Where a code cell is for the user: its text document, its first line there, its text
/// and its number ("cell N").
pub struct Place {
    pub text_uri: Uri,
    pub start_line: u32,
    pub text: String,
    pub number: usize,
}

/// The place of code cell `index` (0-based among code cells) of a document.
pub fn place(session: &Session, doc: &Uri, index: usize) -> Option<Place> {
    if let Some(file) = session.file(doc) {
        let analysis = &file.analysis;
        if analysis.kind() != SourceKind::CellFile {
            return (index == 0).then(|| Place {
                text_uri: doc.clone(),
                start_line: 0,
                text: analysis.text().to_string(),
                number: 1,
            });
        }
        let slot = analysis
            .slots()
            .iter()
            .filter(|slot| slot.cell.is_some())
            .nth(index)?;
        return Some(Place {
            text_uri: doc.clone(),
            start_line: slot.start_line,
            text: slot.unit.text.to_string(),
            number: slot.cell.unwrap_or(index) + 1,
        });
    }
    let notebook = session.notebook(doc)?;
    let (position, cell) = notebook
        .cells
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_code)
        .nth(index)?;
    Some(Place {
        text_uri: cell.uri.clone(),
        start_line: 0,
        text: cell.text.text(),
        number: position + 1,
    })
}

/// "cell N" for code cell `index` of a document.
pub fn cell_name(session: &Session, doc: &Uri, index: usize) -> String {
    match place(session, doc, index) {
        Some(place) => format!("cell {}", place.number),
        None => format!("code cell {}", index + 1),
    }
}

/// The last result of one cell.
pub struct RunMark {
    /// The cell's code when it ran: the mark holds while the cell still has it.
    pub code: String,
    pub text_uri: Uri,
    pub hint: lsp::InlayHint,
    pub diagnostic: Option<lsp::Diagnostic>,
    /// The file "Show output" opens.
    pub output_file: Option<PathBuf>,
}

/// Every document's results: document URI → code cell index → result.
#[derive(Default)]
pub struct Runs {
    marks: FxHashMap<String, FxHashMap<usize, RunMark>>,
    /// The document and code cell of the last code action or code lens request.
    last: Option<(Uri, Option<usize>)>,
    next_id: u64,
}

impl Runs {
    pub fn next_execution_id(&mut self) -> String {
        self.next_id += 1;
        format!("cmd-{}", self.next_id)
    }

    pub fn remember(&mut self, doc: Uri, cell: Option<usize>) {
        match (&self.last, cell) {
            // A code lens request names no cell: keep the cell asked for before.
            (Some((last_doc, Some(last_cell))), None) if *last_doc == doc => {
                self.last = Some((doc, Some(*last_cell)))
            }
            _ => self.last = Some((doc, cell)),
        }
    }

    pub fn last(&self) -> Option<&(Uri, Option<usize>)> {
        self.last.as_ref()
    }

    /// Removes a cell's result; the text document it was shown in, if any.
    pub fn clear(&mut self, doc: &Uri, cell: usize) -> Option<Uri> {
        self.marks
            .get_mut(doc.as_str())
            .and_then(|marks| marks.remove(&cell))
            .map(|mark| mark.text_uri)
    }

    pub fn set(&mut self, doc: &Uri, cell: usize, mark: RunMark) {
        let marks = self.marks.entry(doc.as_str().to_string()).or_default();
        if marks.len() >= RESULTS_PER_DOCUMENT && !marks.contains_key(&cell) {
            if let Some(&oldest) = marks.keys().min() {
                marks.remove(&oldest);
            }
        }
        marks.insert(cell, mark);
    }

    pub fn close(&mut self, doc: &Uri) {
        self.marks.remove(doc.as_str());
        if self.last.as_ref().is_some_and(|(last, _)| last == doc) {
            self.last = None;
        }
    }

    /// The marks of a document that still hold (their cell's code unchanged), with their
    /// cell index.
    fn valid<'r>(&'r self, cells: &[String], doc: &Uri) -> Vec<(usize, &'r RunMark)> {
        let Some(marks) = self.marks.get(doc.as_str()) else {
            return Vec::new();
        };
        let mut found: Vec<(usize, &RunMark)> = marks
            .iter()
            .filter(|(cell, mark)| cells.get(**cell).is_some_and(|code| *code == mark.code))
            .map(|(cell, mark)| (*cell, mark))
            .collect();
        found.sort_by_key(|(cell, _)| *cell);
        found
    }
}

/// The inlay hints of a text document (a file, or a notebook cell).
pub fn hints(session: &Session, text_uri: &Uri) -> Vec<lsp::InlayHint> {
    marks_in(session, text_uri, |mark| Some(mark.hint.clone()))
}

/// What `pick` takes from each mark that still holds in a text document.
fn marks_in<T>(session: &Session, text_uri: &Uri, pick: impl Fn(&RunMark) -> Option<T>) -> Vec<T> {
    let Some(doc) = document_of(session, text_uri) else {
        return Vec::new();
    };
    let cells = code_cells(session, &doc).unwrap_or_default();
    session
        .runs
        .valid(&cells, &doc)
        .into_iter()
        .filter(|(_, mark)| mark.text_uri == *text_uri)
        .filter_map(|(_, mark)| pick(mark))
        .collect()
}

/// The run diagnostics of a text document, published with its check diagnostics.
pub fn diagnostics(session: &Session, text_uri: &Uri) -> Vec<lsp::Diagnostic> {
    marks_in(session, text_uri, |mark| mark.diagnostic.clone())
}

/// The output file of a cell's last result, while it holds.
pub fn output_file(session: &Session, doc: &Uri, cell: usize) -> Option<PathBuf> {
    let cells = code_cells(session, doc).unwrap_or_default();
    session
        .runs
        .valid(&cells, doc)
        .into_iter()
        .find(|(index, _)| *index == cell)
        .and_then(|(_, mark)| mark.output_file.clone())
}

fn document_of(session: &Session, text_uri: &Uri) -> Option<Uri> {
    super::execution::owner(session, text_uri)
        .ok()
        .map(|(doc, _)| doc)
}

/// The hint label of a result: `→ 42 · 3 ms`, `✗ RuntimeError: boom`, `⊘ interrupted`.
pub fn label(result: &ExecResult) -> String {
    let took = duration(result.duration_ms);
    let text = if interrupted(result) {
        "⊘ interrupted".to_string()
    } else if result.status != ExecStatus::Ok {
        format!(
            "✗ {}",
            result.error_summary().unwrap_or_else(|| "failed".into())
        )
    } else {
        match last_value(result) {
            Some(value) => format!("→ {value} · {took}"),
            None => format!("✓ {took}"),
        }
    };
    cut(&text.replace('\n', " "), HINT_LIMIT)
}

/// Whether an interrupt (or a cancel) ended the execution.
pub fn interrupted(result: &ExecResult) -> bool {
    if result.status == ExecStatus::Cancelled {
        return true;
    }
    result.status == ExecStatus::Error
        && result.outputs.iter().any(|o| {
            o["output_type"] == "error"
                && matches!(
                    o["ename"].as_str(),
                    Some("KeyboardInterrupt" | "Cancelled" | "CancelledError")
                )
        })
}

/// What a cell gave: its last `text/plain` result, else its last printed line.
fn last_value(result: &ExecResult) -> Option<String> {
    let value = result.outputs.iter().rev().find_map(|o| {
        (o["output_type"] == "execute_result")
            .then(|| o["data"]["text/plain"].as_str().map(str::to_string))
            .flatten()
    });
    value
        .or_else(|| {
            result.outputs.iter().rev().find_map(|o| {
                render::output_text(o).and_then(|(_, text)| {
                    text.lines()
                        .rev()
                        .find(|l| !l.trim().is_empty())
                        .map(|l| l.trim_end().to_string())
                })
            })
        })
        .map(|text| text.lines().next().unwrap_or("").to_string())
}

/// "3 ms", "1.2 s".
pub fn duration(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{} ms", ms.round() as u64)
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut out: String = text.chars().take(limit - 1).collect();
    out.push('…');
    out
}

/// Removes ANSI escape sequences (tracebacks may be coloured).
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for next in chars.by_ref() {
                    if next.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// The traceback of the first error output, as text.
fn traceback(result: &ExecResult) -> Option<String> {
    let error = result
        .outputs
        .iter()
        .find(|o| o["output_type"] == "error")?;
    let lines: Vec<String> = error["traceback"]
        .as_array()
        .map(|lines| lines.iter().filter_map(Value::as_str).map(plain).collect())
        .unwrap_or_default();
    Some(lines.join("\n"))
}

/// The 1-based line within the cell of the innermost frame of the cell's own code: frames
/// are named `<cell N [K]>` (N the cell's number, K the execution count; `<cell [K]>`
/// without a number, `<cell N [K].J>` for a count used again), so K picks this execution's.
fn failing_line(traceback: &str, execution_count: Option<u64>) -> Option<u32> {
    let mut found = None;
    for line in traceback.lines() {
        let Some(rest) = line.trim_start().strip_prefix("File \"<cell ") else {
            continue;
        };
        let Some((name, after)) = rest.split_once(">\"") else {
            continue;
        };
        let count = name
            .split_once('[')
            .and_then(|(_, count)| count.split_once(']'))
            .and_then(|(count, _)| count.parse::<u64>().ok());
        if execution_count.is_some() && count != execution_count {
            continue;
        }
        let number = after
            .trim_start_matches(',')
            .trim_start()
            .strip_prefix("line ")
            .map(|n| {
                n.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
            })
            .and_then(|n| n.parse::<u32>().ok());
        if number.is_some() {
            found = number;
        }
    }
    found
}

/// The result of code cell `index` to show: its hint, its diagnostic when it failed, and
/// its output file.
pub fn mark(
    session: &Session,
    doc: &Uri,
    index: usize,
    code: String,
    result: &ExecResult,
    output_file: Option<PathBuf>,
) -> Option<RunMark> {
    let place = place(session, doc, index)?;
    let encoding = session.encoding;
    let lines: Vec<&str> = positions::lines(&place.text)
        .map(|(_, line)| line)
        .collect();
    let last = lines
        .iter()
        .rposition(|l| !l.trim().is_empty() && !crate::analysis::percent::is_marker(l.trim_end()))
        .unwrap_or(0);
    let last_text = lines.get(last).copied().unwrap_or("");
    let hint = lsp::InlayHint {
        position: lsp::Position::new(place.start_line + last as u32, width(last_text, encoding)),
        label: lsp::InlayHintLabel::String(label(result)),
        kind: None,
        text_edits: None,
        tooltip: result
            .execution_count
            .map(|count| lsp::InlayHintTooltip::String(format!("cell {} [{count}]", place.number))),
        padding_left: Some(true),
        padding_right: None,
        data: None,
    };
    let diagnostic = (result.status == ExecStatus::Error && !interrupted(result)).then(|| {
        let trace = traceback(result).unwrap_or_default();
        let within = failing_line(&trace, result.execution_count)
            .map(|n| n.saturating_sub(1) as usize)
            .filter(|n| *n < lines.len())
            .unwrap_or_else(|| {
                lines
                    .iter()
                    .position(|l| {
                        !l.trim().is_empty() && !crate::analysis::percent::is_marker(l.trim_end())
                    })
                    .unwrap_or(0)
            });
        let text = lines.get(within).copied().unwrap_or("");
        let indent = text.len() - text.trim_start().len();
        let line = place.start_line + within as u32;
        let range = lsp::Range::new(
            lsp::Position::new(line, width(&text[..indent], encoding)),
            lsp::Position::new(line, width(text.trim_end(), encoding)),
        );
        let mut trace_text = trace;
        if trace_text.len() > TRACEBACK_LIMIT {
            let mut at = TRACEBACK_LIMIT;
            while !trace_text.is_char_boundary(at) {
                at -= 1;
            }
            trace_text.truncate(at);
            trace_text.push_str("\n[… cut]");
        }
        lsp::Diagnostic {
            range,
            severity: Some(lsp::DiagnosticSeverity::ERROR),
            code: None,
            code_description: None,
            source: Some("asyncell run".into()),
            message: format!(
                "{} (cell {})",
                result.error_summary().unwrap_or_else(|| "failed".into()),
                place.number
            ),
            related_information: Some(vec![lsp::DiagnosticRelatedInformation {
                location: lsp::Location {
                    uri: place.text_uri.clone(),
                    range,
                },
                message: trace_text,
            }]),
            tags: None,
            data: None,
        }
    });
    Some(RunMark {
        code,
        text_uri: place.text_uri,
        hint,
        diagnostic,
        output_file,
    })
}

/// The directory output files go to: `<cache>/asyncell/output` (the host's cache root).
fn output_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|home| home.join(".cache"))
        })
        .unwrap_or_else(std::env::temp_dir);
    base.join("asyncell").join("output")
}

/// Writes a cell's full output as text to its read-only output file
/// (`<cache>/asyncell/output/<document hash>-cell-<N>.txt`); its path, or why not.
pub fn write_output(
    doc: &Uri,
    number: usize,
    result: &ExecResult,
    header: &str,
) -> Result<PathBuf, String> {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    doc.as_str().hash(&mut hasher);
    let name = doc
        .as_str()
        .rsplit('/')
        .next()
        .unwrap_or("document")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect::<String>();
    let dir = output_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{name}-{:016x}-cell-{number}.txt", hasher.finish()));
    let mut text = String::from(header);
    for output in &result.outputs {
        if let Some((_, piece)) = render::output_text(output) {
            text.push_str(&plain(&piece));
            if !text.ends_with('\n') {
                text.push('\n');
            }
            if text.len() > OUTPUT_FILE_LIMIT {
                let mut at = OUTPUT_FILE_LIMIT;
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text.truncate(at);
                text.push_str("\n[… cut]\n");
                break;
            }
        }
    }
    // Replace, not rewrite: the old file is read-only.
    let temporary = path.with_extension("tmp");
    let _ = std::fs::remove_file(&temporary);
    std::fs::write(&temporary, text)
        .map_err(|e| format!("cannot write {}: {e}", temporary.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o444));
    }
    std::fs::rename(&temporary, &path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_line_is_the_innermost_frame_of_the_cell() {
        // Cell 4 ran as [3] and called into cell 2, which ran as [2].
        let trace = "Traceback (most recent call last):\n  File \"<cell 4 [3]>\", line 4, in <module>\n    f()\n  File \"<cell 2 [2]>\", line 2, in f\n    1/0\n  File \"<cell 4 [3]>\", line 2, in g\nZeroDivisionError: division by zero";
        assert_eq!(failing_line(trace, Some(3)), Some(2));
        assert_eq!(failing_line(trace, Some(4)), None);
        assert_eq!(failing_line(trace, Some(9)), None);
        assert_eq!(
            failing_line("  File \"<cell 5 [12].1>\", line 7", Some(12)),
            Some(7)
        );
        assert_eq!(
            failing_line("  File \"<cell [5]>\", line 3", Some(5)),
            Some(3)
        );
    }

    #[test]
    fn background_output_after_a_run_goes_to_its_output_file() {
        let dir = std::env::temp_dir().join(format!("asyncell-late-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cell-1.txt");
        let _ = std::fs::remove_file(&path);
        let watch = Watch::default();
        let beat = |n: u32| serde_json::json!({"output_type": "stream", "name": "stdout", "text": format!("beat {n}\n")});
        // Not followed: nothing is kept.
        watch.saw_output("other", &beat(0));
        watch.follow("cmd-1");
        watch.saw_output("cmd-1", &beat(1));
        assert_eq!(watch.last_line("cmd-1"), "beat 1");
        watch.finished("cmd-1");
        // Between the run's end and its output file: held, then written with the file.
        watch.saw_output("cmd-1", &beat(2));
        std::fs::write(&path, "header\nbeat 1\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        }
        watch.output_written("cmd-1", path.clone());
        watch.saw_output("cmd-1", &beat(3));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "header\nbeat 1\n\n[background output, after the cell finished]\nbeat 2\nbeat 3\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o444, "the file stays read-only");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn ansi_codes_are_removed() {
        assert_eq!(plain("\u{1b}[31mError\u{1b}[0m: x"), "Error: x");
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(duration(3.2), "3 ms");
        assert_eq!(duration(3210.0), "3.2 s");
        assert_eq!(cut("abcdef", 4), "abc…");
    }
}
