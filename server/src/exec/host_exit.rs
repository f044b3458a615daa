//! A host's end, reported once its stdout closed: the process is reaped (killed if it
//! lingers) with its whole process group, every execution still in flight is answered —
//! `HostStopped` (cancelled) when the server stopped the host on purpose, else `HostDied`
//! with the end of its stderr — `hostExited` is emitted for a host that had started, and
//! the document's slot forgets it (recording why, for `asyncell/status`).

use std::sync::Arc;
use std::time::Duration;

use tokio::process::Child;
use tokio::sync::watch;

use super::dispatch::HelloSender;
use super::events::{emit, Emit, EventKind, HostEvent};
use super::host::Host;
use super::process_group::{describe_exit, kill_group};
use super::protocol::ExecStatus;
use super::reply::ExecResult;
use super::slot::lock;
use super::supervisor::Inner;

/// How long an exiting host may take to be reaped before its group is killed.
const REAP_WAIT: Duration = Duration::from_secs(2);

/// The host closed its stdout: reap it and answer whatever was in flight.
pub(super) async fn host_gone(
    inner: &Arc<Inner>,
    host: &Arc<Host>,
    mut child: Child,
    mut hello_tx: HelloSender,
    exited_tx: watch::Sender<Option<String>>,
) {
    // The process is gone or closed its stdout: reap it (killing if it lingers).
    let status = match tokio::time::timeout(REAP_WAIT, child.wait()).await {
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
        let failure = ExecResult::failed(flight.id.clone(), status, ename, evalue, details);
        for output in &failure.outputs {
            let message = Emit::Output {
                doc: host.doc.clone(),
                execution_id: flight.id.clone(),
                task_id: None,
                output: output.clone(),
            };
            emit(&inner.emit, message).await;
        }
        let (result, reply) = flight.fail(failure);
        let message = Emit::Finished {
            doc: host.doc.clone(),
            result,
            reply,
        };
        emit(&inner.emit, message).await;
    }
    if host.hello.get().is_some() {
        let message = match &stopped {
            Some(reason) => reason.clone(),
            None => format!("{description}; the next execution starts a fresh host"),
        };
        let mut event = HostEvent::host(
            host.doc.clone(),
            EventKind::HostExited,
            message,
            Some(host.pid),
        );
        event.stopped = stopped.is_some();
        emit(&inner.emit, Emit::Event(event)).await;
    }
    if let Some(slot) = host.slot.upgrade() {
        let mut state = lock(&slot.state);
        if state
            .host
            .as_ref()
            .is_some_and(|current| Arc::ptr_eq(current, host))
        {
            state.host = None;
            state.last_exit = Some(description.clone());
        }
    }
    *host.stdin.lock().await = None;
    let _ = exited_tx.send(Some(description));
}
