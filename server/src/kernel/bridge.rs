//! The execution bridge: the supervisor's [`Emit`]s as iopub messages.
//!
//! Every execution the kernel submits is registered here first, under the execution id it
//! is submitted with, with the header of the `execute_request` that asked for it. Outputs
//! carry that id, including the output of a background task and the traceback of one
//! that fails, long after its cell finished: they are published with *that* request's
//! parent header, so front ends draw them under the cell that started the task.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use jupyter_protocol::Header;
use serde_json::{json, Map, Value};
use tokio::sync::mpsc;

use super::connection::IoPub;
use super::Kernel;
use crate::exec::{Emit, EventKind};

/// Executions remembered for their late outputs; the oldest are forgotten first (their
/// background tasks' output then goes out with no parent, which front ends show in
/// the console or log).
const REMEMBERED: usize = 4096;

/// What the bridge knows about one execution.
#[derive(Clone, Debug)]
pub struct Execution {
    pub parent: Header,
    /// The count front ends show (`In [n]`).
    pub count: u64,
    pub silent: bool,
    /// Whether any output of it was published (else its result's outputs are sent).
    pub published: bool,
    /// `text/plain` of its result, for `history_request` with `output`.
    pub result_text: Option<String>,
    /// With `allow_stdin`: the client its input requests go to (kernel/stdin.rs).
    pub stdin: Option<super::stdin::Client>,
}

#[derive(Default)]
pub struct Executions {
    by_id: HashMap<String, Execution>,
    order: VecDeque<String>,
}

impl Executions {
    pub fn register(&mut self, id: &str, execution: Execution) {
        if self.order.len() >= REMEMBERED {
            if let Some(old) = self.order.pop_front() {
                self.by_id.remove(&old);
            }
        }
        self.order.push_back(id.to_string());
        self.by_id.insert(id.to_string(), execution);
    }

    pub fn get(&self, id: &str) -> Option<&Execution> {
        self.by_id.get(id)
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut Execution> {
        self.by_id.get_mut(id)
    }
}

pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// An nbformat output as the iopub message that carries it, or `None` for one that is
/// not shown (a silent execution's result).
pub fn output_message(output: &Value, count: u64, silent: bool) -> Option<(&'static str, Value)> {
    let fields: Map<String, Value> = output
        .as_object()?
        .iter()
        .filter(|(key, _)| key.as_str() != "output_type")
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let mut content = Value::Object(fields);
    match output["output_type"].as_str()? {
        "stream" => Some(("stream", content)),
        "display_data" => {
            let object = content.as_object_mut()?;
            object.entry("metadata").or_insert_with(|| json!({}));
            object.entry("transient").or_insert_with(|| json!({}));
            Some(("display_data", content))
        }
        "update_display_data" => Some(("update_display_data", content)),
        "clear_output" => Some(("clear_output", content)),
        "execute_result" if silent => None,
        "execute_result" => {
            let object = content.as_object_mut()?;
            object.insert("execution_count".into(), json!(count));
            object.entry("metadata").or_insert_with(|| json!({}));
            Some(("execute_result", content))
        }
        "error" => Some(("error", content)),
        other => {
            tracing::debug!("kernel: an output of unknown type {other} is not published");
            None
        }
    }
}

/// Publishes one output of execution `id` under its request.
pub async fn publish_output(kernel: &Kernel, id: &str, output: &Value) {
    let execution = note_output(kernel, id, output);
    let (count, silent, parent) = match &execution {
        Some(execution) => (execution.count, execution.silent, Some(&execution.parent)),
        // Not ours (forgotten): still shown, with no parent.
        None => (0, false, None),
    };
    if let Some((msg_type, content)) = output_message(output, count, silent) {
        kernel.iopub.publish(msg_type, content, parent).await;
    }
}

/// Records that execution `id` published `output`; what is known about it.
fn note_output(kernel: &Kernel, id: &str, output: &Value) -> Option<Execution> {
    let mut executions = lock(&kernel.executions);
    let execution = executions.get_mut(id)?;
    execution.published = true;
    if output["output_type"] == "execute_result" {
        execution.result_text = output["data"]["text/plain"].as_str().map(str::to_string);
    }
    Some(execution.clone())
}

/// Consumes the supervisor's channel for the life of the kernel.
pub async fn forward(kernel: Arc<Kernel>, mut receiver: mpsc::Receiver<Emit>) {
    while let Some(emit) = receiver.recv().await {
        match emit {
            Emit::Output {
                execution_id,
                output,
                ..
            } => publish_output(&kernel, &execution_id, &output).await,
            Emit::Finished { result, reply, .. } => {
                let _ = reply.send(result);
            }
            Emit::InputRequest(request) => super::stdin::ask(&kernel, request).await,
            Emit::Event(event) => {
                if event.kind == EventKind::HostExited && !event.stopped && event.pid.is_some() {
                    // The host died under us: its running cell already got the error
                    // naming the cause. Say so, and start a fresh one.
                    tracing::warn!("kernel: {}", event.message);
                    host_died(&kernel, &kernel.iopub).await;
                }
            }
        }
    }
}

async fn host_died(kernel: &Arc<Kernel>, iopub: &IoPub) {
    iopub.status("restarting", None).await;
    let kernel = kernel.clone();
    tokio::spawn(async move {
        match kernel.supervisor.restart(&kernel.doc, &kernel.spec).await {
            Ok(pid) => tracing::info!("kernel: fresh host started (pid {pid})"),
            Err(error) => tracing::warn!("kernel: the fresh host could not start: {error}"),
        }
        kernel.iopub.status("idle", None).await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_become_iopub_messages() {
        let stream = json!({"output_type": "stream", "name": "stdout", "text": "hi\n"});
        assert_eq!(
            output_message(&stream, 1, false),
            Some(("stream", json!({"name": "stdout", "text": "hi\n"})))
        );
        let result = json!({"output_type": "execute_result", "execution_count": 9, "data": {"text/plain": "2"}});
        let (kind, content) = output_message(&result, 3, false).unwrap();
        assert_eq!(kind, "execute_result");
        assert_eq!(content["execution_count"], 3);
        assert_eq!(output_message(&result, 3, true), None);
        let display = json!({"output_type": "display_data", "data": {"text/plain": "x"}});
        assert_eq!(
            output_message(&display, 1, false).unwrap().1["transient"],
            json!({})
        );
    }

    #[test]
    fn the_oldest_executions_are_forgotten() {
        let mut executions = Executions::default();
        let header =
            crate::kernel::connection::message("execute_request", json!({}), None, Vec::new())
                .header;
        for i in 0..REMEMBERED + 1 {
            executions.register(
                &format!("e{i}"),
                Execution {
                    parent: header.clone(),
                    count: 0,
                    silent: false,
                    published: false,
                    result_text: None,
                    stdin: None,
                },
            );
        }
        assert!(executions.get("e0").is_none());
        assert!(executions.get(&format!("e{REMEMBERED}")).is_some());
    }
}
