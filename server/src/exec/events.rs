//! What the supervisor reports to its consumer (the LSP forwarder, `asyncell run`, a
//! kernel front end): one bounded channel of [`Emit`]s, in the order things happened.
//! A slow consumer fills the channel, the host's reader stops reading, the pipe fills and
//! the host's writers block: memory stays bounded end to end.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::reply::ExecResult;

/// Capacity of the [`Emit`] channel. Each stream output is at most 64 KiB of text.
pub const EMIT_CAPACITY: usize = 16;

/// What an `asyncell/event` is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum EventKind {
    TaskFailed,
    TaskFinished,
    HostStarted,
    HostExited,
}

/// A host lifecycle or background-task event for `asyncell/event`.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HostEvent {
    #[serde(skip)]
    pub doc: Arc<str>,
    pub kind: EventKind,
    /// For `hostExited`: the server stopped the host on purpose (restart, shutdown, the
    /// end of `asyncell run`), so this is no news of a failure.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stopped: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traceback: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
}

impl HostEvent {
    /// An event about the host itself (started, exited), not about one of its tasks.
    pub(super) fn host(doc: Arc<str>, kind: EventKind, message: String, pid: Option<u32>) -> Self {
        HostEvent {
            doc,
            kind,
            stopped: false,
            task_id: None,
            message,
            traceback: None,
            pid,
        }
    }
}

/// A cell waits for input from its front end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputRequest {
    pub doc: Arc<str>,
    pub execution_id: String,
    /// What the answer must name (see [`Supervisor::input_reply`](super::supervisor::Supervisor::input_reply)).
    pub prompt_id: u64,
    pub prompt: String,
    /// `getpass`: hide what is typed.
    pub password: bool,
}

/// What the supervisor reports to its consumer, in the order it happened.
pub enum Emit {
    Output {
        doc: Arc<str>,
        execution_id: String,
        task_id: Option<String>,
        output: Value,
    },
    Event(HostEvent),
    /// `input()` in an execution submitted with stdin allowed
    /// ([`Supervisor::execute_with`](super::supervisor::Supervisor::execute_with)): the
    /// consumer asks its front end and answers with
    /// [`Supervisor::input_reply`](super::supervisor::Supervisor::input_reply). Only a
    /// consumer that allows stdin gets these.
    InputRequest(InputRequest),
    /// An execution finished: deliver everything before this, then send `result` on
    /// `reply`.
    Finished {
        doc: Arc<str>,
        result: ExecResult,
        reply: oneshot::Sender<ExecResult>,
    },
}

/// Hands `message` to the consumer, waiting while the channel is full. If nobody
/// consumes any more (shutting down), a finished execution is still answered.
pub(super) async fn emit(consumer: &mpsc::Sender<Emit>, message: Emit) {
    if let Err(mpsc::error::SendError(Emit::Finished { result, reply, .. })) =
        consumer.send(message).await
    {
        let _ = reply.send(result);
    }
}
