//! The session: every open document, its text and its analysis, plus configuration.
//!
//! Methods here are synchronous and fast; handlers call them under the session lock.
//!
//! Edits only change texts: a document's analysis is brought up to date by
//! [`Session::refresh`] (which `Backend::with_session` runs before any handler that reads
//! the session) or when its diagnostics are computed ([`Session::next_publish`], run by
//! the transport when idle). So a burst of edits is parsed and checked once, at its end.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use tower_lsp_server::lsp_types::{self as lsp, Uri};
use tower_lsp_server::UriExt;

use super::convert;
use super::pending::{Due, PendingDiagnostics};
use super::text_document::TextDocument;
use crate::analysis::document::CellInput;
use crate::analysis::{check_document, Diagnostic, Document, Settings};
use crate::config::{self, ConfigLayer, EditorSettings, FrontEnd, SearchLimit};
use crate::exec::{self, Interpreter, LoopKind, ProjectVenv};
use crate::positions::{Encoding, LineCol};
use crate::selection::PerFileIgnores;

/// How a configuration message is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConfigSeverity {
    Error,
    Warning,
}

/// A message about configuration for `window/showMessage`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConfigMessage {
    pub severity: ConfigSeverity,
    pub text: String,
}

/// Diagnostics to publish for one text document (a file or a notebook cell).
pub struct Publish {
    pub uri: Uri,
    pub version: Option<i32>,
    pub diagnostics: Vec<lsp::Diagnostic>,
}

/// An open `.py` file.
pub struct OpenFile {
    pub uri: Uri,
    pub text: TextDocument,
    pub analysis: Document,
}

/// One cell of an open notebook.
pub struct OpenCell {
    pub uri: Uri,
    pub is_code: bool,
    pub text: TextDocument,
}

/// An open notebook.
pub struct OpenNotebook {
    pub uri: Uri,
    pub version: i32,
    pub cells: Vec<OpenCell>,
    pub analysis: Document,
}

/// Which analysed document a text document belongs to.
pub enum Location<'s> {
    File(&'s OpenFile),
    Cell {
        notebook: &'s OpenNotebook,
        cell: usize,
    },
}

#[derive(Default)]
pub struct Session {
    pub encoding: Encoding,
    pub workspace_root: Option<PathBuf>,
    editor: EditorSettings,
    /// Directory → the layer of the pyproject.toml that configures it, and that file's
    /// directory (what its `per-file-ignores` patterns are relative to).
    pyprojects: FxHashMap<PathBuf, (ConfigLayer, Option<PathBuf>)>,
    /// Untrusted `.venv` interpreters the user was already told about.
    untrusted_venvs_named: FxHashSet<PathBuf>,
    files: FxHashMap<String, OpenFile>,
    notebooks: FxHashMap<String, OpenNotebook>,
    /// Cell URI → notebook URI.
    cell_owner: FxHashMap<String, String>,
    /// Problems with configuration and notices about what runs, not shown yet.
    config_messages: Vec<ConfigMessage>,
    /// Those already shown, so a pyproject.toml read for many directories is reported
    /// once (until the configuration is reloaded).
    shown_config_messages: FxHashSet<ConfigMessage>,
    /// Files and notebooks whose analysis lags their text (edited since last analysed).
    stale: FxHashSet<String>,
    /// Documents whose diagnostics are due.
    pending: PendingDiagnostics,
    /// What the client supports (read at `initialize`).
    pub features: super::runs::ClientFeatures,
    /// Cells' last run results, for plain LSP clients (`runs.rs`).
    pub runs: super::runs::Runs,
    /// The loop a client chose per document (`asyncell/execute`'s `loop`), until it closes.
    chosen_loops: FxHashMap<String, LoopKind>,
}

impl Session {
    /// The loop the client chose for a document (a file or notebook URI), if it did.
    pub fn chosen_loop(&self, doc: &Uri) -> Option<LoopKind> {
        self.chosen_loops.get(doc.as_str()).copied()
    }

    /// From now on `doc`'s hosts run `loop_kind`, whatever its analysis says.
    pub fn choose_loop(&mut self, doc: &Uri, loop_kind: LoopKind) {
        self.chosen_loops
            .insert(doc.as_str().to_string(), loop_kind);
    }

    /// New editor settings. A message that does not say whether the workspace is trusted
    /// keeps the earlier answer (untrusted until the client says otherwise).
    pub fn set_editor_config(&mut self, settings: EditorSettings) {
        let trusted = settings.trusted_workspace.or(self.editor.trusted_workspace);
        self.editor = EditorSettings {
            trusted_workspace: trusted,
            ..settings
        };
    }

    pub fn editor_config(&self) -> &ConfigLayer {
        &self.editor.layer
    }

    /// The interpreter new hosts for `doc` run under (see [`exec::choose_python`]): the
    /// user's `python` setting, `$VIRTUAL_ENV`, the nearest `.venv` from the document up
    /// to the workspace root only when the client said the workspace is trusted, the
    /// environment asyncell is installed in, else `python3`.
    pub fn interpreter(&self, doc: &Uri) -> Interpreter {
        let venv = if self.editor.trusted_workspace == Some(true) {
            ProjectVenv::Allowed
        } else {
            ProjectVenv::NotTrusted
        };
        let document_dir = doc
            .to_file_path()
            .and_then(|path| path.parent().map(Path::to_path_buf))
            .or_else(|| self.workspace_root.clone());
        let limit = match self.workspace_root.as_deref() {
            Some(root) => SearchLimit::Workspace(root),
            None => SearchLimit::Repository,
        };
        exec::choose_python(&exec::Discovery {
            setting: self.editor.python.as_ref(),
            relative_to: self.workspace_root.as_deref(),
            document_dir: document_dir.as_deref(),
            limit,
            venv,
        })
    }

    /// [`Session::interpreter`] for a host about to start: the first time an untrusted
    /// `.venv` is passed over, a message saying so (and how to allow it) is queued in
    /// `config_errors`.
    pub fn interpreter_to_start(&mut self, doc: &Uri) -> Interpreter {
        let chosen = self.interpreter(doc);
        if let Some(venv_python) = &chosen.untrusted_venv {
            if self.untrusted_venvs_named.insert(venv_python.clone()) {
                self.config_warning(format!(
                    "this workspace is not trusted, so cells do not run on its {} (a repository \
                     can ship any program there); they run on `{}` instead. To use it, trust the \
                     workspace (VS Code: \"Workspaces: Manage Workspace Trust\"; Neovim: \
                     :AsyncellTrust) or set `asyncell.python`, then restart the cell's host",
                    venv_python.display(),
                    chosen.argv.join(" "),
                ));
            }
        }
        chosen
    }

    /// The merged configuration for a document: its pyproject.toml, then the editor's.
    pub fn config_for(&mut self, uri: &Uri) -> ConfigLayer {
        let directory = uri
            .to_file_path()
            .and_then(|path| path.parent().map(Path::to_path_buf))
            .or_else(|| self.workspace_root.clone());
        let file_layer = match directory {
            Some(directory) => self.pyproject_layer(&directory).0,
            None => ConfigLayer::default(),
        };
        file_layer.merged(&self.editor.layer)
    }

    /// A configuration problem: something the user set is not applied.
    pub fn config_error(&mut self, text: String) {
        self.config_messages.push(ConfigMessage {
            severity: ConfigSeverity::Error,
            text,
        });
    }

    /// A notice: something was passed over on purpose (a project's `python` key, an
    /// untrusted `.venv`).
    pub fn config_warning(&mut self, text: String) {
        self.config_messages.push(ConfigMessage {
            severity: ConfigSeverity::Warning,
            text,
        });
    }

    /// Configuration messages not shown yet (each is shown once until the next reload).
    pub fn take_config_messages(&mut self) -> Vec<ConfigMessage> {
        let messages = std::mem::take(&mut self.config_messages);
        messages
            .into_iter()
            .filter(|message| self.shown_config_messages.insert(message.clone()))
            .collect()
    }

    /// The settings a document is checked with: [`Session::config_for`], plus the
    /// codes its `per-file-ignores` entry skips (patterns relative to the pyproject.toml
    /// that set them, or to the workspace root for the editor's own).
    pub fn settings_for(&mut self, uri: &Uri) -> Settings {
        let layer = self.config_for(uri);
        let mut settings = layer.settings();
        settings.package = uri
            .to_file_path()
            .and_then(|path| crate::analysis::settings::package_of(&path));
        let (Some(_), Some(path)) = (&layer.per_file_ignores, uri.to_file_path()) else {
            return settings;
        };
        let base = if self.editor.layer.per_file_ignores.is_some() {
            self.workspace_root.clone()
        } else {
            path.parent().and_then(|dir| self.pyproject_layer(dir).1)
        };
        let Some(base) = base else {
            return settings;
        };
        match PerFileIgnores::new(layer.per_file_ignores.as_ref(), &base, "per-file-ignores") {
            Ok(ignores) => settings.ignore.extend(ignores.codes_for(&path)),
            Err(error) => self.config_error(error),
        }
        settings
    }

    /// The layer of the pyproject.toml that configures `directory`, and that file's
    /// directory; read once until the next configuration reload.
    fn pyproject_layer(&mut self, directory: &Path) -> (ConfigLayer, Option<PathBuf>) {
        if let Some(entry) = self.pyprojects.get(directory) {
            return entry.clone();
        }
        let limit = match &self.workspace_root {
            Some(root) => SearchLimit::Workspace(root),
            None => SearchLimit::Repository,
        };
        let pyproject = config::find_pyproject(directory, limit);
        let layer = match &pyproject {
            Some(path) => match config::read_pyproject(path) {
                Ok(project) => {
                    for notice in project.notices {
                        self.config_warning(notice.message(FrontEnd::Editor));
                    }
                    let mut layer = project.layer;
                    let errors = layer.validate_selectors(&|key| {
                        format!("{} [tool.asyncell] {key}", path.display())
                    });
                    for error in errors {
                        self.config_error(config::selector_ignored(error));
                    }
                    layer
                }
                Err(error) => {
                    self.config_error(error);
                    ConfigLayer::default()
                }
            },
            None => ConfigLayer::default(),
        };
        let entry = (
            layer,
            pyproject.and_then(|path| path.parent().map(Path::to_path_buf)),
        );
        self.pyprojects
            .insert(directory.to_path_buf(), entry.clone());
        entry
    }

    /// Forgets cached pyproject layers (after a configuration change); every open
    /// document's diagnostics become due.
    pub fn reload_configuration(&mut self) {
        self.pyprojects.clear();
        self.shown_config_messages.clear();
        let file_uris: Vec<Uri> = self.files.values().map(|f| f.uri.clone()).collect();
        let notebook_uris: Vec<Uri> = self.notebooks.values().map(|n| n.uri.clone()).collect();
        for uri in file_uris {
            let settings = self.settings_for(&uri);
            if let Some(file) = self.files.get_mut(uri.as_str()) {
                file.analysis.set_settings(&settings);
            }
            self.pending.set(&uri, Due::Check);
        }
        for uri in notebook_uris {
            let settings = self.settings_for(&uri);
            if let Some(notebook) = self.notebooks.get_mut(uri.as_str()) {
                notebook.analysis.set_settings(&settings);
            }
            self.pending.set(&uri, Due::Check);
        }
    }

    pub fn open_file(&mut self, item: lsp::TextDocumentItem) {
        let settings = self.settings_for(&item.uri);
        let analysis = Document::from_python(item.text.clone(), &settings);
        let file = OpenFile {
            uri: item.uri.clone(),
            text: TextDocument::new(&item.text, item.version),
            analysis,
        };
        self.files.insert(item.uri.as_str().to_string(), file);
        self.stale.remove(item.uri.as_str());
        self.pending.set(&item.uri, Due::Check);
    }

    /// Applies edits to a file's text; its analysis and diagnostics follow later.
    pub fn change_file(
        &mut self,
        document: lsp::VersionedTextDocumentIdentifier,
        changes: Vec<lsp::TextDocumentContentChangeEvent>,
    ) {
        let encoding = self.encoding;
        let Some(file) = self.files.get_mut(document.uri.as_str()) else {
            tracing::warn!(
                "didChange for a document that is not open: {}",
                document.uri.as_str()
            );
            return;
        };
        file.text.apply_changes(changes, document.version, encoding);
        self.stale.insert(document.uri.as_str().to_string());
        self.pending.set(&document.uri, Due::Check);
    }

    pub fn close_file(&mut self, uri: &Uri) {
        self.runs.close(uri);
        self.chosen_loops.remove(uri.as_str());
        self.files.remove(uri.as_str());
        self.stale.remove(uri.as_str());
        self.pending.set(uri, Due::Clear);
    }

    /// Marks a text document's (a file's, a cell's notebook's) diagnostics due: its run
    /// results changed.
    pub fn diagnostics_due(&mut self, text_uri: &Uri) {
        let doc = match self.locate(text_uri) {
            Some(Location::File(file)) => file.uri.clone(),
            Some(Location::Cell { notebook, .. }) => notebook.uri.clone(),
            None => return,
        };
        self.pending.set(&doc, Due::Check);
    }

    fn publish_file(&mut self, uri: &Uri) -> Vec<Publish> {
        self.refresh_document(uri);
        let from_runs = super::runs::diagnostics(self, uri);
        let encoding = self.encoding;
        let Some(file) = self.files.get_mut(uri.as_str()) else {
            return Vec::new();
        };
        let per_unit = check_document(&mut file.analysis);
        let url_base = file.analysis.settings().rule_url_base.as_deref();
        let diagnostics = file
            .analysis
            .slots()
            .iter()
            .zip(&per_unit)
            .flat_map(|(slot, diagnostics)| {
                diagnostics
                    .iter()
                    .map(move |d| convert::diagnostic(slot, d, encoding, url_base))
            })
            .chain(from_runs)
            .collect();
        vec![Publish {
            uri: uri.clone(),
            version: Some(file.text.version),
            diagnostics,
        }]
    }

    pub fn open_notebook(&mut self, params: lsp::DidOpenNotebookDocumentParams) {
        let notebook = params.notebook_document;
        let mut texts: FxHashMap<String, lsp::TextDocumentItem> = params
            .cell_text_documents
            .into_iter()
            .map(|item| (item.uri.as_str().to_string(), item))
            .collect();
        let cells: Vec<OpenCell> = notebook
            .cells
            .iter()
            .map(|cell| open_cell(cell, texts.remove(cell.document.as_str())))
            .collect();
        for cell in &cells {
            self.cell_owner.insert(
                cell.uri.as_str().to_string(),
                notebook.uri.as_str().to_string(),
            );
        }
        let settings = self.settings_for(&notebook.uri);
        let analysis = Document::from_cells(cell_inputs(&cells), &settings);
        let open = OpenNotebook {
            uri: notebook.uri.clone(),
            version: notebook.version,
            cells,
            analysis,
        };
        self.notebooks
            .insert(notebook.uri.as_str().to_string(), open);
        self.stale.remove(notebook.uri.as_str());
        self.pending.set(&notebook.uri, Due::Check);
    }

    /// Applies a notebook's structure, kind and text changes; its analysis and diagnostics
    /// follow later. Cells that left the notebook get their diagnostics cleared.
    pub fn change_notebook(&mut self, params: lsp::DidChangeNotebookDocumentParams) {
        let encoding = self.encoding;
        let uri = params.notebook_document.uri;
        let Some(notebook) = self.notebooks.get_mut(uri.as_str()) else {
            tracing::warn!(
                "notebookDocument/didChange for a notebook that is not open: {}",
                uri.as_str()
            );
            return;
        };
        notebook.version = params.notebook_document.version;
        if let Some(cells) = params.change.cells {
            if let Some(structure) = cells.structure {
                let mut opened: FxHashMap<String, lsp::TextDocumentItem> = structure
                    .did_open
                    .unwrap_or_default()
                    .into_iter()
                    .map(|item| (item.uri.as_str().to_string(), item))
                    .collect();
                let start = (structure.array.start as usize).min(notebook.cells.len());
                let end = (start + structure.array.delete_count as usize).min(notebook.cells.len());
                let inserted: Vec<OpenCell> = structure
                    .array
                    .cells
                    .unwrap_or_default()
                    .iter()
                    .map(|cell| {
                        // A moved cell keeps its text: reuse it when the client doesn't resend it.
                        let item = opened.remove(cell.document.as_str());
                        let previous = notebook
                            .cells
                            .iter()
                            .find(|c| c.uri == cell.document)
                            .map(|c| c.text.clone());
                        let mut open = open_cell(cell, item.clone());
                        if let (None, Some(previous)) = (item, previous) {
                            open.text = previous;
                        }
                        open
                    })
                    .collect();
                let removed: Vec<OpenCell> = notebook.cells.splice(start..end, inserted).collect();
                for cell in removed {
                    if !notebook.cells.iter().any(|c| c.uri == cell.uri) {
                        self.cell_owner.remove(cell.uri.as_str());
                        self.pending.set(&cell.uri, Due::Clear);
                    }
                }
                for cell in &notebook.cells {
                    self.cell_owner
                        .insert(cell.uri.as_str().to_string(), uri.as_str().to_string());
                }
            }
            for data in cells.data.unwrap_or_default() {
                if let Some(cell) = notebook.cells.iter_mut().find(|c| c.uri == data.document) {
                    cell.is_code = data.kind == lsp::NotebookCellKind::Code;
                }
            }
            for content in cells.text_content.unwrap_or_default() {
                match notebook
                    .cells
                    .iter_mut()
                    .find(|c| c.uri == content.document.uri)
                {
                    Some(cell) => {
                        cell.text
                            .apply_changes(content.changes, content.document.version, encoding)
                    }
                    None => tracing::warn!(
                        "text change for unknown cell {}",
                        content.document.uri.as_str()
                    ),
                }
            }
        }
        self.stale.insert(uri.as_str().to_string());
        self.pending.set(&uri, Due::Check);
    }

    pub fn close_notebook(&mut self, uri: &Uri) {
        self.runs.close(uri);
        self.chosen_loops.remove(uri.as_str());
        let Some(notebook) = self.notebooks.remove(uri.as_str()) else {
            return;
        };
        self.stale.remove(uri.as_str());
        for cell in notebook.cells {
            self.cell_owner.remove(cell.uri.as_str());
            self.pending.set(&cell.uri, Due::Clear);
        }
    }

    fn publish_notebook(&mut self, uri: &Uri) -> Vec<Publish> {
        self.refresh_document(uri);
        let from_runs: Vec<Vec<lsp::Diagnostic>> = match self.notebooks.get(uri.as_str()) {
            Some(notebook) => notebook
                .cells
                .iter()
                .map(|cell| super::runs::diagnostics(self, &cell.uri))
                .collect(),
            None => Vec::new(),
        };
        let encoding = self.encoding;
        let Some(notebook) = self.notebooks.get_mut(uri.as_str()) else {
            return Vec::new();
        };
        let per_unit = check_document(&mut notebook.analysis);
        let url_base = notebook.analysis.settings().rule_url_base.as_deref();
        let mut by_cell: Vec<Vec<lsp::Diagnostic>> = vec![Vec::new(); notebook.cells.len()];
        for (list, extra) in by_cell.iter_mut().zip(from_runs) {
            list.extend(extra);
        }
        for (slot, diagnostics) in notebook.analysis.slots().iter().zip(&per_unit) {
            if let Some(list) = slot.cell.and_then(|cell| by_cell.get_mut(cell)) {
                list.extend(
                    diagnostics
                        .iter()
                        .map(|d| convert::diagnostic(slot, d, encoding, url_base)),
                );
            }
        }
        notebook
            .cells
            .iter()
            .zip(by_cell)
            .filter(|(cell, _)| cell.is_code)
            .map(|(cell, diagnostics)| Publish {
                uri: cell.uri.clone(),
                version: Some(cell.text.version),
                diagnostics,
            })
            .collect()
    }

    /// Brings every edited document's analysis up to date with its text.
    pub fn refresh(&mut self) {
        if self.stale.is_empty() {
            return;
        }
        let stale: Vec<String> = self.stale.iter().cloned().collect();
        for uri in stale {
            self.refresh_key(&uri);
        }
    }

    fn refresh_document(&mut self, uri: &Uri) {
        if self.stale.contains(uri.as_str()) {
            self.refresh_key(uri.as_str());
        }
    }

    fn refresh_key(&mut self, key: &str) {
        self.stale.remove(key);
        if let Some(file) = self.files.get_mut(key) {
            file.analysis.update_python(file.text.text());
        } else if let Some(notebook) = self.notebooks.get_mut(key) {
            notebook.analysis.update_cells(cell_inputs(&notebook.cells));
        }
    }

    /// The diagnostics due longest, computed now from the document's current text: one
    /// publish for a file or a cleared document, one per code cell for a notebook. `None`
    /// when nothing is due.
    pub fn next_publish(&mut self) -> Option<Vec<Publish>> {
        while let Some((uri, due)) = self.pending.pop() {
            let publishes = match due {
                Due::Check if self.files.contains_key(uri.as_str()) => self.publish_file(&uri),
                Due::Check if self.notebooks.contains_key(uri.as_str()) => {
                    self.publish_notebook(&uri)
                }
                // Closed since: its cells' (or its own) `Clear` is due instead.
                Due::Check => continue,
                // Open again (a cell moved back): its document's check publishes for it.
                Due::Clear if self.locate(&uri).is_some() => continue,
                Due::Clear => vec![Publish {
                    uri,
                    version: None,
                    diagnostics: Vec::new(),
                }],
            };
            return Some(publishes);
        }
        None
    }

    /// Finds the analysed document a text document (file or cell) belongs to.
    pub fn locate(&self, uri: &Uri) -> Option<Location<'_>> {
        if let Some(file) = self.files.get(uri.as_str()) {
            return Some(Location::File(file));
        }
        let owner = self.cell_owner.get(uri.as_str())?;
        let notebook = self.notebooks.get(owner)?;
        let cell = notebook.cells.iter().position(|c| &c.uri == uri)?;
        Some(Location::Cell { notebook, cell })
    }

    /// Diagnostics (with their slot index) of the unit(s) under an editor range of a file
    /// or cell, for code actions.
    pub fn diagnostics_in(
        &mut self,
        uri: &Uri,
        range: lsp::Range,
    ) -> Vec<(Uri, usize, Diagnostic)> {
        let encoding = self.encoding;
        let (document, cell_filter) = if let Some(file) = self.files.get_mut(uri.as_str()) {
            (&mut file.analysis, None)
        } else {
            let Some(owner) = self.cell_owner.get(uri.as_str()).cloned() else {
                return Vec::new();
            };
            let Some(notebook) = self.notebooks.get_mut(&owner) else {
                return Vec::new();
            };
            let Some(cell) = notebook.cells.iter().position(|c| &c.uri == uri) else {
                return Vec::new();
            };
            (&mut notebook.analysis, Some(cell))
        };
        let per_unit = check_document(document);
        let start = LineCol {
            line: range.start.line,
            col: range.start.character,
        };
        let end = LineCol {
            line: range.end.line,
            col: range.end.character,
        };
        let mut found = Vec::new();
        for (position, (slot, diagnostics)) in document.slots().iter().zip(&per_unit).enumerate() {
            if cell_filter.is_some() && slot.cell != cell_filter {
                continue;
            }
            for diagnostic in diagnostics.iter() {
                let from = slot.line_col(diagnostic.range.start(), encoding);
                let to = slot.line_col(diagnostic.range.end(), encoding);
                if from <= end && start <= to {
                    found.push((uri.clone(), position, diagnostic.clone()));
                }
            }
        }
        found
    }

    /// The line of a file or notebook cell at an editor position, and the column there in
    /// characters (see `TextDocument::line_and_cursor`).
    pub fn line_at(&self, uri: &Uri, position: lsp::Position) -> Option<(String, usize)> {
        let text = match self.locate(uri)? {
            Location::File(file) => &file.text,
            Location::Cell { notebook, cell } => &notebook.cells[cell].text,
        };
        let at = LineCol {
            line: position.line,
            col: position.character,
        };
        Some(text.line_and_cursor(at, self.encoding))
    }

    /// The analysed document for a text document, to build edits against.
    pub fn document_of(&self, uri: &Uri) -> Option<&Document> {
        match self.locate(uri)? {
            Location::File(file) => Some(&file.analysis),
            Location::Cell { notebook, .. } => Some(&notebook.analysis),
        }
    }

    pub fn file(&self, uri: &Uri) -> Option<&OpenFile> {
        self.files.get(uri.as_str())
    }

    pub fn notebook(&self, uri: &Uri) -> Option<&OpenNotebook> {
        self.notebooks.get(uri.as_str())
    }

    /// Every open document URI (files and notebooks), for server-wide operations.
    pub fn open_documents(&self) -> Vec<Uri> {
        self.files
            .values()
            .map(|f| f.uri.clone())
            .chain(self.notebooks.values().map(|n| n.uri.clone()))
            .collect()
    }
}

fn open_cell(cell: &lsp::NotebookCell, item: Option<lsp::TextDocumentItem>) -> OpenCell {
    let is_python = item.as_ref().is_none_or(|i| i.language_id == "python");
    let (text, version) = item.map_or((String::new(), 0), |i| (i.text, i.version));
    OpenCell {
        uri: cell.document.clone(),
        is_code: cell.kind == lsp::NotebookCellKind::Code && is_python,
        text: TextDocument::new(&text, version),
    }
}

fn cell_inputs(cells: &[OpenCell]) -> Vec<CellInput> {
    cells
        .iter()
        .map(|c| CellInput {
            is_code: c.is_code,
            text: c.text.text(),
        })
        .collect()
}

/// Shared handle to the session (the handlers' and the transport's diagnostics publisher).
pub type SharedSession = Arc<std::sync::Mutex<Session>>;

/// Locks the session. A panic in another handler poisons the lock, but the state is
/// still usable.
pub fn lock(session: &SharedSession) -> std::sync::MutexGuard<'_, Session> {
    session
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
