//! The connection file, the five ZeroMQ channels, and the messages on them.
//!
//! Reading is done on raw multipart messages (`jupyter-zmq-client`'s `RawMessage`), so
//! the HMAC-SHA256 signature is checked on every message before anything is parsed, and
//! a request whose content our typed crate would not parse still gets an answer: the
//! handlers read content as JSON. A message with a bad or missing signature is dropped
//! and logged. Everything we send is built as JSON content with a fresh header and the
//! request's header as parent.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use jupyter_protocol::{
    ConnectionInfo, Header, JupyterMessage, JupyterMessageContent, UnknownMessage,
};
use jupyter_zmq_client::{
    create_kernel_control_connection, create_kernel_heartbeat_connection,
    create_kernel_iopub_connection, create_kernel_shell_connection, create_kernel_stdin_connection,
    KernelHeartbeatConnection, KernelIoPubConnection, RawMessage, RouterRecvConnection,
    RouterSendConnection,
};
use serde_json::{json, Value};
use tokio::sync::{mpsc, Mutex};
use zeromq::{SocketRecv, SocketSend};

/// Messages waiting for the iopub writer: a slow subscriber slows the host down instead
/// of growing memory (see `exec::Emit`).
const IOPUB_CAPACITY: usize = 64;

/// One request read from shell or control, signature checked.
#[derive(Clone, Debug)]
pub struct Request {
    pub identities: Vec<Bytes>,
    pub header: Header,
    /// The `msg_id` of its parent header, when it has one (an `input_reply` may not).
    pub parent_id: Option<String>,
    pub content: Value,
}

impl Request {
    pub fn msg_type(&self) -> &str {
        &self.header.msg_type
    }

    pub fn parent_msg_id(&self) -> Option<String> {
        self.parent_id.clone()
    }

    /// A message answering or caused by this request: `content` under a fresh header.
    pub fn child(&self, msg_type: &str, content: Value) -> JupyterMessage {
        message(
            msg_type,
            content,
            Some(&self.header),
            self.identities.clone(),
        )
    }
}

/// The kernel's session id: unique per kernel process (pid and start time).
pub fn session() -> &'static str {
    static SESSION: OnceLock<String> = OnceLock::new();
    SESSION.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{:x}-{:x}", std::process::id(), nanos)
    })
}

/// A fresh `msg_id`: the session and a counter, as jupyter_client's own sessions number
/// their messages (`{session}_{n}`); unique per kernel process without asking the OS for
/// randomness per message (a uuid4 is a `getrandom` call).
fn msg_id() -> String {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}_{}",
        session(),
        COUNT.fetch_add(1, Ordering::Relaxed) + 1
    )
}

fn now() -> chrono::DateTime<chrono::Utc> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    chrono::DateTime::from_timestamp(now.as_secs() as i64, now.subsec_nanos()).unwrap_or_default()
}

/// A message of our own: `parent` becomes its parent header (`{}` without one).
pub fn message(
    msg_type: &str,
    content: Value,
    parent: Option<&Header>,
    identities: Vec<Bytes>,
) -> JupyterMessage {
    JupyterMessage {
        zmq_identities: identities,
        header: Header {
            msg_id: msg_id(),
            username: "asyncell".to_string(),
            session: session().to_string(),
            date: now(),
            msg_type: msg_type.to_string(),
            version: "5.3".to_string(),
        },
        parent_header: parent.cloned(),
        metadata: json!({}),
        content: JupyterMessageContent::UnknownMessage(UnknownMessage {
            msg_type: msg_type.to_string(),
            content,
        }),
        buffers: Vec::new(),
        channel: None,
    }
}

/// Reads the connection file jupyter_client wrote.
pub fn read_connection_file(path: &Path) -> Result<ConnectionInfo, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the connection file {}: {e}", path.display()))?;
    let info: ConnectionInfo = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a Jupyter connection file: {e}", path.display()))?;
    if !info.key.is_empty() && info.signature_scheme != "hmac-sha256" {
        return Err(format!(
            "{}: signature scheme `{}` is not supported (only hmac-sha256)",
            path.display(),
            info.signature_scheme
        ));
    }
    Ok(info)
}

/// The receiving half of a router channel (shell or control).
pub struct Incoming {
    name: &'static str,
    connection: RouterRecvConnection,
}

impl Incoming {
    /// The next well-signed, parseable request; `None` when the socket is gone.
    pub async fn next(&mut self) -> Option<Request> {
        loop {
            let multipart = match self.connection.socket.recv().await {
                Ok(multipart) => multipart,
                Err(error) => {
                    tracing::warn!("kernel {}: socket closed: {error}", self.name);
                    return None;
                }
            };
            let raw = RawMessage::from_multipart(multipart, &self.connection.mac);
            if self.connection.mac.is_none() {
                tracing::debug!("kernel: the connection file has no key; messages are not signed");
            }
            match raw.map_err(describe).and_then(parse) {
                Ok(request) => return Some(request),
                Err(why) => tracing::warn!("kernel {}: dropped a message: {why}", self.name),
            }
        }
    }
}

fn describe(error: jupyter_zmq_client::RuntimeError) -> String {
    match error {
        jupyter_zmq_client::RuntimeError::VerifyError(_) => {
            "bad HMAC signature (not signed with this kernel's key)".to_string()
        }
        other => other.to_string(),
    }
}

fn parse(raw: RawMessage) -> Result<Request, String> {
    let header: Header =
        serde_json::from_slice(&raw.jparts[0]).map_err(|e| format!("unreadable header: {e}"))?;
    let content: Value = serde_json::from_slice(&raw.jparts[3])
        .map_err(|e| format!("unreadable content of a {}: {e}", header.msg_type))?;
    let parent_id = serde_json::from_slice::<Value>(&raw.jparts[1])
        .ok()
        .and_then(|parent| parent["msg_id"].as_str().map(str::to_string))
        .filter(|id| !id.is_empty());
    Ok(Request {
        identities: raw.zmq_identities,
        header,
        parent_id,
        content,
    })
}

/// The sending half of a router channel, shared by the tasks that answer on it.
#[derive(Clone)]
pub struct Replier {
    name: &'static str,
    connection: Arc<Mutex<RouterSendConnection>>,
}

impl Replier {
    pub async fn send(&self, message: JupyterMessage) {
        let msg_type = message.header.msg_type.clone();
        if let Err(error) = self.connection.lock().await.send(message).await {
            tracing::warn!("kernel {}: cannot send {msg_type}: {error}", self.name);
        }
    }

    /// Answers `request` with `<type>_reply` carrying `content`.
    pub async fn reply(&self, request: &Request, content: Value) {
        let reply_type = reply_type(request.msg_type());
        self.send(request.child(&reply_type, content)).await;
    }
}

pub fn reply_type(request_type: &str) -> String {
    match request_type.strip_suffix("_request") {
        Some(stem) => format!("{stem}_reply"),
        None => format!("{request_type}_reply"),
    }
}

/// Publishing on iopub, from any task, in the order of the calls.
#[derive(Clone)]
pub struct IoPub {
    sender: mpsc::Sender<JupyterMessage>,
}

impl IoPub {
    /// A message on iopub with `parent` as its parent header.
    pub async fn publish(&self, msg_type: &str, content: Value, parent: Option<&Header>) {
        // The topic, as ipykernel names it (clients subscribe to everything).
        let topic = vec![Bytes::from(format!("kernel.{msg_type}"))];
        let _ = self
            .sender
            .send(message(msg_type, content, parent, topic))
            .await;
    }

    pub async fn status(&self, state: &str, parent: Option<&Header>) {
        self.publish("status", json!({ "execution_state": state }), parent)
            .await;
    }
}

/// The bound channels.
pub struct Channels {
    pub shell: Incoming,
    pub shell_reply: Replier,
    pub control: Incoming,
    pub control_reply: Replier,
    pub iopub: IoPub,
    /// `input_reply`s from clients, and where `input_request`s go (kernel/stdin.rs).
    pub stdin: Incoming,
    pub stdin_send: Replier,
}

/// Binds every channel of the connection file and starts the iopub writer and the
/// heartbeat.
pub async fn bind(info: &ConnectionInfo, session: &str) -> Result<Channels, String> {
    let bind_error = |channel: &str, e: jupyter_zmq_client::RuntimeError| {
        format!("cannot bind the {channel} channel: {e}")
    };
    let shell = create_kernel_shell_connection(info, session)
        .await
        .map_err(|e| bind_error("shell", e))?;
    let control = create_kernel_control_connection(info, session)
        .await
        .map_err(|e| bind_error("control", e))?;
    let iopub = create_kernel_iopub_connection(info, session)
        .await
        .map_err(|e| bind_error("iopub", e))?;
    let stdin = create_kernel_stdin_connection(info, session)
        .await
        .map_err(|e| bind_error("stdin", e))?;
    let heartbeat = create_kernel_heartbeat_connection(info)
        .await
        .map_err(|e| bind_error("heartbeat", e))?;
    tokio::spawn(heartbeat_loop(heartbeat));
    let (sender, receiver) = mpsc::channel(IOPUB_CAPACITY);
    tokio::spawn(iopub_writer(iopub, receiver));
    let (shell_send, shell_recv) = shell.split();
    let (control_send, control_recv) = control.split();
    let (stdin_send, stdin_recv) = stdin.split();
    Ok(Channels {
        shell: Incoming {
            name: "shell",
            connection: shell_recv,
        },
        shell_reply: Replier {
            name: "shell",
            connection: Arc::new(Mutex::new(shell_send)),
        },
        control: Incoming {
            name: "control",
            connection: control_recv,
        },
        control_reply: Replier {
            name: "control",
            connection: Arc::new(Mutex::new(control_send)),
        },
        iopub: IoPub { sender },
        stdin: Incoming {
            name: "stdin",
            connection: stdin_recv,
        },
        stdin_send: Replier {
            name: "stdin",
            connection: Arc::new(Mutex::new(stdin_send)),
        },
    })
}

/// Echoes every ping, whatever the cells are doing (it runs apart from them).
async fn heartbeat_loop(mut heartbeat: KernelHeartbeatConnection) {
    loop {
        match heartbeat.socket.recv().await {
            Ok(ping) => {
                if let Err(error) = heartbeat.socket.send(ping).await {
                    tracing::warn!("kernel heartbeat: {error}");
                }
            }
            Err(error) => {
                tracing::warn!("kernel heartbeat: socket closed: {error}");
                return;
            }
        }
    }
}

async fn iopub_writer(
    mut iopub: KernelIoPubConnection,
    mut receiver: mpsc::Receiver<JupyterMessage>,
) {
    // Each message goes out as soon as it is queued, not gathered with the next: the
    // client reads a cell's result while the kernel still builds its reply and `idle`
    // (gathering them into one write measured slower: docs/benchmarks.md).
    while let Some(message) = receiver.recv().await {
        let msg_type = message.header.msg_type.clone();
        if let Err(error) = iopub.send(message).await {
            tracing::warn!("kernel iopub: cannot publish {msg_type}: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_types() {
        assert_eq!(reply_type("execute_request"), "execute_reply");
        assert_eq!(reply_type("odd"), "odd_reply");
    }

    #[test]
    fn message_ids_are_the_session_and_a_count() {
        let first = message("status", json!({}), None, Vec::new()).header;
        let second = message("status", json!({}), None, Vec::new()).header;
        assert_ne!(first.msg_id, second.msg_id);
        assert!(first.msg_id.starts_with(&format!("{}_", session())));
        assert_eq!(first.session, session());
        assert_eq!(first.version, "5.3");
        assert!(first.date.timestamp() > 1_600_000_000, "the date is now");
    }

    #[test]
    fn children_carry_the_parent_header() {
        let parent = message("execute_request", json!({}), None, Vec::new());
        let child = message(
            "status",
            json!({"execution_state": "busy"}),
            Some(&parent.header),
            Vec::new(),
        );
        assert_eq!(child.parent_header.unwrap().msg_id, parent.header.msg_id);
        assert_eq!(child.header.msg_type, "status");
        let wire = serde_json::to_value(&child.content).unwrap();
        assert_eq!(wire, json!({"execution_state": "busy"}));
    }
}
