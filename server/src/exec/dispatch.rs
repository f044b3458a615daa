//! What each host event does: the one `match` over [`Event`], handing each to the part of
//! the supervisor it concerns (start-up, replies, interrupts, tasks, requests). Nothing
//! here reads a field's text to decide anything.

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::oneshot;

use super::events::{emit, Emit, InputRequest};
use super::host::{Hello, Host};
use super::protocol::{Event, FatalReason, PROTOCOL_VERSION};
use super::slot::lock;
use super::supervisor::Inner;
use super::tasks::task_event;

/// Where the outcome of start-up goes, until the host said hello (or failed).
pub(super) type HelloSender = Option<oneshot::Sender<Result<(), String>>>;

/// An output of execution `id` (or of a background task it started): kept for the
/// execution's reply while it runs, and forwarded to the front end either way.
pub(super) async fn forward_output(
    inner: &Arc<Inner>,
    host: &Arc<Host>,
    id: String,
    task_id: Option<String>,
    output: Value,
) {
    if let Some(flight) = lock(&host.state).flight(&id) {
        flight.keep(&output, inner.options.reply_cap);
    }
    let message = Emit::Output {
        doc: host.doc.clone(),
        execution_id: id,
        task_id,
        output,
    };
    emit(&inner.emit, message).await;
}

/// Acts on one message from the host; one that is no [`Event`] is logged and skipped.
pub(super) async fn handle_message(
    inner: &Arc<Inner>,
    host: &Arc<Host>,
    message: Value,
    hello_tx: &mut HelloSender,
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
            loop_kind,
            protocol,
            bridge,
        } => {
            if protocol != PROTOCOL_VERSION {
                // A host from another asyncell version (a stale remote copy, a hand-set
                // PYTHONPATH): its frames may not mean what ours do, so it does not run cells.
                if let Some(hello_tx) = hello_tx.take() {
                    let _ = hello_tx.send(Err(format!(
                        "the host at `{python}` speaks host protocol {protocol}, this asyncell \
                         speaks {PROTOCOL_VERSION}: the asyncell package it imports is from \
                         another version. Reinstall asyncell in that environment (`{python} -m \
                         pip install --force-reinstall asyncell`) or remove the other copy from \
                         its PYTHONPATH"
                    )));
                }
                host.kill("protocol mismatch");
                return;
            }
            if loop_kind.is_some_and(|kind| kind != host.spec.loop_kind) {
                tracing::warn!(
                    "host {}: runs {:?}, asked for {:?}",
                    host.pid,
                    loop_kind,
                    host.spec.loop_kind
                );
            }
            let cwd_is_documents = cwd_requested.is_none() || cwd_requested == cwd;
            let _ = host.hello.set(Hello {
                python,
                version,
                pid,
                cwd,
                cwd_is_documents,
                bridge,
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
            user_expressions,
        } => {
            let Some(flight) = lock(&host.state).land(&id) else {
                return;
            };
            let (mut result, reply) = flight.finish(status, duration_ms, inner.options.reply_cap);
            result.user_expressions = user_expressions;
            let message = Emit::Finished {
                doc: host.doc.clone(),
                result,
                reply,
            };
            emit(&inner.emit, message).await;
        }
        Event::Interrupted { id, how } => {
            lock(&host.state).interrupted(&id, how);
        }
        Event::InputRequest {
            id,
            prompt_id,
            prompt,
            password,
        } => {
            let request = InputRequest {
                doc: host.doc.clone(),
                execution_id: id,
                prompt_id,
                prompt,
                password,
            };
            emit(&inner.emit, Emit::InputRequest(request)).await;
        }
        Event::Task {
            kind,
            task,
            message,
            traceback,
        } => {
            lock(&host.state).task_changed(kind, &task);
            let doc = host.doc.clone();
            if let Some(event) = task_event(doc, host.pid, kind, task, message, traceback) {
                emit(&inner.emit, Emit::Event(event)).await;
            }
        }
        Event::Reply { req, fields } => {
            lock(&host.state).replied(req, fields);
        }
    }
}
