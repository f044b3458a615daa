//! A document's slot: its host (or why it has none), the gate that keeps submissions in
//! order, the epoch an interrupt bumps, and — per live host — the executions in flight
//! (queued in the host, the first of them running), its background tasks and the callers
//! waiting for an interrupt's outcome or a request's reply.
//!
//! Executions of a document are FIFO: each takes the gate (a fair mutex) only to make
//! sure its host runs and to write the `execute` command; the host queues and runs cells
//! in arrival order. An interrupt bumps the epoch, so executions still waiting at the gate
//! are answered `cancelled` without running.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};
use tokio::sync::oneshot;

use super::host::Host;
use super::host_spec::HostSpec;
use super::interrupt::InterruptHow;
use super::protocol::TaskInfo;
use super::reply::InFlight;

pub(super) struct DocSlot {
    pub key: Arc<str>,
    /// Taken to start a host and submit an execution, so submissions are FIFO.
    pub gate: tokio::sync::Mutex<()>,
    /// Bumped by interrupt/restart/shutdown: executions waiting at the gate are dropped.
    pub epoch: AtomicU64,
    pub state: Mutex<SlotState>,
}

#[derive(Default)]
pub(super) struct SlotState {
    pub host: Option<Arc<Host>>,
    /// The spec of a host being started.
    pub starting: Option<HostSpec>,
    /// Why the last host went away unexpectedly (the document's state is `dead`).
    pub last_exit: Option<String>,
}

impl DocSlot {
    pub fn new(key: Arc<str>) -> DocSlot {
        DocSlot {
            key,
            gate: tokio::sync::Mutex::new(()),
            epoch: AtomicU64::new(0),
            state: Mutex::new(SlotState::default()),
        }
    }

    /// The document's host, while it is alive.
    pub fn live_host(&self) -> Option<Arc<Host>> {
        let state = lock(&self.state);
        state.host.clone().filter(|host| lock(&host.state).alive)
    }
}

/// What the supervisor tracks of one live host.
#[derive(Default)]
pub(super) struct HostState {
    /// False once the host's reader has seen it go; nothing more is sent.
    pub alive: bool,
    /// Executions sent and not yet `done`, in the order sent (the host's queue).
    pub in_flight: VecDeque<InFlight>,
    /// The execution the host said `started`.
    pub running: Option<String>,
    /// Running background tasks and the most recent finished ones.
    pub tasks: Vec<TaskInfo>,
    pub interrupt_waiters: HashMap<String, Vec<oneshot::Sender<InterruptHow>>>,
    /// Requests (`req`) waiting for their `reply`.
    pub requests: HashMap<u64, oneshot::Sender<Map<String, Value>>>,
    pub next_request: u64,
}

impl HostState {
    /// The execution the host runs: the one it said started, else the first sent (it
    /// starts as soon as the host reads it).
    pub fn running_id(&self) -> Option<String> {
        self.running
            .clone()
            .or_else(|| self.in_flight.front().map(|f| f.id.clone()))
    }

    /// The execution `id`, if it is in flight.
    pub fn flight(&mut self, id: &str) -> Option<&mut InFlight> {
        self.in_flight.iter_mut().find(|f| f.id == id)
    }

    /// Takes execution `id` out of flight (it is done).
    pub fn land(&mut self, id: &str) -> Option<InFlight> {
        if self.running.as_deref() == Some(id) {
            self.running = None;
        }
        let position = self.in_flight.iter().position(|f| f.id == id)?;
        self.in_flight.remove(position)
    }
}

/// Locks a mutex; a panic elsewhere while it was held (there is none by design) does not
/// poison the supervisor's bookkeeping.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
