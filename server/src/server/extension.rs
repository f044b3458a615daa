//! The asyncell LSP extension, typed: every `asyncell/*` request and notification, its
//! method name, its params and its result (docs/protocol.md section 1). The handlers under
//! `api/` take and return these types, and `crate::schema` generates
//! docs/schema/lsp-extension.schema.json from them, which the editor clients are checked
//! against; nothing else spells a method name or a field.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_lsp_server::lsp_types::notification::Notification;
use tower_lsp_server::lsp_types::request::Request;
use tower_lsp_server::lsp_types::{Position, TextDocumentIdentifier};

pub use crate::exec::protocol::{
    CancelReply, CompleteReply, Completion, CompletionKind, InspectReply, NbOutput, TaskInfo,
    TaskState, VariablesReply,
};
pub use crate::exec::{ExecResult, HostEvent, HostStatus, InterruptOutcome, LoopKind};

/// The schema of a `TextDocumentIdentifier` (lsp-types has none of its own).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct DocumentRef {
    uri: String,
}

/// The schema of an LSP `Position`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct PositionRef {
    /// 0-based line.
    line: u32,
    /// 0-based, in the position encoding negotiated at `initialize`.
    character: u32,
}

/// The params of the requests that name only a document.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentParams {
    /// A file, a notebook, or one of a notebook's cells (meaning its notebook).
    #[schemars(with = "DocumentRef")]
    pub text_document: TextDocumentIdentifier,
}

/// `asyncell/execute`: exactly one of `code`, `cell` or `position`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteParams {
    #[schemars(with = "DocumentRef")]
    pub text_document: TextDocumentIdentifier,
    /// Text to run as one cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// 0-based index among the document's code cells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<usize>,
    /// Run the code cell containing this position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<PositionRef>")]
    pub position: Option<Position>,
    /// The client's own id for this execution (echoed in its outputs and reply);
    /// generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_id: Option<String>,
    /// The loop the client runs this document on (a notebook controller's). From now on
    /// it wins over `%autoawait`, the `loop` setting and the imports for the document's
    /// hosts (and `asyncell/status`); a host running the other loop is replaced first.
    #[serde(default, rename = "loop", skip_serializing_if = "Option::is_none")]
    pub loop_kind: Option<LoopKind>,
}

/// `asyncell/cancelTask`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CancelTaskParams {
    #[schemars(with = "DocumentRef")]
    pub text_document: TextDocumentIdentifier,
    pub task_id: String,
}

/// `asyncell/complete`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompleteParams {
    #[schemars(with = "DocumentRef")]
    pub text_document: TextDocumentIdentifier,
    pub code: String,
    /// In characters (code points) into `code`, as Jupyter's `cursor_pos`.
    pub cursor: usize,
}

/// `asyncell/inspect`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InspectParams {
    #[schemars(with = "DocumentRef")]
    pub text_document: TextDocumentIdentifier,
    pub code: String,
    /// In characters (code points) into `code`.
    pub cursor: usize,
    /// 0: signature, type, docstring and repr; 1: the source too (`obj??`).
    #[serde(default)]
    pub detail: u8,
}

/// `asyncell/variables`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VariablesParams {
    #[schemars(with = "DocumentRef")]
    pub text_document: TextDocumentIdentifier,
    #[serde(default)]
    pub offset: usize,
    /// At most 1000 a page (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// The result of `asyncell/restart`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct RestartResult {
    /// The new host's process id.
    pub pid: u32,
}

/// The result of `asyncell/shutdown`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ShutdownResult {
    /// False when no host ran for the document.
    pub stopped: bool,
}

/// `asyncell/output` params: one output of an execution, or of a background task one
/// started (then `executionId` is the starting execution and `taskId` the task).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutputParams {
    #[schemars(with = "DocumentRef")]
    pub text_document: TextDocumentIdentifier,
    pub execution_id: String,
    pub task_id: Option<String>,
    #[schemars(with = "NbOutput")]
    pub output: Value,
}

/// `asyncell/event` params: a host lifecycle or background-task event.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventParams {
    #[schemars(with = "DocumentRef")]
    pub text_document: TextDocumentIdentifier,
    #[serde(flatten)]
    pub event: HostEvent,
}

/// Declares one request of the extension: its type, method, params and result.
macro_rules! request {
    ($(#[$doc:meta])* $name:ident, $method:literal, $params:ty, $result:ty) => {
        $(#[$doc])*
        pub enum $name {}
        impl Request for $name {
            type Params = $params;
            type Result = $result;
            const METHOD: &'static str = $method;
        }
    };
}

macro_rules! notification {
    ($(#[$doc:meta])* $name:ident, $method:literal, $params:ty) => {
        $(#[$doc])*
        pub enum $name {}
        impl Notification for $name {
            type Params = $params;
            const METHOD: &'static str = $method;
        }
    };
}

request!(
    /// Run code, a cell, or the cell at a position; replies when it ends, after every
    /// `asyncell/output` of it.
    Execute, "asyncell/execute", ExecuteParams, ExecResult
);
request!(
    /// Drop the queued executions and interrupt the running one.
    Interrupt, "asyncell/interrupt", DocumentParams, InterruptOutcome
);
request!(
    /// Kill the document's host and start a fresh one.
    Restart, "asyncell/restart", DocumentParams, RestartResult
);
request!(
    /// Stop the document's host.
    Shutdown, "asyncell/shutdown", DocumentParams, ShutdownResult
);
request!(
    /// The document's host, from the server's own bookkeeping.
    Status, "asyncell/status", DocumentParams, HostStatus
);
request!(
    /// Cancel one background task.
    CancelTask, "asyncell/cancelTask", CancelTaskParams, CancelReply
);
request!(
    /// Completions from the live namespace.
    Complete, "asyncell/complete", CompleteParams, CompleteReply
);
request!(
    /// The live object at the cursor.
    Inspect, "asyncell/inspect", InspectParams, InspectReply
);
request!(
    /// One page of the live namespace's user names.
    Variables, "asyncell/variables", VariablesParams, VariablesReply
);
notification!(
    /// One output, sent before the reply of the execution it belongs to.
    Output, "asyncell/output", OutputParams
);
notification!(
    /// Host started/exited, background task finished/failed.
    Event, "asyncell/event", EventParams
);

/// Every request method of the extension, in the order docs/protocol.md gives them.
pub const REQUESTS: [&str; 9] = [
    Execute::METHOD,
    Interrupt::METHOD,
    Restart::METHOD,
    Shutdown::METHOD,
    Status::METHOD,
    CancelTask::METHOD,
    Complete::METHOD,
    Inspect::METHOD,
    Variables::METHOD,
];

/// Every notification the server sends.
pub const NOTIFICATIONS: [&str; 2] = [Output::METHOD, Event::METHOD];
