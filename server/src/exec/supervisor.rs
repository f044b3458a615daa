//! The supervisor: one Python host process per document, and the only code that talks to
//! one (docs/protocol.md section 2). This file is its public face, [`Supervisor`]; the
//! parts it is made of each have a module of their own:
//!
//! * [`host_spec`](super::host_spec): what a host is started as (argv, loop, cwd);
//! * [`host`](super::host), [`reader`](super::reader), [`host_exit`](super::host_exit):
//!   the host process — started, written to, its pipes read, its end reported;
//! * [`process_group`](super::process_group): spawning it in a process group of its own
//!   and killing that group;
//! * [`slot`](super::slot): a document's host, its gate and epoch, and what is in flight;
//! * [`dispatch`](super::dispatch): what each host event does;
//! * [`reply`](super::reply): an execution's answer and the reply cap;
//! * [`events`](super::events): what is reported to the consumer ([`Emit`]);
//! * [`interrupt`](super::interrupt), [`query`](super::query),
//!   [`tasks`](super::tasks): interrupts, namespace queries, background tasks.
//!
//! Hosts start lazily on a document's first execution. Everything a host reports flows
//! through one bounded channel of [`Emit`]s, in order: outputs, events, and finally each
//! execution's result, which the consumer hands back to the waiting caller after
//! delivering every output before it. A host that dies (exit code or signal) fails its
//! executions with a `HostDied` error, emits `hostExited`, and the next execution starts a
//! fresh one; one the server stops is reported as stopped.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;

use super::events::emit;
use super::host::{start_host, Host};
use super::protocol::{Command, ExecStatus};
use super::slot::{lock, DocSlot};
use super::status::{HostPhase, HostStatus};

pub use super::events::{Emit, EventKind, HostEvent, InputRequest, EMIT_CAPACITY};
pub use super::host_spec::{HostSpec, LoopKind};
pub use super::interrupt::{InterruptHow, InterruptOutcome, INTERRUPT_GRACE};
pub use super::process_group::describe_exit;
pub use super::query::Query;
pub use super::reply::{ExecResult, START_FAILED};

/// The largest protocol frame the supervisor reads from a host (one JSON line). Stream
/// frames are at most 64 KiB of text; only rich outputs (images, HTML) come close.
pub const MAX_FRAME: usize = 64 << 20;

/// What an execution may ask for besides its code.
#[derive(Clone, Debug, Default)]
pub struct ExecuteOptions {
    /// The consumer answers input requests: `input()` in the cell emits an
    /// [`Emit::InputRequest`] and waits for [`Supervisor::input_reply`]. Without it,
    /// `input()` raises in the cell.
    pub stdin: bool,
    /// Name → expression, evaluated after the cell when it ended `ok`; the values are in
    /// [`ExecResult::user_expressions`].
    pub user_expressions: BTreeMap<String, String>,
    /// The cell's 1-based number among all the document's cells, when the front end
    /// knows it (the editors and `asyncell run`): tracebacks name its frames after it.
    pub cell: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct Options {
    /// Bytes of outputs kept in one execution's reply.
    pub reply_cap: usize,
    /// The interrupt grace period: passed to the host as `--grace`, waited for by
    /// [`Supervisor::interrupt`], and named in its `stuck` message.
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

/// What every part of the supervisor shares.
pub(super) struct Inner {
    docs: Mutex<HashMap<Arc<str>, Arc<DocSlot>>>,
    /// The consumer of [`Emit`]s.
    pub emit: mpsc::Sender<Emit>,
    pub options: Options,
    ids: AtomicU64,
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
        let slot = Arc::new(DocSlot::new(key.clone()));
        docs.insert(key, slot.clone());
        slot
    }

    fn existing_slot(&self, doc: &str) -> Option<Arc<DocSlot>> {
        lock(&self.inner.docs).get(doc).cloned()
    }

    fn live_host(&self, doc: &str) -> Option<Arc<Host>> {
        self.existing_slot(doc).and_then(|slot| slot.live_host())
    }

    /// The execution the document's host runs now (the first in its queue), if any: an
    /// execution that is not it still waits its turn.
    pub fn running_execution(&self, doc: &str) -> Option<String> {
        let host = self.live_host(doc)?;
        let running = lock(&host.state).running_id();
        running
    }

    /// A fresh execution id.
    pub fn next_execution_id(&self) -> String {
        format!("e{}", self.inner.ids.fetch_add(1, Ordering::Relaxed))
    }

    /// Runs `code` on the document's host (starting it with `spec` if none runs) and
    /// waits for the result. `Err` only for a duplicate execution id. `input()` in it
    /// raises (nobody could answer): see [`Supervisor::execute_with`].
    /// `cell` is its 1-based number among the document's cells, when there is one.
    pub async fn execute(
        &self,
        doc: &str,
        spec: &HostSpec,
        code: String,
        execution_id: Option<String>,
        cell: Option<u32>,
    ) -> Result<ExecResult, String> {
        let options = ExecuteOptions {
            cell,
            ..ExecuteOptions::default()
        };
        self.execute_with(doc, spec, code, execution_id, &options)
            .await
    }

    /// [`Supervisor::execute`] with what a Jupyter front end may ask for besides the code
    /// (see [`ExecuteOptions`]).
    pub async fn execute_with(
        &self,
        doc: &str,
        spec: &HostSpec,
        code: String,
        execution_id: Option<String>,
        options: &ExecuteOptions,
    ) -> Result<ExecResult, String> {
        let slot = self.slot(doc);
        let id = execution_id.unwrap_or_else(|| self.next_execution_id());
        let epoch = slot.epoch.load(Ordering::SeqCst);
        let gate = slot.gate.lock().await;
        if slot.epoch.load(Ordering::SeqCst) != epoch {
            return Ok(ExecResult::cancelled_before_start(id));
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
            // Interrupted while the host started.
            return Ok(ExecResult::cancelled_before_start(id));
        }
        let receiver = host.submit(&id, code, options).await?;
        drop(gate);
        Ok(match receiver.await {
            Ok(result) => result,
            Err(_) => ExecResult::host_died(id, "the host went away without answering"),
        })
    }

    /// The front end's answer to an [`Emit::InputRequest`]; false when no host runs.
    pub async fn input_reply(&self, doc: &str, prompt_id: u64, value: &str) -> bool {
        let Some(host) = self.live_host(doc) else {
            return false;
        };
        host.send(&Command::InputReply { prompt_id, value }).await;
        true
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
            let queued = state.queued_behind(running.as_ref());
            (running, queued)
        };
        // Drop the queue first, so nothing starts after the running cell is stopped.
        for id in queued.iter().rev() {
            host.send(&Command::Interrupt { id }).await;
        }
        let Some(running) = running else {
            return self.outcome(InterruptHow::NotRunning, None, queued.len());
        };
        super::interrupt::interrupt_running(&host, running, queued.len(), self.inner.options.grace)
            .await
    }

    /// Interrupts one execution (LSP `$/cancelRequest` of its `asyncell/execute`): stops
    /// it if it runs, drops it if it waits in the host's queue; others go on.
    pub async fn interrupt_execution(&self, doc: &str, id: &str) -> InterruptOutcome {
        let Some(host) = self.live_host(doc) else {
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
            let grace = self.inner.options.grace;
            return super::interrupt::interrupt_running(&host, id.to_string(), 0, grace).await;
        }
        if queued {
            host.send(&Command::Interrupt { id }).await;
        }
        self.outcome(InterruptHow::NotRunning, None, usize::from(queued))
    }

    /// An interrupt's outcome under this supervisor's grace period.
    fn outcome(
        &self,
        how: InterruptHow,
        execution_id: Option<String>,
        dropped: usize,
    ) -> InterruptOutcome {
        InterruptOutcome::new(how, execution_id, dropped, self.inner.options.grace)
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
        let Some(host) = self.live_host(doc) else {
            return false;
        };
        host.kill(reason);
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
        let (host, starting, last_exit) = match self.existing_slot(doc) {
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
            return HostStatus::of_host(&host);
        }
        match (&starting, last_exit) {
            (Some(starting), last_exit) => {
                HostStatus::without_host(HostPhase::Starting, Some(starting), last_exit)
            }
            (None, Some(last_exit)) => {
                HostStatus::without_host(HostPhase::Dead, spec, Some(last_exit))
            }
            (None, None) => HostStatus::without_host(HostPhase::None, spec, None),
        }
    }

    /// Cancels one background task of the document's host.
    pub async fn cancel_task(&self, doc: &str, task_id: &str) -> Result<bool, String> {
        let host = self.live_host(doc).ok_or_else(|| {
            "no host is running for this document: there are no tasks to cancel".to_string()
        })?;
        host.cancel_task(task_id).await
    }

    /// Asks the document's live host a question about its namespace (completion,
    /// inspection, the variables view), answered even while a cell runs.
    pub async fn query(&self, doc: &str, question: &Query) -> Result<Value, String> {
        let host = self.live_host(doc).ok_or_else(|| {
            "no host is running for this document: run a cell first, then ask again".to_string()
        })?;
        host.query(question).await
    }

    /// Makes sure the document has a live host (call with the gate held).
    async fn ensure_host(&self, slot: &Arc<DocSlot>, spec: &HostSpec) -> Result<Arc<Host>, String> {
        if let Some(host) = slot.live_host() {
            if !(spec.loop_chosen && host.spec.loop_kind != spec.loop_kind) {
                return Ok(host);
            }
            // The client chose the other loop for this document: a fresh host runs it.
            lock(&slot.state).host = None;
            host.stop(&format!(
                "the host was restarted on the {} loop the client chose",
                spec.loop_kind.as_str()
            ))
            .await;
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
        let event = HostEvent::host(
            slot.key.clone(),
            EventKind::HostExited,
            format!("the host could not start: {message}"),
            None,
        );
        emit(&self.inner.emit, Emit::Event(event)).await;
        Err(message)
    }
}
