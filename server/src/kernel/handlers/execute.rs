//! `execute_request`: runs the cell on the host, one execution after another.
//!
//! Around each: `status: busy`, `execute_input`, the outputs as the bridge publishes them,
//! the `execute_reply`, `status: idle`, all with the request as parent. `silent` shows no
//! `execute_input` or result and counts nothing; `store_history: false` counts nothing
//! and leaves the history alone. After a failed cell with `stop_on_error` (the default),
//! the executions already queued are answered `aborted` without running, as ipykernel
//! does ("Run All" stops at the first error).

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::exec::{ExecResult, ExecStatus, ExecuteOptions};
use crate::kernel::bridge::{self, lock, Execution};
use crate::kernel::connection::{Replier, Request};
use crate::kernel::history::Entry;
use crate::kernel::Kernel;

/// `execute_request`s read but not yet run. A full queue stops the shell reader (and so
/// the sender) instead of growing.
const QUEUE: usize = 1024;

/// The queue of executions and the task that runs them.
pub struct Executor {
    sender: mpsc::Sender<Request>,
}

impl Executor {
    pub fn start(kernel: Arc<Kernel>, replier: Replier) -> Executor {
        let (sender, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(run(kernel, replier, receiver));
        Executor { sender }
    }

    pub async fn submit(&self, request: Request) {
        let _ = self.sender.send(request).await;
    }
}

async fn run(kernel: Arc<Kernel>, replier: Replier, mut receiver: mpsc::Receiver<Request>) {
    while let Some(request) = receiver.recv().await {
        let failed = execute(&kernel, &replier, &request).await;
        let stop_on_error = request.content["stop_on_error"].as_bool().unwrap_or(true);
        if failed && stop_on_error {
            while let Ok(queued) = receiver.try_recv() {
                abort(&kernel, &replier, &queued).await;
            }
        }
    }
}

/// Runs one cell; whether it failed (error or interrupted).
async fn execute(kernel: &Kernel, replier: &Replier, request: &Request) -> bool {
    let parent = &request.header;
    kernel.iopub.status("busy", Some(parent)).await;
    let code = request.content["code"].as_str().unwrap_or("").to_string();
    let silent = request.content["silent"].as_bool().unwrap_or(false);
    let store_history = !silent && request.content["store_history"].as_bool().unwrap_or(true);
    // Absent means no, as in ipykernel (nbclient and papermill send false).
    let allow_stdin = request.content["allow_stdin"].as_bool().unwrap_or(false);
    let count = if store_history {
        kernel.count.fetch_add(1, Ordering::SeqCst) + 1
    } else {
        kernel.count.load(Ordering::SeqCst)
    };
    let id = kernel.supervisor.next_execution_id();
    lock(&kernel.executions).register(
        &id,
        Execution {
            parent: parent.clone(),
            count,
            silent,
            published: false,
            result_text: None,
            stdin: allow_stdin.then(|| request.identities.clone()),
        },
    );
    if !silent {
        kernel
            .iopub
            .publish(
                "execute_input",
                json!({"code": code, "execution_count": count}),
                Some(parent),
            )
            .await;
    }
    let result = kernel
        .supervisor
        .execute_with(
            &kernel.doc,
            &kernel.spec,
            code.clone(),
            Some(id.clone()),
            &ExecuteOptions {
                stdin: allow_stdin,
                user_expressions: user_expressions(&request.content),
                // A Jupyter client names no cell: frames are `<cell [K]>`.
                cell: None,
            },
        )
        .await
        .unwrap_or_else(|error| {
            ExecResult::failed(
                id.clone(),
                ExecStatus::Error,
                "KernelError",
                error,
                Vec::new(),
            )
        });
    lock(&kernel.inputs).forget(&id);
    // Results that never reached the host (it could not start, an interrupt dropped it)
    // have outputs nobody published yet.
    let published = lock(&kernel.executions)
        .get(&id)
        .is_some_and(|e| e.published);
    if !published {
        for output in &result.outputs {
            bridge::publish_output(kernel, &id, output).await;
        }
    }
    if store_history {
        let output = lock(&kernel.executions)
            .get(&id)
            .and_then(|e| e.result_text.clone());
        lock(&kernel.history).push(Entry {
            line: count,
            input: code,
            output,
        });
    }
    let content = reply_content(&result, count);
    let failed = content["status"] != "ok";
    replier.reply(request, content).await;
    kernel.iopub.status("idle", Some(parent)).await;
    failed
}

/// The request's `user_expressions` (name → code); entries that are not text are left
/// out (ipykernel would fail on them the same way: nothing to evaluate).
fn user_expressions(content: &Value) -> BTreeMap<String, String> {
    let Some(expressions) = content["user_expressions"].as_object() else {
        return BTreeMap::new();
    };
    expressions
        .iter()
        .filter_map(|(name, code)| Some((name.clone(), code.as_str()?.to_string())))
        .collect()
}

/// The `execute_reply` content for a result. User expressions are answered only after a
/// cell that ended `ok` (else `{}`), as ipykernel does.
pub fn reply_content(result: &ExecResult, count: u64) -> Value {
    if result.status == ExecStatus::Ok {
        let values = match &result.user_expressions {
            Some(values) => serde_json::to_value(values).unwrap_or_else(|_| json!({})),
            None => json!({}),
        };
        return json!({"status": "ok", "execution_count": count, "user_expressions": values, "payload": []});
    }
    let error = result
        .outputs
        .iter()
        .find(|o| o["output_type"] == "error")
        .cloned()
        .unwrap_or_else(
            || json!({"ename": "Error", "evalue": result.status.as_str(), "traceback": []}),
        );
    json!({
        "status": "error",
        "execution_count": count,
        "ename": error["ename"],
        "evalue": error["evalue"],
        "traceback": error["traceback"],
        "user_expressions": {},
        "payload": [],
    })
}

/// An execution skipped because an earlier one failed.
async fn abort(kernel: &Kernel, replier: &Replier, request: &Request) {
    let parent = &request.header;
    kernel.iopub.status("busy", Some(parent)).await;
    replier
        .reply(
            request,
            json!({"status": "aborted", "execution_count": kernel.count.load(Ordering::SeqCst)}),
        )
        .await;
    kernel.iopub.status("idle", Some(parent)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_results_reply_with_their_error() {
        let result = ExecResult::failed(
            "e1".into(),
            ExecStatus::Error,
            "ZeroDivisionError",
            "division by zero".into(),
            Vec::new(),
        );
        let reply = reply_content(&result, 4);
        assert_eq!(reply["status"], "error");
        assert_eq!(reply["ename"], "ZeroDivisionError");
        assert_eq!(reply["execution_count"], 4);
        assert_eq!(reply["user_expressions"], json!({}));
    }

    #[test]
    fn user_expressions_are_read_as_text_and_answered_as_jupyter_shapes_them() {
        let asked = user_expressions(&json!({"user_expressions": {"a": "x + 1", "odd": 3}}));
        assert_eq!(
            asked,
            BTreeMap::from([("a".to_string(), "x + 1".to_string())])
        );
        assert!(user_expressions(&json!({})).is_empty());
        let mut result = ExecResult::failed(
            "e1".into(),
            ExecStatus::Ok,
            "unused",
            String::new(),
            Vec::new(),
        );
        result.user_expressions = Some(BTreeMap::from([(
            "a".to_string(),
            crate::exec::protocol::UserExpression::Ok {
                data: serde_json::from_value(json!({"text/plain": "2"})).unwrap(),
                metadata: Default::default(),
            },
        )]));
        let reply = reply_content(&result, 1);
        assert_eq!(
            reply["user_expressions"],
            json!({"a": {"status": "ok", "data": {"text/plain": "2"}, "metadata": {}}})
        );
    }
}
