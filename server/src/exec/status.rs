//! `asyncell/status`, typed: what the supervisor knows of a document's host, answered from
//! its own bookkeeping (no round trip to the host, so it is prompt while a cell floods
//! output or blocks the loop).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use std::sync::atomic::Ordering;

use super::host::Host;
use super::host_spec::{HostSpec, LoopKind};
use super::interpreter::InterpreterSource;
use super::protocol::TaskInfo;
use super::slot::lock;

/// The document's host as `asyncell/status` reports it.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HostStatus {
    pub state: HostPhase,
    /// The loop the host runs, or a new one would.
    #[serde(rename = "loop")]
    pub loop_kind: Option<LoopKind>,
    /// The interpreter's path as the host reported it (or the argv a new one would run).
    pub python: Option<String>,
    /// `sys.version` of the running host.
    pub python_version: Option<String>,
    pub interpreter: Option<InterpreterInfo>,
    pub host: Option<HostCopyInfo>,
    /// The host's own pid (through `ssh` or `docker exec` too).
    pub pid: Option<u32>,
    /// The process the server started (the wrapper, for a remote host): what a signal
    /// reaches.
    pub process_pid: Option<u32>,
    /// Where the cells run.
    pub cwd: Option<String>,
    /// trio-asyncio is importable in the host, so trio cells can await asyncio code
    /// (`trio_asyncio.aio_as_trio`).
    #[serde(default)]
    pub asyncio_bridge: bool,
    pub execution_count: u64,
    /// The running execution.
    pub execution_id: Option<String>,
    /// Executions waiting behind the running one.
    pub queued: usize,
    /// Running background tasks and the last 200 finished ones.
    pub tasks: Vec<TaskInfo>,
    /// How the last host ended, when the state is `dead`.
    pub last_exit: Option<String>,
}

/// Where a document's host is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HostPhase {
    /// No host; `loop` and `python` say what a new one would use.
    None,
    Starting,
    Idle,
    /// An execution runs or is queued.
    Busy,
    /// The last host died or failed to start; `lastExit` says how.
    Dead,
}

/// The argv a host runs (or would run) under, and where it came from.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct InterpreterInfo {
    pub argv: Vec<String>,
    pub source: InterpreterSource,
}

/// Which copy of the host's Python package runs.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct HostCopyInfo {
    pub copy: CopyKind,
    /// The package directory (null for a remote host, and for an embedded copy not yet
    /// extracted).
    pub path: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CopyKind {
    /// The `asyncell` package of the interpreter's environment.
    Installed,
    /// The binary's own copy, extracted to a private directory.
    Embedded,
    /// Sent over stdin to an `ssh`/`docker`/... interpreter.
    Remote,
}

impl CopyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CopyKind::Installed => "installed",
            CopyKind::Embedded => "embedded",
            CopyKind::Remote => "remote",
        }
    }
}

impl HostStatus {
    /// The status of a live host.
    pub(super) fn of_host(host: &Host) -> HostStatus {
        let state = lock(&host.state);
        let hello = host.hello.get();
        HostStatus {
            state: if state.in_flight.is_empty() {
                HostPhase::Idle
            } else {
                HostPhase::Busy
            },
            loop_kind: Some(host.spec.loop_kind),
            python: Some(hello.map_or_else(|| host.spec.shown(), |h| h.python.clone())),
            python_version: hello.map(|h| h.version.clone()),
            interpreter: Some(host.spec.interpreter_info()),
            host: Some(HostCopyInfo {
                copy: host.copy.kind(),
                path: host.copy.path().map(|p| p.display().to_string()),
            }),
            // The host's own pid (through `ssh` or `docker exec`, not the wrapper's),
            // and the process we started, which is what a signal reaches.
            pid: Some(host.host_pid()),
            process_pid: Some(host.pid),
            cwd: hello.and_then(|h| h.cwd.clone()),
            asyncio_bridge: hello.is_some_and(|h| h.bridge),
            execution_count: host.count.load(Ordering::SeqCst),
            execution_id: state.running_id(),
            queued: state.in_flight.len().saturating_sub(1),
            tasks: state.tasks.clone(),
            last_exit: None,
        }
    }

    /// The status of a document without a live host: `phase`, and what a host started
    /// with `spec` would be.
    pub(super) fn without_host(
        phase: HostPhase,
        spec: Option<&HostSpec>,
        last_exit: Option<String>,
    ) -> HostStatus {
        HostStatus {
            state: phase,
            loop_kind: spec.map(|s| s.loop_kind),
            python: spec.map(HostSpec::shown),
            python_version: None,
            interpreter: spec.map(HostSpec::interpreter_info),
            host: spec.map(HostSpec::preview_copy),
            pid: None,
            process_pid: None,
            cwd: None,
            asyncio_bridge: false,
            execution_count: 0,
            execution_id: None,
            queued: 0,
            tasks: Vec::new(),
            last_exit,
        }
    }
}
