//! One host process: started (spawned, bootstrapped over stdin when remote, its `hello`
//! awaited), written to (one command line at a time), and stopped. Its stdout is read by
//! [`reader`](super::reader), its exit reported by [`host_exit`](super::host_exit).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::process::ChildStdin;
use tokio::sync::{oneshot, watch};

use super::embed;
use super::events::{emit, Emit, EventKind, HostEvent};
use super::host_copy::HostCopy;
use super::host_spec::HostSpec;
use super::process_group::{kill_group, spawn_process};
use super::protocol::Command;
use super::reader::{read_host, read_stderr};
use super::reply::{ExecResult, InFlight};
use super::slot::{lock, DocSlot, HostState};
use super::supervisor::ExecuteOptions;
use super::supervisor::Inner;

/// How long a new host may take to say `hello` (ssh logins and cold imports are slow).
const HELLO_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a stop waits for the host's executions to be answered after the kill.
const STOP_WAIT: Duration = Duration::from_secs(3);

/// What the host said about itself in its `hello`.
pub(super) struct Hello {
    pub python: String,
    pub version: String,
    /// The host's own pid: through a wrapper (`ssh`, `docker exec`) not the one we spawned.
    pub pid: Option<u32>,
    /// The directory the host runs in, and whether it is the document's own: a remote
    /// host `cd`s there when the path exists on its side.
    pub cwd: Option<String>,
    pub cwd_is_documents: bool,
    /// trio-asyncio is importable in the host.
    pub bridge: bool,
}

pub(super) struct Host {
    pub doc: Arc<str>,
    pub slot: Weak<DocSlot>,
    /// The process we spawned (the wrapper, for a remote host): its process group's id.
    pub pid: u32,
    pub spec: HostSpec,
    /// The host package it runs.
    pub copy: HostCopy,
    pub hello: OnceLock<Hello>,
    /// `None` once a write failed or the host is gone.
    pub stdin: tokio::sync::Mutex<Option<ChildStdin>>,
    pub state: Mutex<HostState>,
    /// `Some(description)` once the process is gone and its executions are answered.
    pub exited: watch::Receiver<Option<String>>,
    /// Why we stopped it on purpose (restart, shutdown, a kill), if we did: its exit is
    /// then reported as stopped (`HostStopped`, `hostExited` with `stopped`), not a crash.
    pub stop_reason: Mutex<Option<String>>,
    /// Executions submitted (the next one's count is this plus one).
    pub count: AtomicU64,
    pub stderr_tail: Arc<Mutex<VecDeque<String>>>,
}

impl Host {
    /// Registers an execution and sends it; the receiver gets its result.
    pub async fn submit(
        &self,
        id: &str,
        code: String,
        options: &ExecuteOptions,
    ) -> Result<oneshot::Receiver<ExecResult>, String> {
        let (sender, receiver) = oneshot::channel();
        let count = {
            let mut state = lock(&self.state);
            if state.in_flight.iter().any(|f| f.id == id) {
                return Err(format!("execution id `{id}` is already in use by a running or queued execution; omit executionId to get a fresh one"));
            }
            if !state.alive {
                let _ = sender.send(ExecResult::host_died(
                    id.into(),
                    "the host died before this cell was sent",
                ));
                return Ok(receiver);
            }
            let count = self.count.fetch_add(1, Ordering::SeqCst) + 1;
            state
                .in_flight
                .push_back(InFlight::new(id.to_string(), count, sender));
            count
        };
        // If this write fails the host is dying; the reader answers the execution.
        self.send(&Command::Execute {
            id,
            code: &code,
            count,
            cell: options.cell,
            stdin: options.stdin,
            user_expressions: Some(&options.user_expressions)
                .filter(|expressions| !expressions.is_empty()),
        })
        .await;
        Ok(receiver)
    }

    /// Writes one command line. Errors mean the host is gone; its reader handles that.
    pub async fn send(&self, command: &Command<'_>) {
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

    /// Marks the host as stopped on purpose (`reason`) and kills its process group; the
    /// reader then reports the exit as stopped.
    pub fn kill(&self, reason: &str) {
        *lock(&self.stop_reason) = Some(reason.to_string());
        kill_group(self.pid);
    }

    /// Kills the host's process group and waits until its executions are answered.
    pub async fn stop(&self, reason: &str) {
        self.kill(reason);
        self.wait_exited(STOP_WAIT).await;
    }

    /// Waits (at most `limit`) until the reader has answered everything and finished.
    async fn wait_exited(&self, limit: Duration) {
        let mut exited = self.exited.clone();
        let _ = tokio::time::timeout(limit, exited.wait_for(Option::is_some)).await;
    }

    pub fn stderr_tail(&self) -> Vec<String> {
        lock(&self.stderr_tail).iter().cloned().collect()
    }

    /// The host's own pid when it said it, else the process we spawned.
    pub fn host_pid(&self) -> u32 {
        self.hello.get().and_then(|h| h.pid).unwrap_or(self.pid)
    }
}

/// Spawns a host, waits for its `hello`, and starts its reader.
pub(super) async fn start_host(
    inner: &Arc<Inner>,
    slot: &Arc<DocSlot>,
    spec: &HostSpec,
) -> Result<Arc<Host>, String> {
    let copy = spec.host_copy()?;
    let argv = spec.command_line(&copy, inner.options.grace);
    let shown = spec.shown();
    let mut child = spawn_process(argv, spec.cwd.clone()).await.map_err(|error| {
        format!("cannot start the host with `{shown}`: {error}; set `python` in your editor settings (or pass `--python` to `asyncell run`) to a Python interpreter")
    })?;
    let pid = child.id().unwrap_or(0);
    let mut stdin = child.stdin.take();
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    if spec.is_remote() {
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
    if let Err(message) = hello {
        // Wait for the reader to finish so the stderr tail is complete.
        host.wait_exited(Duration::from_secs(2)).await;
        kill_group(pid);
        let tail = host.stderr_tail();
        return Err(if tail.is_empty() {
            format!("{message} (started with `{shown}`)")
        } else {
            format!(
                "{message} (started with `{shown}`); its stderr ended with:\n{}",
                tail.join("\n")
            )
        });
    }
    let event = HostEvent::host(
        slot.key.clone(),
        EventKind::HostStarted,
        started_message(&host),
        Some(host.host_pid()),
    );
    emit(&inner.emit, Emit::Event(event)).await;
    Ok(host)
}

/// `hostStarted`'s message: which host runs where.
fn started_message(host: &Host) -> String {
    let hello = host.hello.get();
    let mut message = format!(
        "started the {} host (pid {}, {} {})",
        host.spec.loop_kind.as_str(),
        host.host_pid(),
        hello.map_or("python", |h| h.python.as_str()),
        hello.map_or("", |h| h.version.split_whitespace().next().unwrap_or("")),
    );
    // A remote host whose side has no such directory runs where it started: say so,
    // since relative paths in cells mean something else there.
    if let Some(hello) = hello.filter(|h| !h.cwd_is_documents) {
        if let (Some(cwd), Some(wanted)) = (&hello.cwd, &host.spec.cwd) {
            message.push_str(&format!(
                "; cells run in {cwd}: {} does not exist on the host's side",
                wanted.display()
            ));
        }
    }
    message
}
