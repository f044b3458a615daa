//! The language server's side of execution: which document and code a request means,
//! how that document's host is started, and forwarding what the supervisor reports as
//! `asyncell/output` and `asyncell/event` notifications (docs/protocol.md section 1).

use std::sync::OnceLock;

use serde_json::Value;
use std::str::FromStr;
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, ErrorCode};

use tower_lsp_server::lsp_types::{MessageType, Position, TextDocumentIdentifier, Uri};
use tower_lsp_server::{Client, UriExt};

use super::extension::{self as ext, EventParams, OutputParams};
use super::session::{Location, Session};
use crate::analysis::{Document, SourceKind};
use crate::exec::{self, Emit, EventKind, HostSpec, Options, Supervisor, EMIT_CAPACITY};
use crate::positions;

/// The largest stream text one coalesced `asyncell/output` notification carries.
const COALESCE_LIMIT: usize = 256 << 10;

/// The execution state the backend owns: the supervisor, created on first use (inside
/// the runtime) together with its forwarder task.
#[derive(Default)]
pub struct Execution {
    supervisor: OnceLock<Supervisor>,
    /// Whether `asyncell/*` notifications go out, and progress lines (`runs.rs`).
    pub watch: std::sync::Arc<super::runs::Watch>,
}

impl Execution {
    pub fn supervisor(&self, client: &Client) -> &Supervisor {
        self.supervisor.get_or_init(|| {
            let (sender, receiver) = mpsc::channel(EMIT_CAPACITY);
            tokio::spawn(forward(client.clone(), receiver, self.watch.clone()));
            Supervisor::new(sender, Options::default())
        })
    }

    /// The supervisor if any execution ever happened.
    pub fn started(&self) -> Option<&Supervisor> {
        self.supervisor.get()
    }
}

/// Which code an `asyncell/execute` means.
pub enum What {
    Code(String),
    /// 0-based index among the document's code cells.
    Cell(usize),
    Position(Position),
}

/// A request resolved against the session: the document whose host runs it, the code,
/// and how to start that host.
pub struct Resolved {
    pub doc: Uri,
    pub code: String,
    pub spec: HostSpec,
    /// The code cell index, when the request named a cell.
    pub cell: Option<usize>,
    /// That cell's 1-based number among all the document's cells (what users see).
    pub number: Option<u32>,
}

pub fn invalid_params(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::InvalidParams,
        message: message.into().into(),
        data: None,
    }
}

fn not_open(uri: &Uri) -> Error {
    invalid_params(format!(
        "`{}` is not open: send textDocument/didOpen (or notebookDocument/didOpen) for it first",
        uri.as_str()
    ))
}

/// The document (file or notebook) a URI belongs to; a notebook cell URI maps to its
/// notebook, and to the cell's index among the notebook's code cells.
pub fn owner(session: &Session, uri: &Uri) -> Result<(Uri, Option<usize>), Error> {
    if session.file(uri).is_some() || session.notebook(uri).is_some() {
        return Ok((uri.clone(), None));
    }
    match session.locate(uri) {
        Some(Location::Cell { notebook, cell }) => {
            let cell_ref = &notebook.cells[cell];
            if !cell_ref.is_code {
                return Err(invalid_params(format!(
                    "`{}` is not a code cell",
                    uri.as_str()
                )));
            }
            let index = notebook.cells[..cell].iter().filter(|c| c.is_code).count();
            Ok((notebook.uri.clone(), Some(index)))
        }
        Some(Location::File(file)) => Ok((file.uri.clone(), None)),
        None => Err(not_open(uri)),
    }
}

fn analysis<'s>(session: &'s Session, doc: &Uri) -> Option<&'s Document> {
    session
        .file(doc)
        .map(|f| &f.analysis)
        .or_else(|| session.notebook(doc).map(|n| &n.analysis))
}

/// The document's code cells, in order: `# %%` code cells of a cell file, the whole
/// text of a plain script, the code cells of a notebook.
pub fn code_cells(session: &Session, doc: &Uri) -> Option<Vec<String>> {
    if let Some(file) = session.file(doc) {
        let analysis = &file.analysis;
        return Some(match analysis.kind() {
            SourceKind::CellFile => analysis
                .slots()
                .iter()
                .filter(|slot| slot.cell.is_some())
                .map(|slot| exec::runnable(&slot.unit.text))
                .collect(),
            _ => vec![analysis.text().to_string()],
        });
    }
    let notebook = session.notebook(doc)?;
    Some(
        notebook
            .cells
            .iter()
            .filter(|c| c.is_code)
            .map(|c| c.text.text())
            .collect(),
    )
}

/// The first line of each code cell of a `.py` cell file (for code lenses).
pub fn cell_start_lines(session: &Session, doc: &Uri) -> Vec<u32> {
    match session.file(doc) {
        Some(file) if file.analysis.kind() == SourceKind::CellFile => file
            .analysis
            .slots()
            .iter()
            .filter(|slot| slot.cell.is_some())
            .map(|slot| slot.start_line)
            .collect(),
        _ => Vec::new(),
    }
}

/// How to start the document's host: its python and loop settings and its directory.
/// For a host about to start: queues the untrusted-`.venv` notice when that applies.
pub fn host_spec(session: &mut Session, doc: &Uri) -> HostSpec {
    let interpreter = session.interpreter_to_start(doc);
    spec_with(session, doc, interpreter)
}

/// [`host_spec`] for reporting (`asyncell/status`), which starts nothing and so tells
/// the user nothing yet.
pub fn host_spec_preview(session: &Session, doc: &Uri) -> HostSpec {
    let interpreter = session.interpreter(doc);
    spec_with(session, doc, interpreter)
}

fn spec_with(session: &Session, doc: &Uri, interpreter: exec::Interpreter) -> HostSpec {
    let chosen = session.chosen_loop(doc);
    let loop_kind = chosen.unwrap_or_else(|| {
        exec::loop_kind(
            analysis(session, doc).map_or(crate::analysis::index::Loop::Unknown, |document| {
                document.index().loop_
            }),
        )
    });
    let cwd = doc
        .to_file_path()
        .and_then(|path| path.parent().map(|p| p.to_path_buf()))
        .or_else(|| session.workspace_root.clone());
    HostSpec {
        interpreter,
        loop_kind,
        loop_chosen: chosen.is_some(),
        cwd,
    }
}

/// Resolves a request's document and code.
pub fn resolve(session: &mut Session, uri: &Uri, what: What) -> Result<Resolved, Error> {
    let (doc, cell_of_uri) = owner(session, uri)?;
    let (code, cell) = match what {
        What::Code(code) => (code, None),
        What::Cell(index) => {
            let cells = code_cells(session, &doc).ok_or_else(|| not_open(uri))?;
            let code = cells.get(index).cloned().ok_or_else(|| {
                invalid_params(format!(
                    "cell {index} is out of range: `{}` has {} code cell(s); `cell` counts code cells from 0",
                    doc.as_str(),
                    cells.len()
                ))
            })?;
            (code, Some(index))
        }
        What::Position(position) => {
            let index = match cell_of_uri {
                Some(index) => index,
                None => cell_at(session, &doc, position)?,
            };
            let cells = code_cells(session, &doc).ok_or_else(|| not_open(uri))?;
            let code = cells
                .get(index)
                .cloned()
                .ok_or_else(|| invalid_params("the position is outside any code cell"))?;
            (code, Some(index))
        }
    };
    let spec = host_spec(session, &doc);
    let number = cell
        .and_then(|index| super::runs::place(session, &doc, index))
        .and_then(|place| u32::try_from(place.number).ok());
    Ok(Resolved {
        doc,
        code,
        spec,
        cell,
        number,
    })
}

/// The code cell of a `.py` file containing a position.
pub fn cell_at(session: &Session, doc: &Uri, position: Position) -> Result<usize, Error> {
    let Some(file) = session.file(doc) else {
        return Err(invalid_params(
            "`position` needs the URI of the text document it is in: pass a notebook cell's URI, or use `cell`",
        ));
    };
    if file.analysis.kind() != SourceKind::CellFile {
        return Ok(0); // a plain script is one cell
    }
    let line = position.line;
    file.analysis
        .slots()
        .iter()
        .filter(|slot| slot.cell.is_some())
        .position(|slot| {
            let text = &slot.unit.text;
            let end = slot.start_line
                + slot.unit.line_breaks()
                + u32::from(!positions::ends_with_line_break(text));
            slot.start_line <= line && line < end
        })
        .ok_or_else(|| {
            invalid_params(format!(
                "line {} of `{}` is not in a code cell (it is in a markdown cell or past the end); \
                 put the position inside a `# %%` code cell",
                line + 1,
                doc.as_str()
            ))
        })
}

/// Delivers the supervisor's reports to the client, in order. Stream outputs already
/// queued behind a slow client are merged into fewer, larger notifications; awaiting
/// each send is what pushes back on the supervisor (and from there on the host).
async fn forward(
    client: Client,
    mut receiver: mpsc::Receiver<Emit>,
    watch: std::sync::Arc<super::runs::Watch>,
) {
    let mut batch = Vec::new();
    while let Some(first) = receiver.recv().await {
        batch.push(first);
        while batch.len() < 64 {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        for message in coalesce(std::mem::take(&mut batch)) {
            deliver(&client, message, &watch).await;
        }
    }
}

fn coalesce(batch: Vec<Emit>) -> Vec<Emit> {
    let mut out: Vec<Emit> = Vec::with_capacity(batch.len());
    for message in batch {
        if let (
            Some(Emit::Output {
                doc,
                execution_id,
                task_id,
                output: previous,
            }),
            Emit::Output {
                doc: next_doc,
                execution_id: next_id,
                task_id: next_task,
                output,
            },
        ) = (out.last_mut(), &message)
        {
            let mergeable = doc == next_doc
                && execution_id == next_id
                && task_id == next_task
                && previous["output_type"] == "stream"
                && output["output_type"] == "stream"
                && previous["name"] == output["name"];
            if mergeable {
                let addition = output["text"].as_str().unwrap_or("");
                if let Some(Value::String(text)) = previous.get_mut("text") {
                    if text.len() + addition.len() <= COALESCE_LIMIT {
                        text.push_str(addition);
                        continue;
                    }
                }
            }
        }
        out.push(message);
    }
    out
}

/// `asyncell/*` notifications reach only clients that declared `experimental.asyncell`.
async fn deliver(client: &Client, message: Emit, watch: &super::runs::Watch) {
    // Editors keep nbformat outputs: display updates arrive as displays, clears as nothing
    // (the execution's reply applies both).
    let message = match message {
        Emit::Output {
            doc,
            execution_id,
            task_id,
            output,
        } => match exec::display_updates::as_nbformat(output) {
            Some(output) => Emit::Output {
                doc,
                execution_id,
                task_id,
                output,
            },
            None => return,
        },
        other => other,
    };
    match message {
        Emit::Output {
            ref execution_id,
            ref output,
            ..
        } if !watch.custom() => watch.saw_output(execution_id, output),
        // Standard messages for what a plugin shows from `asyncell/event`: a failed
        // background task, a host that died (one that never started fails its run).
        Emit::Event(event) if !watch.custom() => {
            let (kind, message) = match event.kind {
                EventKind::TaskFailed => (MessageType::ERROR, event.message),
                EventKind::HostExited if !event.stopped && event.pid.is_some() => {
                    (MessageType::WARNING, event.message)
                }
                _ => return,
            };
            client
                .show_message(kind, format!("asyncell: {message}"))
                .await;
        }
        // Editors run cells without stdin: the host raises in input() instead of asking.
        Emit::InputRequest(_) => {}
        Emit::Output {
            doc,
            execution_id,
            task_id,
            output,
        } => {
            let params = OutputParams {
                text_document: document(&doc),
                execution_id,
                task_id,
                output,
            };
            client.send_notification::<ext::Output>(params).await;
        }
        Emit::Event(event) => {
            let params = EventParams {
                text_document: document(&event.doc),
                event,
            };
            client.send_notification::<ext::Event>(params).await;
        }
        Emit::Finished { result, reply, .. } => {
            if !watch.custom() {
                watch.finished(&result.execution_id);
            }
            // The transport writes every notification queued before a response ahead of
            // it (server/transport.rs), so the outputs above reach the client first.
            let _ = reply.send(result);
        }
    }
}

/// The identifier of a document by its URI as the supervisor keys it (the URI text the
/// client sent, which parses: it came from a parsed `Uri`).
fn document(doc: &str) -> TextDocumentIdentifier {
    let uri = doc
        .parse::<Uri>()
        .unwrap_or_else(|_| Uri::from_str("file:///").expect("a valid URI"));
    TextDocumentIdentifier { uri }
}
