//! The supervisor: one Python host process per document, and the only code that talks to
//! one (docs/protocol.md section 2).
//!
//! * Hosts start lazily on a document's first execution. They are spawned from one
//!   long-lived thread (`PR_SET_PDEATHSIG` fires when the *spawning thread* exits, and
//!   tokio's blocking threads come and go), in their own process group (so a restart or
//!   shutdown kills whatever the cells started too), with `PDEATHSIG=SIGKILL` and
//!   `kill_on_drop`; a host also exits on stdin EOF, so a `SIGKILL`ed server leaves none.
//! * Executions of a document are FIFO: each takes the document's gate (a fair mutex)
//!   only to make sure its host runs and to write the `execute` command; the host queues
//!   and runs cells in arrival order. An interrupt bumps the document's epoch, so
//!   executions still waiting at the gate are answered `cancelled` without running.
//! * Everything the host reports flows through one bounded channel of [`Emit`]s, in
//!   order: outputs, events, and finally each execution's result, which the consumer (the
//!   LSP forwarder or `asyncell run`) hands back to the waiting caller after delivering
//!   every output before it. A slow consumer fills the channel, the reader stops reading,
//!   the pipe fills and the host's writers block: memory stays bounded end to end.
//!   Replies keep at most `reply_cap` bytes of outputs (errors are always kept).
//! * A host that dies (exit code or signal) fails its executions with a `HostDied` error,
//!   emits `hostExited`, and the next execution starts a fresh one.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout};
use tokio::sync::{mpsc, oneshot, watch};

use super::embed;
use super::host_copy::{self, HostCopy};
use super::interpreter::Interpreter;
use super::lines::{quote_prefix, read_line_max, skip_line, Line};
use super::protocol::{Command, Event, ExecStatus, FatalReason, TaskChange};
use super::status::{CopyKind, HostCopyInfo, HostPhase, HostStatus, InterpreterInfo};

/// How long a new host may take to say `hello` (ssh logins and cold imports are slow).
const HELLO_TIMEOUT: Duration = Duration::from_secs(60);
/// The host's interrupt grace period (it answers `stuck` after it), passed as `--grace`.
pub const INTERRUPT_GRACE: Duration = Duration::from_secs(5);
/// Capacity of the [`Emit`] channel. Each stream output is at most 64 KiB of text.
pub const EMIT_CAPACITY: usize = 16;
/// Lines of host stderr kept to explain a failed start or a crash.
const STDERR_TAIL_LINES: usize = 20;
/// Bytes of one host stderr line kept (logged, and in the tail); the rest is skipped.
const STDERR_LINE_MAX: usize = 8 << 10;
/// What the interpreter may write to stdout before the host's `hello` (ssh banners,
/// sitecustomize prints): bytes, and lines that are not the hello. More means the argv
/// does not run the host (`cat /dev/zero`), and the start fails instead of buffering.
const PRE_HELLO_BYTES: usize = 1 << 20;
const PRE_HELLO_LINES: usize = 1000;
/// The largest protocol frame the supervisor reads from a host (one JSON line). Stream
/// frames are at most 64 KiB of text; only rich outputs (images, HTML) come close.
pub const MAX_FRAME: usize = 64 << 20;
/// Bytes of unexpected output quoted in an error message.
const QUOTED_PREFIX: usize = 32;

/// The event loop a host runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LoopKind {
    Trio,
    Asyncio,
}

impl LoopKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LoopKind::Trio => "trio",
            LoopKind::Asyncio => "asyncio",
        }
    }
}

/// How to start a document's host.
#[derive(Clone, Debug)]
pub struct HostSpec {
    /// The interpreter (`["python3"]`, `["ssh", "box", "python3"]`) and where it came
    /// from, to name it in `asyncell/status` and in start-up failures.
    pub interpreter: Interpreter,
    pub loop_kind: LoopKind,
    /// Working directory of the host (the document's directory).
    pub cwd: Option<PathBuf>,
}

impl HostSpec {
    /// Whether the interpreter runs on another machine or in a container, where the
    /// extracted host files don't exist: then the host is bootstrapped over stdin.
    pub fn is_remote(&self) -> bool {
        remote_wrapper(self.argv()).is_some()
    }

    pub fn argv(&self) -> &[String] {
        &self.interpreter.argv
    }
}

/// `asyncell/status`'s `interpreter`: the argv and where it came from.
fn interpreter_info(spec: &HostSpec) -> InterpreterInfo {
    InterpreterInfo {
        argv: spec.argv().to_vec(),
        source: spec.interpreter.source,
    }
}

/// `asyncell/status`'s `host` for a host not yet started: which copy it would run,
/// found without extracting anything.
fn preview_copy(spec: &HostSpec) -> HostCopyInfo {
    if spec.is_remote() {
        return HostCopyInfo {
            copy: CopyKind::Remote,
            path: None,
        };
    }
    match host_copy::installed_package(spec.argv()) {
        Ok(package) => HostCopyInfo {
            copy: CopyKind::Installed,
            path: Some(package.display().to_string()),
        },
        Err(_) => HostCopyInfo {
            copy: CopyKind::Embedded,
            path: None,
        },
    }
}

/// The wrapper program of a remote argv: `ssh`, `docker`, `podman`, `kubectl`.
/// `text` as one word for a POSIX shell (ssh hands its arguments to the remote shell).
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

fn remote_wrapper(argv: &[String]) -> Option<&'static str> {
    let program = argv.first()?;
    let name = std::path::Path::new(program).file_name()?.to_str()?;
    ["ssh", "docker", "podman", "kubectl"]
        .into_iter()
        .find(|wrapper| *wrapper == name)
}

/// The answer to an execution.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExecResult {
    pub execution_id: String,
    /// Null when the code never ran (the host could not start, the execution was dropped).
    pub execution_count: Option<u64>,
    pub status: ExecStatus,
    /// Every output (up to the reply cap, 1 MiB by default); clients that showed the
    /// streamed `asyncell/output`s can ignore these.
    #[schemars(with = "Vec<super::protocol::NbOutput>")]
    pub outputs: Vec<Value>,
    pub duration_ms: f64,
}

impl ExecResult {
    /// An execution that ended before or without running its code: one error output.
    pub fn failed(
        execution_id: String,
        status: ExecStatus,
        ename: &str,
        evalue: String,
        details: Vec<String>,
    ) -> ExecResult {
        let mut traceback = vec![format!("{ename}: {evalue}")];
        traceback.extend(details);
        ExecResult {
            execution_id,
            execution_count: None,
            status,
            outputs: vec![
                json!({"output_type": "error", "ename": ename, "evalue": evalue, "traceback": traceback}),
            ],
            duration_ms: 0.0,
        }
    }

    /// The first error output, as `ename: evalue`.
    /// Why the host could not start, when that is what ended this execution.
    pub fn start_failure(&self) -> Option<String> {
        self.outputs
            .iter()
            .find(|o| o["output_type"] == "error" && o["ename"] == START_FAILED)
            .map(|o| o["evalue"].as_str().unwrap_or_default().to_string())
    }

    pub fn error_summary(&self) -> Option<String> {
        self.outputs
            .iter()
            .find(|o| o["output_type"] == "error")
            .map(|o| {
                let ename = o["ename"].as_str().unwrap_or("Error");
                match o["evalue"].as_str() {
                    Some(evalue) if !evalue.is_empty() => format!("{ename}: {evalue}"),
                    _ => ename.to_string(),
                }
            })
    }
}

/// The `ename` of the error output of an execution whose host could not start.
pub const START_FAILED: &str = "HostStartFailed";

/// A question about a host's live namespace (`asyncell/complete`, `asyncell/inspect`,
/// `asyncell/variables`). `cursor` counts characters (code points) into `code`, as
/// Jupyter's `cursor_pos` does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Query {
    Complete {
        code: String,
        cursor: usize,
    },
    Inspect {
        code: String,
        cursor: usize,
        /// 0: signature, type, docstring and repr; 1: the source too (`obj??`).
        #[serde(default)]
        detail: u8,
    },
    Variables {
        #[serde(default)]
        offset: usize,
        #[serde(default = "default_page")]
        limit: usize,
    },
}

fn default_page() -> usize {
    100
}

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

/// What the supervisor reports to its consumer, in the order it happened.
pub enum Emit {
    Output {
        doc: Arc<str>,
        execution_id: String,
        task_id: Option<String>,
        output: Value,
    },
    Event(HostEvent),
    /// An execution finished: deliver everything before this, then send `result` on
    /// `reply`. `streamed` says whether any output of it was emitted.
    Finished {
        doc: Arc<str>,
        streamed: bool,
        result: ExecResult,
        reply: oneshot::Sender<ExecResult>,
    },
}

/// How an interrupt took effect: what the host answered (`cancelled`,
/// `keyboard_interrupt`, `stuck`, `dropped`), or what the supervisor found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InterruptHow {
    /// An await of the running cell was cancelled.
    Cancelled,
    /// KeyboardInterrupt was raised into running code.
    KeyboardInterrupt,
    /// The cell did not stop within the grace period.
    Stuck,
    /// The execution was dropped from the queue before it started.
    Dropped,
    NotRunning,
    NoHost,
    HostDied,
}

impl InterruptHow {
    pub fn as_str(self) -> &'static str {
        match self {
            InterruptHow::Cancelled => "cancelled",
            InterruptHow::KeyboardInterrupt => "keyboard_interrupt",
            InterruptHow::Stuck => "stuck",
            InterruptHow::Dropped => "dropped",
            InterruptHow::NotRunning => "not_running",
            InterruptHow::NoHost => "no_host",
            InterruptHow::HostDied => "host_died",
        }
    }
}

/// What an interrupt did.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InterruptOutcome {
    /// Whether the running cell was stopped.
    pub interrupted: bool,
    pub how: InterruptHow,
    pub execution_id: Option<String>,
    /// Queued executions dropped (answered `cancelled`).
    pub dropped: usize,
    pub restart_suggested: bool,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Options {
    /// Bytes of outputs kept in one execution's reply.
    pub reply_cap: usize,
    /// Passed to the host as `--grace`.
    pub grace: Duration,
    /// The largest host frame read; a longer one is skipped with a note (see [`MAX_FRAME`]).
    pub max_frame: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            reply_cap: 1 << 20,
            grace: INTERRUPT_GRACE,
            max_frame: MAX_FRAME,
        }
    }
}

/// Hosts of every document. Cheap to clone.
#[derive(Clone)]
pub struct Supervisor {
    inner: Arc<Inner>,
}

struct Inner {
    docs: Mutex<HashMap<Arc<str>, Arc<DocSlot>>>,
    emit: mpsc::Sender<Emit>,
    options: Options,
    ids: AtomicU64,
}

struct DocSlot {
    key: Arc<str>,
    /// Taken to start a host and submit an execution, so submissions are FIFO.
    gate: tokio::sync::Mutex<()>,
    /// Bumped by interrupt/restart/shutdown: executions waiting at the gate are dropped.
    epoch: AtomicU64,
    state: Mutex<SlotState>,
}

#[derive(Default)]
struct SlotState {
    host: Option<Arc<Host>>,
    starting: Option<HostSpec>,
    /// Why the last host went away unexpectedly (the document's state is `dead`).
    last_exit: Option<String>,
}

struct Hello {
    python: String,
    version: String,
    /// The host's own pid: through a wrapper (`ssh`, `docker exec`) not the one we spawned.
    pid: Option<u32>,
    /// The directory the host runs in, and whether it is the document's own: a remote
    /// host `cd`s there when the path exists on its side.
    cwd: Option<String>,
    cwd_is_documents: bool,
}

struct Host {
    doc: Arc<str>,
    slot: Weak<DocSlot>,
    pid: u32,
    spec: HostSpec,
    /// The host package it runs.
    copy: HostCopy,
    hello: OnceLock<Hello>,
    stdin: tokio::sync::Mutex<Option<ChildStdin>>,
    state: Mutex<HostState>,
    /// `Some(description)` once the process is gone and its executions are answered.
    exited: watch::Receiver<Option<String>>,
    /// Why we stopped it on purpose (restart, shutdown), if we did.
    stop_reason: Mutex<Option<String>>,
    count: AtomicU64,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
}

#[derive(Default)]
struct HostState {
    alive: bool,
    in_flight: VecDeque<InFlight>,
    running: Option<String>,
    tasks: Vec<Value>,
    interrupt_waiters: HashMap<String, Vec<oneshot::Sender<InterruptHow>>>,
    requests: HashMap<u64, oneshot::Sender<Value>>,
    next_request: u64,
}

impl HostState {
    /// The execution the host runs: the one it said started, else the first sent (it
    /// starts as soon as the host reads it).
    fn running_id(&self) -> Option<String> {
        self.running
            .clone()
            .or_else(|| self.in_flight.front().map(|f| f.id.clone()))
    }
}

struct InFlight {
    id: String,
    count: u64,
    outputs: Vec<Value>,
    kept: usize,
    dropped_bytes: usize,
    dropped_outputs: usize,
    streamed: bool,
    done: oneshot::Sender<ExecResult>,
}

impl Supervisor {
    /// A supervisor reporting to `emit` (see [`Emit`]); create the channel with
    /// [`EMIT_CAPACITY`]. Must be called inside a tokio runtime.
    pub fn new(emit: mpsc::Sender<Emit>, options: Options) -> Supervisor {
        Supervisor {
            inner: Arc::new(Inner {
                docs: Mutex::new(HashMap::new()),
                emit,
                options,
                ids: AtomicU64::new(1),
            }),
        }
    }

    fn slot(&self, doc: &str) -> Arc<DocSlot> {
        let mut docs = lock(&self.inner.docs);
        if let Some(slot) = docs.get(doc) {
            return slot.clone();
        }
        let key: Arc<str> = Arc::from(doc);
        let slot = Arc::new(DocSlot {
            key: key.clone(),
            gate: tokio::sync::Mutex::new(()),
            epoch: AtomicU64::new(0),
            state: Mutex::new(SlotState::default()),
        });
        docs.insert(key, slot.clone());
        slot
    }

    fn existing_slot(&self, doc: &str) -> Option<Arc<DocSlot>> {
        lock(&self.inner.docs).get(doc).cloned()
    }

    /// A fresh execution id.
    pub fn next_execution_id(&self) -> String {
        format!("e{}", self.inner.ids.fetch_add(1, Ordering::Relaxed))
    }

    /// Runs `code` on the document's host (starting it with `spec` if none runs) and
    /// waits for the result. `Err` only for a duplicate execution id.
    pub async fn execute(
        &self,
        doc: &str,
        spec: &HostSpec,
        code: String,
        execution_id: Option<String>,
    ) -> Result<ExecResult, String> {
        let slot = self.slot(doc);
        let id = execution_id.unwrap_or_else(|| self.next_execution_id());
        let epoch = slot.epoch.load(Ordering::SeqCst);
        let gate = slot.gate.lock().await;
        if slot.epoch.load(Ordering::SeqCst) != epoch {
            return Ok(cancelled_before_start(id));
        }
        let host = match self.ensure_host(&slot, spec).await {
            Ok(host) => host,
            Err(message) => {
                return Ok(ExecResult::failed(
                    id,
                    ExecStatus::Error,
                    START_FAILED,
                    message,
                    Vec::new(),
                ));
            }
        };
        if slot.epoch.load(Ordering::SeqCst) != epoch {
            return Ok(cancelled_before_start(id)); // interrupted while the host started
        }
        let receiver = host.submit(&id, code).await?;
        drop(gate);
        Ok(match receiver.await {
            Ok(result) => result,
            Err(_) => ExecResult::failed(
                id,
                ExecStatus::Error,
                "HostDied",
                "the host went away without answering".into(),
                Vec::new(),
            ),
        })
    }

    /// Interrupts the document's running execution and drops its queued ones.
    pub async fn interrupt(&self, doc: &str) -> InterruptOutcome {
        let Some(slot) = self.existing_slot(doc) else {
            return self.outcome(InterruptHow::NoHost, None, 0);
        };
        slot.epoch.fetch_add(1, Ordering::SeqCst);
        let Some(host) = slot.live_host() else {
            return self.outcome(InterruptHow::NoHost, None, 0);
        };
        let (running, queued) = {
            let state = lock(&host.state);
            let running = state.running_id();
            let queued: Vec<String> = state
                .in_flight
                .iter()
                .map(|f| f.id.clone())
                .filter(|id| Some(id) != running.as_ref())
                .collect();
            (running, queued)
        };
        // Drop the queue first, so nothing starts after the running cell is stopped.
        for id in queued.iter().rev() {
            host.send(&Command::Interrupt { id }).await;
        }
        let Some(running) = running else {
            return self.outcome(InterruptHow::NotRunning, None, queued.len());
        };
        self.interrupt_running(&host, running, queued.len()).await
    }

    /// Interrupts one execution (LSP `$/cancelRequest` of its `asyncell/execute`): stops
    /// it if it runs, drops it if it waits in the host's queue; others go on.
    pub async fn interrupt_execution(&self, doc: &str, id: &str) -> InterruptOutcome {
        let Some(host) = self.existing_slot(doc).and_then(|slot| slot.live_host()) else {
            return self.outcome(InterruptHow::NoHost, None, 0);
        };
        let (running, queued) = {
            let state = lock(&host.state);
            (
                state.running_id(),
                state.in_flight.iter().any(|f| f.id == id),
            )
        };
        if running.as_deref() == Some(id) {
            return self.interrupt_running(&host, id.to_string(), 0).await;
        }
        if queued {
            host.send(&Command::Interrupt { id }).await;
        }
        self.outcome(InterruptHow::NotRunning, None, usize::from(queued))
    }

    /// Interrupts the running execution `running` and waits for what that did.
    async fn interrupt_running(
        &self,
        host: &Host,
        running: String,
        dropped: usize,
    ) -> InterruptOutcome {
        let (sender, receiver) = oneshot::channel();
        lock(&host.state)
            .interrupt_waiters
            .entry(running.clone())
            .or_default()
            .push(sender);
        host.send(&Command::Interrupt { id: &running }).await;
        let grace = self.inner.options.grace;
        let how = match tokio::time::timeout(grace + Duration::from_secs(3), receiver).await {
            Ok(Ok(how)) => how,
            Ok(Err(_)) => InterruptHow::HostDied,
            Err(_) => InterruptHow::Stuck,
        };
        self.outcome(how, Some(running), dropped)
    }

    /// Stops the document's host (if any) and starts a fresh one; returns its pid.
    pub async fn restart(&self, doc: &str, spec: &HostSpec) -> Result<u32, String> {
        let slot = self.slot(doc);
        slot.epoch.fetch_add(1, Ordering::SeqCst);
        let _gate = slot.gate.lock().await;
        let old = lock(&slot.state).host.take();
        if let Some(old) = old {
            old.stop("the host was restarted (asyncell/restart)").await;
        }
        lock(&slot.state).last_exit = None;
        self.ensure_host(&slot, spec).await.map(|host| host.pid)
    }

    /// Stops the document's host; whether one was running.
    pub async fn shutdown(&self, doc: &str) -> bool {
        let Some(slot) = self.existing_slot(doc) else {
            return false;
        };
        slot.epoch.fetch_add(1, Ordering::SeqCst);
        let _gate = slot.gate.lock().await;
        let old = {
            let mut state = lock(&slot.state);
            state.last_exit = None;
            state.host.take()
        };
        match old {
            Some(host) => {
                host.stop("the host was shut down (asyncell/shutdown)")
                    .await;
                true
            }
            None => false,
        }
    }

    /// Kills the document's host at once, without waiting for its running cell (a third
    /// Ctrl-C in `asyncell run`); the running execution then ends as the host's death.
    pub fn kill(&self, doc: &str, reason: &str) -> bool {
        let Some(host) = self.existing_slot(doc).and_then(|slot| slot.live_host()) else {
            return false;
        };
        *lock(&host.stop_reason) = Some(reason.to_string());
        kill_group(host.pid);
        true
    }

    /// Stops every host (LSP `shutdown`, end of `asyncell run`).
    pub async fn shutdown_all(&self) {
        let docs: Vec<Arc<str>> = lock(&self.inner.docs).keys().cloned().collect();
        // Concurrently: each stop kills first, then waits for its reader.
        let stops: Vec<_> = docs
            .into_iter()
            .map(|doc| {
                let supervisor = self.clone();
                tokio::spawn(async move { supervisor.shutdown(&doc).await })
            })
            .collect();
        for stop in stops {
            let _ = stop.await;
        }
    }

    /// The document's host status (`asyncell/status`); `spec` fills in the loop and
    /// python a new host would use when none runs.
    pub fn status(&self, doc: &str, spec: Option<&HostSpec>) -> HostStatus {
        let slot = self.existing_slot(doc);
        let (host, starting, last_exit) = match &slot {
            Some(slot) => {
                let state = lock(&slot.state);
                (
                    state.host.clone(),
                    state.starting.clone(),
                    state.last_exit.clone(),
                )
            }
            None => (None, None, None),
        };
        if let Some(host) = host.filter(|h| h.exited.borrow().is_none()) {
            let state = lock(&host.state);
            let hello = host.hello.get();
            return HostStatus {
                state: if state.in_flight.is_empty() {
                    HostPhase::Idle
                } else {
                    HostPhase::Busy
                },
                loop_kind: Some(host.spec.loop_kind),
                python: Some(
                    hello.map_or_else(|| host.spec.argv().join(" "), |h| h.python.clone()),
                ),
                python_version: hello.map(|h| h.version.clone()),
                interpreter: Some(interpreter_info(&host.spec)),
                host: Some(HostCopyInfo {
                    copy: host.copy.kind(),
                    path: host.copy.path().map(|p| p.display().to_string()),
                }),
                // The host's own pid (through `ssh` or `docker exec`, not the wrapper's),
                // and the process we started, which is what a signal reaches.
                pid: Some(hello.and_then(|h| h.pid).unwrap_or(host.pid)),
                process_pid: Some(host.pid),
                cwd: hello.and_then(|h| h.cwd.clone()),
                execution_count: host.count.load(Ordering::SeqCst),
                execution_id: state.running_id(),
                queued: state.in_flight.len().saturating_sub(1),
                tasks: state
                    .tasks
                    .iter()
                    .filter_map(|task| serde_json::from_value(task.clone()).ok())
                    .collect(),
                last_exit: None,
            };
        }
        let (state, spec) = match (&starting, &last_exit) {
            (Some(starting), _) => (HostPhase::Starting, Some(starting)),
            (None, Some(_)) => (HostPhase::Dead, spec),
            (None, None) => (HostPhase::None, spec),
        };
        HostStatus {
            state,
            loop_kind: spec.map(|s| s.loop_kind),
            python: spec.map(|s| s.argv().join(" ")),
            python_version: None,
            interpreter: spec.map(interpreter_info),
            host: spec.map(preview_copy),
            pid: None,
            process_pid: None,
            cwd: None,
            execution_count: 0,
            execution_id: None,
            queued: 0,
            tasks: Vec::new(),
            last_exit,
        }
    }

    /// Cancels one background task of the document's host.
    pub async fn cancel_task(&self, doc: &str, task_id: &str) -> Result<bool, String> {
        let host = self
            .existing_slot(doc)
            .and_then(|slot| slot.live_host())
            .ok_or_else(|| {
                "no host is running for this document: there are no tasks to cancel".to_string()
            })?;
        let reply = host
            .request(|req| Command::CancelTask { req, task: task_id })
            .await?;
        Ok(reply["cancelled"].as_bool().unwrap_or(false))
    }

    /// Asks the document's live host a question about its namespace (completion,
    /// inspection, the variables view), answered even while a cell runs.
    pub async fn query(&self, doc: &str, question: &Query) -> Result<Value, String> {
        let host = self
            .existing_slot(doc)
            .and_then(|slot| slot.live_host())
            .ok_or_else(|| {
                "no host is running for this document: run a cell first, then ask again".to_string()
            })?;
        let mut reply = host
            .request(|req| Command::Query {
                req,
                query: question,
            })
            .await?;
        if let Some(error) = reply.get("error").and_then(Value::as_str) {
            return Err(format!("the host could not answer: {error}"));
        }
        if let Some(fields) = reply.as_object_mut() {
            fields.remove("ev");
            fields.remove("req");
        }
        Ok(reply)
    }

    /// Makes sure the document has a live host (call with the gate held).
    async fn ensure_host(&self, slot: &Arc<DocSlot>, spec: &HostSpec) -> Result<Arc<Host>, String> {
        if let Some(host) = slot.live_host() {
            return Ok(host);
        }
        lock(&slot.state).starting = Some(spec.clone());
        let started = start_host(&self.inner, slot, spec).await;
        let message = {
            let mut state = lock(&slot.state);
            state.starting = None;
            match started {
                Ok(host) => {
                    state.host = Some(host.clone());
                    state.last_exit = None;
                    return Ok(host);
                }
                Err(message) => {
                    state.last_exit = Some(message.clone());
                    message
                }
            }
        };
        // A host that never started is a host that exited, to every consumer: the editor
        // shows why, as it does for one that died.
        emit(
            &self.inner,
            Emit::Event(HostEvent {
                doc: slot.key.clone(),
                kind: EventKind::HostExited,
                stopped: false,
                task_id: None,
                message: format!("the host could not start: {message}"),
                traceback: None,
                pid: None,
            }),
        )
        .await;
        Err(message)
    }
}

fn cancelled_before_start(id: String) -> ExecResult {
    ExecResult {
        execution_id: id,
        execution_count: None,
        status: ExecStatus::Cancelled,
        outputs: vec![json!({
            "output_type": "error",
            "ename": "KeyboardInterrupt",
            "evalue": "dropped from the queue by an interrupt before it started",
            "traceback": ["KeyboardInterrupt: dropped from the queue by an interrupt before it started"],
        })],
        duration_ms: 0.0,
    }
}

impl Supervisor {
    /// The outcome of an interrupt, with the message the user reads.
    fn outcome(
        &self,
        how: InterruptHow,
        execution_id: Option<String>,
        dropped: usize,
    ) -> InterruptOutcome {
        let message = match how {
            InterruptHow::Cancelled => {
                "cancelled the running cell while it was awaiting".to_string()
            }
            InterruptHow::KeyboardInterrupt => {
                "raised KeyboardInterrupt in the running cell".to_string()
            }
            InterruptHow::Stuck => format!(
                "the running cell did not stop within {} s (a thread, C code or a shielded \
                 await?); restart the host (asyncell/restart) to get control back",
                self.inner.options.grace.as_secs_f64()
            ),
            InterruptHow::NotRunning => "nothing was running".to_string(),
            InterruptHow::Dropped => "stopped the next execution before it started".to_string(),
            InterruptHow::HostDied => "the host died while being interrupted".to_string(),
            InterruptHow::NoHost => "no host is running for this document".to_string(),
        };
        let message = if dropped > 0 {
            format!("{message}; dropped {dropped} queued execution(s)")
        } else {
            message
        };
        InterruptOutcome {
            interrupted: matches!(
                how,
                InterruptHow::Cancelled | InterruptHow::KeyboardInterrupt | InterruptHow::Dropped
            ),
            how,
            execution_id,
            dropped,
            restart_suggested: how == InterruptHow::Stuck,
            message,
        }
    }
}

impl DocSlot {
    fn live_host(&self) -> Option<Arc<Host>> {
        let state = lock(&self.state);
        state.host.clone().filter(|host| lock(&host.state).alive)
    }
}

impl Host {
    /// Registers an execution and sends it; the receiver gets its result.
    async fn submit(
        &self,
        id: &str,
        code: String,
    ) -> Result<oneshot::Receiver<ExecResult>, String> {
        let (sender, receiver) = oneshot::channel();
        let count = {
            let mut state = lock(&self.state);
            if state.in_flight.iter().any(|f| f.id == id) {
                return Err(format!("execution id `{id}` is already in use by a running or queued execution; omit executionId to get a fresh one"));
            }
            if !state.alive {
                let _ = sender.send(ExecResult::failed(
                    id.into(),
                    ExecStatus::Error,
                    "HostDied",
                    "the host died before this cell was sent".into(),
                    Vec::new(),
                ));
                return Ok(receiver);
            }
            let count = self.count.fetch_add(1, Ordering::SeqCst) + 1;
            state.in_flight.push_back(InFlight {
                id: id.to_string(),
                count,
                outputs: Vec::new(),
                kept: 0,
                dropped_bytes: 0,
                dropped_outputs: 0,
                streamed: false,
                done: sender,
            });
            count
        };
        // If this write fails the host is dying; the reader answers the execution.
        self.send(&Command::Execute {
            id,
            code: &code,
            count,
        })
        .await;
        Ok(receiver)
    }

    /// Writes one command line. Errors mean the host is gone; its reader handles that.
    async fn send(&self, command: &Command<'_>) {
        let Ok(mut line) = serde_json::to_string(command) else {
            return; // plain data: serialising cannot fail
        };
        line.push('\n');
        tracing::trace!(
            "host {} <- {}",
            self.pid,
            line.chars().take(300).collect::<String>().trim_end()
        );
        let mut stdin = self.stdin.lock().await;
        if let Some(pipe) = stdin.as_mut() {
            let written = async {
                pipe.write_all(line.as_bytes()).await?;
                pipe.flush().await
            };
            if let Err(error) = written.await {
                tracing::debug!("host {}: cannot write a command: {error}", self.pid);
                *stdin = None;
            }
        }
    }

    /// Sends a command with a `req` number and waits for its `reply`.
    /// Sends the command `build` makes with a fresh request number, and waits (bounded)
    /// for the host's `reply` to it: the reply's own fields.
    async fn request<'c>(&self, build: impl FnOnce(u64) -> Command<'c>) -> Result<Value, String> {
        let (sender, receiver) = oneshot::channel();
        let req = {
            let mut state = lock(&self.state);
            state.next_request += 1;
            let req = state.next_request;
            state.requests.insert(req, sender);
            req
        };
        self.send(&build(req)).await;
        match tokio::time::timeout(Duration::from_secs(5), receiver).await {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(_)) => Err("the host exited before answering".into()),
            Err(_) => {
                lock(&self.state).requests.remove(&req);
                Err("the host did not answer within 5 s (is the loop blocked?)".into())
            }
        }
    }

    /// Kills the host's process group and waits until its executions are answered.
    async fn stop(&self, reason: &str) {
        *lock(&self.stop_reason) = Some(reason.to_string());
        kill_group(self.pid);
        let mut exited = self.exited.clone();
        let _ =
            tokio::time::timeout(Duration::from_secs(3), exited.wait_for(Option::is_some)).await;
    }

    fn stderr_tail(&self) -> Vec<String> {
        lock(&self.stderr_tail).iter().cloned().collect()
    }
}

/// Spawns a host, waits for its `hello`, and starts its reader.
async fn start_host(
    inner: &Arc<Inner>,
    slot: &Arc<DocSlot>,
    spec: &HostSpec,
) -> Result<Arc<Host>, String> {
    let remote = remote_wrapper(spec.argv());
    let mut argv = spec.argv().to_vec();
    if argv.is_empty() {
        return Err("the `python` setting is empty".into());
    }
    let copy = match remote {
        None => host_copy::for_local(spec.argv())?,
        Some(_) => HostCopy::Remote,
    };
    let mut launch = copy.launch_args();
    if remote == Some("ssh") {
        // ssh joins its arguments into one remote shell command: quote the code.
        if let Some(code) = launch.last_mut() {
            *code = format!("'{code}'");
        }
    }
    argv.extend(launch);
    argv.extend([
        "--loop".into(),
        spec.loop_kind.as_str().into(),
        "--grace".into(),
        format!("{}", inner.options.grace.as_secs_f64()),
    ]);
    // A local host is spawned in the document's directory; a remote one would start in
    // the remote home, so it is asked to `cd` there (when that path exists on its side).
    if let (Some(wrapper), Some(cwd)) = (remote, spec.cwd.as_ref()) {
        let cwd = cwd.to_string_lossy().into_owned();
        argv.push("--cwd".into());
        argv.push(if wrapper == "ssh" {
            shell_quote(&cwd)
        } else {
            cwd
        });
    }
    let shown = spec.argv().join(" ");
    let mut child = spawn_process(argv, spec.cwd.clone()).await.map_err(|error| {
        format!("cannot start the host with `{shown}`: {error}; set `python` in your editor settings (or pass `--python` to `asyncell run`) to a Python interpreter")
    })?;
    let pid = child.id().unwrap_or(0);
    let mut stdin = child.stdin.take();
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    if remote.is_some() {
        if let Some(pipe) = stdin.as_mut() {
            let _ = pipe.write_all(&embed::bootstrap_payload()).await;
            let _ = pipe.flush().await;
        }
    }
    let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
    tokio::spawn(read_stderr(stderr, pid, stderr_tail.clone()));

    let (exited_tx, exited_rx) = watch::channel(None);
    let host = Arc::new(Host {
        doc: slot.key.clone(),
        slot: Arc::downgrade(slot),
        pid,
        spec: spec.clone(),
        copy,
        hello: OnceLock::new(),
        stdin: tokio::sync::Mutex::new(stdin),
        state: Mutex::new(HostState {
            alive: true,
            ..HostState::default()
        }),
        exited: exited_rx,
        stop_reason: Mutex::new(None),
        count: AtomicU64::new(0),
        stderr_tail,
    });
    let (hello_tx, hello_rx) = oneshot::channel();
    tokio::spawn(read_host(
        inner.clone(),
        host.clone(),
        stdout,
        child,
        hello_tx,
        exited_tx,
    ));
    let hello = match tokio::time::timeout(HELLO_TIMEOUT, hello_rx).await {
        Ok(Ok(hello)) => hello,
        Ok(Err(_)) => Err("the host exited during start-up".to_string()),
        Err(_) => {
            host.stop("start-up timed out").await;
            Err(format!(
                "the host started with `{shown}` did not say hello within {} s",
                HELLO_TIMEOUT.as_secs()
            ))
        }
    };
    match hello {
        Ok(()) => {
            let hello = host.hello.get();
            let host_pid = hello.and_then(|h| h.pid).unwrap_or(pid);
            let mut message = format!(
                "started the {} host (pid {host_pid}, {} {})",
                spec.loop_kind.as_str(),
                hello.map_or("python", |h| h.python.as_str()),
                hello.map_or("", |h| h.version.split_whitespace().next().unwrap_or("")),
            );
            // A remote host whose side has no such directory runs where it started: say so,
            // since relative paths in cells mean something else there.
            if let Some(hello) = hello.filter(|h| !h.cwd_is_documents) {
                if let (Some(cwd), Some(wanted)) = (&hello.cwd, &spec.cwd) {
                    message.push_str(&format!(
                        "; cells run in {cwd}: {} does not exist on the host's side",
                        wanted.display()
                    ));
                }
            }
            emit(
                inner,
                Emit::Event(HostEvent {
                    doc: slot.key.clone(),
                    kind: EventKind::HostStarted,
                    stopped: false,
                    task_id: None,
                    message,
                    traceback: None,
                    pid: Some(host_pid),
                }),
            )
            .await;
            Ok(host)
        }
        Err(message) => {
            // Wait for the reader to finish so the stderr tail is complete.
            let mut exited = host.exited.clone();
            let _ = tokio::time::timeout(Duration::from_secs(2), exited.wait_for(Option::is_some))
                .await;
            kill_group(pid);
            let tail = host.stderr_tail();
            if tail.is_empty() {
                Err(format!("{message} (started with `{shown}`)"))
            } else {
                Err(format!(
                    "{message} (started with `{shown}`); its stderr ended with:\n{}",
                    tail.join("\n")
                ))
            }
        }
    }
}

async fn emit(inner: &Inner, message: Emit) {
    // If nobody consumes any more (shutting down), still answer waiting callers.
    if let Err(mpsc::error::SendError(Emit::Finished { result, reply, .. })) =
        inner.emit.send(message).await
    {
        let _ = reply.send(result);
    }
}

/// What the interpreter wrote to stdout before the host's hello.
#[derive(Default)]
struct BeforeHello {
    bytes: usize,
    /// Lines that were not the hello (noise).
    lines: usize,
    /// The start of the first noise, quoted if the start fails.
    first: Vec<u8>,
}

impl BeforeHello {
    fn noise(&mut self, line: &[u8]) {
        self.lines += 1;
        if self.first.is_empty() {
            self.first = line[..line.len().min(QUOTED_PREFIX + 1)].to_vec();
        }
    }
}

/// Fails a start that cannot succeed and kills the process, instead of reading on.
fn fail_start(
    host: &Host,
    hello_tx: &mut Option<oneshot::Sender<Result<(), String>>>,
    message: String,
) {
    tracing::debug!("host {}: {message}", host.pid);
    if let Some(hello_tx) = hello_tx.take() {
        let _ = hello_tx.send(Err(message));
    }
    kill_group(host.pid);
}

/// A frame longer than [`Options::max_frame`] was skipped: tell the execution it
/// belonged to (frames start `{"ev":"output","id":"e3",...`), else just log it.
async fn dropped_frame(inner: &Arc<Inner>, host: &Arc<Host>, prefix: &[u8], size: u64) {
    let note = format!(
        "\n[asyncell: an output of {} was dropped: one output may be at most {}]\n",
        human_bytes(usize::try_from(size).unwrap_or(usize::MAX)),
        human_bytes(inner.options.max_frame),
    );
    tracing::warn!(
        "host {}: skipped a frame of {size} bytes (more than {}), starting {}",
        host.pid,
        inner.options.max_frame,
        quote_prefix(prefix, 80)
    );
    let Some(id) = frame_execution_id(prefix) else {
        return;
    };
    let output = json!({"output_type": "stream", "name": "stderr", "text": note});
    forward_output(inner, host, id, None, output).await;
}

/// An output of execution `id` (or of a background task it started): kept for the
/// execution's reply while it runs, and forwarded to the front end either way.
async fn forward_output(
    inner: &Arc<Inner>,
    host: &Arc<Host>,
    id: String,
    task_id: Option<String>,
    output: Value,
) {
    {
        let mut state = lock(&host.state);
        if let Some(flight) = state.in_flight.iter_mut().find(|f| f.id == id) {
            flight.streamed = true;
            keep_output(flight, &output, inner.options.reply_cap);
        }
    }
    emit(
        inner,
        Emit::Output {
            doc: host.doc.clone(),
            execution_id: id,
            task_id,
            output,
        },
    )
    .await;
}

/// The execution id of an output frame, from its first bytes (`{"ev":"output","id":"e3"`).
fn frame_execution_id(prefix: &[u8]) -> Option<String> {
    let head = &prefix[..prefix.len().min(256)];
    let start = memchr::memmem::find(head, br#""id":""#)? + 6;
    let length = memchr::memchr(b'"', &head[start..])?;
    let id = std::str::from_utf8(&head[start..start + length]).ok()?;
    (!id.contains('\\')).then(|| id.to_string())
}

/// Reads the host's stdout until EOF, then reaps it and answers whatever was in flight.
async fn read_host(
    inner: Arc<Inner>,
    host: Arc<Host>,
    stdout: ChildStdout,
    mut child: Child,
    hello_tx: oneshot::Sender<Result<(), String>>,
    exited_tx: watch::Sender<Option<String>>,
) {
    let mut hello_tx = Some(hello_tx);
    let mut reader = BufReader::with_capacity(1 << 18, stdout);
    let mut line = Vec::new();
    let mut before_hello = BeforeHello::default();
    loop {
        let waiting = hello_tx.is_some();
        let max = if waiting {
            PRE_HELLO_BYTES.saturating_sub(before_hello.bytes)
        } else {
            inner.options.max_frame
        };
        match read_line_max(&mut reader, &mut line, max).await {
            Ok(Line::Eof) => break,
            Ok(Line::Complete) => {}
            Ok(Line::TooLong) if waiting => {
                before_hello.noise(&line);
                let message = format!(
                    "the interpreter wrote more than {} to stdout without the host saying hello \
                     (it began with {}); the `python` setting must name a Python interpreter",
                    human_bytes(PRE_HELLO_BYTES),
                    quote_prefix(&before_hello.first, QUOTED_PREFIX),
                );
                fail_start(&host, &mut hello_tx, message);
                break;
            }
            Ok(Line::TooLong) => {
                let prefix = std::mem::take(&mut line);
                match skip_line(&mut reader).await {
                    Ok(rest) => {
                        dropped_frame(&inner, &host, &prefix, prefix.len() as u64 + rest).await
                    }
                    Err(_) => break,
                }
                continue;
            }
            Err(error) => {
                tracing::warn!("host {}: reading stdout failed: {error}", host.pid);
                break;
            }
        }
        if waiting {
            before_hello.bytes += line.len();
        }
        if tracing::enabled!(tracing::Level::TRACE) {
            let text = String::from_utf8_lossy(&line[..line.len().min(300)]).into_owned();
            tracing::trace!("host {} -> {}", host.pid, text.trim_end());
        }
        // `str::parse::<Value>` runs serde_json's own (optimised) code even in debug
        // builds; a generic `from_slice` would be compiled, unoptimised, into this crate.
        let parsed = std::str::from_utf8(&line)
            .ok()
            .and_then(|text| text.parse::<Value>().ok());
        let message: Value = match parsed {
            Some(message @ Value::Object(_)) => message,
            _ => {
                // Before hello: ssh banners, sitecustomize prints. Logged, never parsed.
                let text = String::from_utf8_lossy(&line[..line.len().min(2000)]);
                tracing::info!(
                    "host {}: {}",
                    host.pid,
                    text.trim_end().chars().take(500).collect::<String>()
                );
                if waiting {
                    before_hello.noise(&line);
                    if before_hello.lines > PRE_HELLO_LINES {
                        let message = format!(
                            "the interpreter wrote more than {PRE_HELLO_LINES} lines to stdout \
                             without the host saying hello (the first: {}); the `python` \
                             setting must name a Python interpreter",
                            quote_prefix(&before_hello.first, QUOTED_PREFIX),
                        );
                        fail_start(&host, &mut hello_tx, message);
                        break;
                    }
                }
                continue;
            }
        };
        handle_message(&inner, &host, message, &mut hello_tx).await;
        if line.capacity() > 1 << 20 {
            line = Vec::new(); // one big image must not pin its buffer for the host's life
        }
    }

    // The process is gone or closed its stdout: reap it (killing if it lingers).
    let status = match tokio::time::timeout(Duration::from_secs(2), child.wait()).await {
        Ok(status) => status.ok(),
        Err(_) => {
            kill_group(host.pid);
            child.wait().await.ok()
        }
    };
    // Whatever the cells started in the host's process group goes with it.
    kill_group(host.pid);
    let how = status.map_or_else(|| "an unknown status".to_string(), describe_exit);
    let stopped = lock(&host.stop_reason).clone();
    let description = stopped
        .clone()
        .unwrap_or_else(|| format!("the host process died ({how})"));
    if let Some(hello_tx) = hello_tx.take() {
        let _ = hello_tx.send(Err(format!("the host exited during start-up ({how})")));
    }
    let (in_flight, waiters) = {
        let mut state = lock(&host.state);
        state.alive = false;
        state.requests.clear();
        (
            std::mem::take(&mut state.in_flight),
            std::mem::take(&mut state.interrupt_waiters),
        )
    };
    drop(waiters); // interrupt callers see `host_died`
    let tail = host.stderr_tail();
    for (position, flight) in in_flight.into_iter().enumerate() {
        let (status, ename, evalue) = match &stopped {
            Some(reason) => (ExecStatus::Cancelled, "HostStopped", format!("{reason} before this cell finished")),
            None if position == 0 => (
                ExecStatus::Error,
                "HostDied",
                format!("{description} while running this cell; its state is lost, the next execution starts a fresh host"),
            ),
            None => (ExecStatus::Error, "HostDied", format!("{description} before this cell ran; the next execution starts a fresh host")),
        };
        let mut details = Vec::new();
        if stopped.is_none() && !tail.is_empty() {
            details.push("host stderr (last lines):".to_string());
            details.extend(tail.iter().cloned());
        }
        let mut result = ExecResult::failed(flight.id.clone(), status, ename, evalue, details);
        for output in &result.outputs {
            let message = Emit::Output {
                doc: host.doc.clone(),
                execution_id: flight.id.clone(),
                task_id: None,
                output: output.clone(),
            };
            emit(&inner, message).await;
        }
        let mut outputs = flight.outputs;
        outputs.append(&mut result.outputs);
        result.outputs = outputs;
        result.execution_count = Some(flight.count);
        emit(
            &inner,
            Emit::Finished {
                doc: host.doc.clone(),
                streamed: true,
                result,
                reply: flight.done,
            },
        )
        .await;
    }
    if host.hello.get().is_some() {
        let message = match &stopped {
            Some(reason) => reason.clone(),
            None => format!("{description}; the next execution starts a fresh host"),
        };
        emit(
            &inner,
            Emit::Event(HostEvent {
                doc: host.doc.clone(),
                kind: EventKind::HostExited,
                stopped: stopped.is_some(),
                task_id: None,
                message,
                traceback: None,
                pid: Some(host.pid),
            }),
        )
        .await;
    }
    if let Some(slot) = host.slot.upgrade() {
        let mut state = lock(&slot.state);
        if state
            .host
            .as_ref()
            .is_some_and(|current| Arc::ptr_eq(current, &host))
        {
            state.host = None;
            state.last_exit = Some(description.clone());
        }
    }
    *host.stdin.lock().await = None;
    let _ = exited_tx.send(Some(description));
}

async fn handle_message(
    inner: &Arc<Inner>,
    host: &Arc<Host>,
    message: Value,
    hello_tx: &mut Option<oneshot::Sender<Result<(), String>>>,
) {
    let event = match serde_json::from_value::<Event>(message) {
        Ok(event) => event,
        Err(error) => {
            tracing::debug!(
                "host {}: ignoring a message that is no event: {error}",
                host.pid
            );
            return;
        }
    };
    match event {
        Event::Hello {
            pid,
            python,
            version,
            cwd,
            cwd_requested,
        } => {
            let cwd_is_documents = cwd_requested.is_none() || cwd_requested == cwd;
            let _ = host.hello.set(Hello {
                python,
                version,
                pid,
                cwd,
                cwd_is_documents,
            });
            if let Some(hello_tx) = hello_tx.take() {
                let _ = hello_tx.send(Ok(()));
            }
        }
        Event::Fatal { message, reason } => {
            let mut text = message.unwrap_or_else(|| "the host failed to start".into());
            if reason == Some(FatalReason::TrioMissing) {
                if let Some(hint) = host.spec.interpreter.project_venv_hint() {
                    text.push_str(&hint);
                }
            }
            if let Some(hello_tx) = hello_tx.take() {
                let _ = hello_tx.send(Err(text));
            } else {
                tracing::warn!("host {}: fatal: {text}", host.pid);
            }
        }
        Event::Started { id } => {
            lock(&host.state).running = Some(id);
        }
        Event::Output { id, task, output } => {
            forward_output(inner, host, id, task, Value::Object(output)).await;
        }
        Event::Done {
            id,
            status,
            duration_ms,
        } => {
            let flight = {
                let mut state = lock(&host.state);
                if state.running.as_deref() == Some(id.as_str()) {
                    state.running = None;
                }
                let position = state.in_flight.iter().position(|f| f.id == id);
                position.and_then(|p| state.in_flight.remove(p))
            };
            let Some(mut flight) = flight else { return };
            if flight.dropped_bytes > 0 || flight.dropped_outputs > 0 {
                flight.outputs.push(json!({
                    "output_type": "stream",
                    "name": "stderr",
                    "text": format!(
                        "\n[asyncell: output truncated: {} more in {} output(s) were produced than one reply keeps ({} KiB); \
                         all of it was streamed as it was produced]\n",
                        human_bytes(flight.dropped_bytes),
                        flight.dropped_outputs,
                        inner.options.reply_cap / 1024
                    ),
                }));
            }
            let result = ExecResult {
                execution_id: id,
                execution_count: Some(flight.count),
                status,
                outputs: flight.outputs,
                duration_ms,
            };
            emit(
                inner,
                Emit::Finished {
                    doc: host.doc.clone(),
                    streamed: flight.streamed,
                    result,
                    reply: flight.done,
                },
            )
            .await;
        }
        Event::Interrupted { id, how } => {
            let waiters = lock(&host.state)
                .interrupt_waiters
                .remove(&id)
                .unwrap_or_default();
            for waiter in waiters {
                let _ = waiter.send(how);
            }
        }
        Event::Task {
            kind,
            task,
            message,
            traceback,
        } => {
            let task = Value::Object(task);
            let task_id = task.get("id").and_then(Value::as_str).map(str::to_string);
            let name = task
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            {
                let mut state = lock(&host.state);
                match state
                    .tasks
                    .iter_mut()
                    .find(|t| t.get("id") == task.get("id"))
                {
                    Some(existing) => *existing = task.clone(),
                    // Tasks the host never announced (asyncio tasks from a bare
                    // `create_task` that failed unobserved) are events only, not listed.
                    None if kind == TaskChange::Started => state.tasks.push(task.clone()),
                    None => {}
                }
                // Keep every running task and the most recent finished ones.
                let finished = state
                    .tasks
                    .iter()
                    .filter(|t| t["state"] != "running")
                    .count();
                let mut excess = finished.saturating_sub(200);
                state.tasks.retain(|t| {
                    if excess > 0 && t["state"] != "running" {
                        excess -= 1;
                        return false;
                    }
                    true
                });
            }
            let label = format!(
                "background task {name:?} ({})",
                task_id.as_deref().unwrap_or("?")
            );
            let (event_kind, text) = match kind {
                TaskChange::Failed => {
                    let summary = message.unwrap_or_else(|| "failed".into());
                    (EventKind::TaskFailed, format!("{label} failed: {summary}"))
                }
                TaskChange::Finished => (EventKind::TaskFinished, format!("{label} finished")),
                TaskChange::Cancelled => {
                    (EventKind::TaskFinished, format!("{label} was cancelled"))
                }
                TaskChange::Started => return,
            };
            emit(
                inner,
                Emit::Event(HostEvent {
                    doc: host.doc.clone(),
                    kind: event_kind,
                    stopped: false,
                    task_id,
                    message: text,
                    traceback,
                    pid: Some(host.pid),
                }),
            )
            .await;
        }
        Event::Reply { req, fields } => {
            if let Some(waiter) = lock(&host.state).requests.remove(&req) {
                let _ = waiter.send(Value::Object(fields));
            }
        }
    }
}

/// Adds an output to an execution's reply within the cap. Consecutive stream outputs
/// of the same name are merged, as in a saved notebook. Errors are always kept.
fn keep_output(flight: &mut InFlight, output: &Value, cap: usize) {
    let is_error = output["output_type"] == "error";
    if output["output_type"] == "stream" {
        let name = output["name"].as_str().unwrap_or("stdout");
        let text = output["text"].as_str().unwrap_or("");
        let room = cap.saturating_sub(flight.kept);
        let (kept, dropped) = if text.len() <= room {
            (text, "")
        } else {
            text.split_at(floor_char_boundary(text, room))
        };
        if !dropped.is_empty() {
            flight.dropped_bytes += dropped.len();
            flight.dropped_outputs += 1;
        }
        if kept.is_empty() {
            return;
        }
        flight.kept += kept.len();
        if let Some(last) = flight.outputs.last_mut() {
            if last["output_type"] == "stream" && last["name"] == name {
                if let Some(Value::String(existing)) = last.get_mut("text") {
                    existing.push_str(kept);
                    return;
                }
            }
        }
        flight
            .outputs
            .push(json!({"output_type": "stream", "name": name, "text": kept}));
        return;
    }
    let size = approximate_size(output);
    if !is_error && flight.kept + size > cap {
        flight.dropped_bytes += size;
        flight.dropped_outputs += 1;
        return;
    }
    flight.kept += size;
    flight.outputs.push(output.clone());
}

fn approximate_size(value: &Value) -> usize {
    match value {
        Value::String(s) => s.len() + 2,
        Value::Array(items) => items.iter().map(approximate_size).sum::<usize>() + 2,
        Value::Object(map) => {
            map.iter()
                .map(|(k, v)| k.len() + 3 + approximate_size(v))
                .sum::<usize>()
                + 2
        }
        _ => 8,
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn human_bytes(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else if bytes >= 1 << 10 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

/// Logs the host's stderr and keeps its last lines. Read as bytes, lossily decoded per
/// line and cut at [`STDERR_LINE_MAX`], so no output stops the reading (an unread pipe
/// would block the host's writes, a closed one fail them).
async fn read_stderr(
    stderr: tokio::process::ChildStderr,
    pid: u32,
    tail: Arc<Mutex<VecDeque<String>>>,
) {
    let mut reader = BufReader::new(stderr);
    let mut buf = Vec::new();
    loop {
        let line = match read_line_max(&mut reader, &mut buf, STDERR_LINE_MAX).await {
            Ok(Line::Eof) | Err(_) => return,
            Ok(line) => line,
        };
        let mut text = String::from_utf8_lossy(&buf)
            .trim_end_matches(['\n', '\r'])
            .to_string();
        if line == Line::TooLong {
            match skip_line(&mut reader).await {
                Ok(rest) => text.push_str(&format!(" [… {rest} more bytes]")),
                Err(_) => return,
            }
        }
        tracing::info!("host {pid} stderr: {text}");
        let mut tail = lock(&tail);
        if tail.len() == STDERR_TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(text.chars().take(500).collect());
    }
}

/// "exit code 3", "signal SIGSEGV".
pub fn describe_exit(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("killed by signal {}", signal_name(signal));
        }
    }
    match status.code() {
        Some(code) => format!("exit code {code}"),
        None => "an unknown status".into(),
    }
}

fn signal_name(signal: i32) -> String {
    let name = match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => return format!("{signal}"),
    };
    name.to_string()
}

fn kill_group(pid: u32) {
    #[cfg(unix)]
    {
        let Ok(pid) = i32::try_from(pid) else { return };
        if pid <= 1 {
            return;
        }
        // SAFETY: plain syscalls; the group is the host's own (process_group(0)).
        unsafe {
            libc::killpg(pid, libc::SIGKILL);
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// The long-lived thread every host is spawned from (see the module docs).
fn spawner() -> &'static std::sync::mpsc::Sender<Job> {
    static SPAWNER: OnceLock<std::sync::mpsc::Sender<Job>> = OnceLock::new();
    SPAWNER.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("asyncell-spawner".into())
            .spawn(move || {
                for job in receiver {
                    job();
                }
            })
            .expect("cannot start the host spawner thread");
        sender
    })
}

async fn spawn_process(argv: Vec<String>, cwd: Option<PathBuf>) -> std::io::Result<Child> {
    let handle = tokio::runtime::Handle::current();
    let (sender, receiver) = oneshot::channel();
    let job: Job = Box::new(move || {
        let _runtime = handle.enter();
        let mut command = tokio::process::Command::new(&argv[0]);
        command
            .args(&argv[1..])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        if let Some(cwd) = cwd.filter(|dir| dir.is_dir()) {
            command.current_dir(cwd);
        }
        #[cfg(unix)]
        {
            command.process_group(0);
            #[cfg(target_os = "linux")]
            {
                // SAFETY: getpid before fork; prctl/getppid are async-signal-safe.
                let parent = unsafe { libc::getpid() };
                unsafe {
                    command.pre_exec(move || {
                        if libc::prctl(
                            libc::PR_SET_PDEATHSIG,
                            libc::SIGKILL as libc::c_ulong,
                            0,
                            0,
                            0,
                        ) != 0
                        {
                            return Err(std::io::Error::last_os_error());
                        }
                        if libc::getppid() != parent {
                            // The server died between fork and prctl.
                            libc::_exit(1);
                        }
                        Ok(())
                    });
                }
            }
        }
        let _ = sender.send(command.spawn());
    });
    spawner()
        .send(job)
        .map_err(|_| std::io::Error::other("the host spawner thread is gone"))?;
    receiver
        .await
        .map_err(|_| std::io::Error::other("the host spawner thread is gone"))?
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flight() -> (InFlight, oneshot::Receiver<ExecResult>) {
        let (done, receiver) = oneshot::channel();
        (
            InFlight {
                id: "e1".into(),
                count: 1,
                outputs: Vec::new(),
                kept: 0,
                dropped_bytes: 0,
                dropped_outputs: 0,
                streamed: false,
                done,
            },
            receiver,
        )
    }

    #[test]
    fn replies_merge_streams_and_stop_at_the_cap() {
        let (mut flight, _receiver) = flight();
        let chunk = json!({"output_type": "stream", "name": "stdout", "text": "x".repeat(600)});
        keep_output(&mut flight, &chunk, 1000);
        keep_output(&mut flight, &chunk, 1000);
        keep_output(&mut flight, &chunk, 1000);
        assert_eq!(flight.outputs.len(), 1);
        assert_eq!(flight.outputs[0]["text"].as_str().unwrap().len(), 1000);
        assert_eq!(flight.dropped_bytes, 800);
        let error = json!({"output_type": "error", "ename": "E", "evalue": "", "traceback": []});
        keep_output(&mut flight, &error, 1000);
        assert_eq!(flight.outputs.len(), 2, "errors are kept beyond the cap");
    }

    #[test]
    fn exits_are_described_by_code_or_signal() {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            describe_exit(std::process::ExitStatus::from_raw(3 << 8)),
            "exit code 3"
        );
        assert_eq!(
            describe_exit(std::process::ExitStatus::from_raw(11)),
            "killed by signal SIGSEGV"
        );
    }

    #[test]
    fn oversized_frames_are_attributed_by_their_prefix() {
        assert_eq!(
            frame_execution_id(br#"{"ev":"output","id":"e3","task":null,"output":{"#),
            Some("e3".to_string())
        );
        assert_eq!(frame_execution_id(br#"{"ev":"output","id":"#), None);
        assert_eq!(frame_execution_id(b"\0\0\0"), None);
    }

    #[test]
    fn shell_quoting_keeps_one_word() {
        assert_eq!(shell_quote("/w/my dir"), "'/w/my dir'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn remote_wrappers_are_recognised() {
        assert_eq!(
            remote_wrapper(&["ssh".into(), "box".into(), "python3".into()]),
            Some("ssh")
        );
        assert_eq!(
            remote_wrapper(&["/usr/bin/docker".into(), "exec".into()]),
            Some("docker")
        );
        assert_eq!(remote_wrapper(&["/venv/bin/python".into()]), None);
    }
}
