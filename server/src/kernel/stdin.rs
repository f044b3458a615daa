//! The stdin channel: `input()` in a cell whose `execute_request` allowed stdin.
//!
//! The host sends an input request ([`InputRequest`]); the kernel sends `input_request`
//! (`prompt`, `password`) on stdin to the client that asked for the execution, with that
//! `execute_request` as parent, and passes the client's `input_reply` back to the host
//! ([`Supervisor::input_reply`](crate::exec::Supervisor::input_reply)). jupyter_client's
//! `input()` sends its reply without a parent header, so a reply that names no pending
//! request answers the oldest one (a host asks one question at a time). Requests of an
//! execution that ended (interrupted while waiting) are forgotten when it ends, so a late
//! reply cannot answer the next cell's question; one with nothing pending is dropped.

use std::collections::VecDeque;
use std::sync::Arc;

use bytes::Bytes;
use serde_json::json;

use super::bridge::lock;
use super::connection::{message, Incoming};
use super::Kernel;
use crate::exec::InputRequest;

/// An `input_request` sent and not answered yet.
#[derive(Debug)]
struct Pending {
    msg_id: String,
    execution_id: String,
    prompt_id: u64,
}

/// The unanswered input requests, oldest first.
#[derive(Debug, Default)]
pub struct Inputs {
    pending: VecDeque<Pending>,
}

impl Inputs {
    fn ask(&mut self, msg_id: String, execution_id: String, prompt_id: u64) {
        self.pending.push_back(Pending {
            msg_id,
            execution_id,
            prompt_id,
        });
    }

    /// The request a reply with this parent `msg_id` answers (the oldest one when the
    /// parent names none of them), taken out of the pending list.
    fn answer(&mut self, parent_msg_id: Option<&str>) -> Option<u64> {
        let index = parent_msg_id
            .and_then(|id| self.pending.iter().position(|p| p.msg_id == id))
            .unwrap_or(0);
        self.pending.remove(index).map(|p| p.prompt_id)
    }

    /// Execution `id` ended: its questions are no longer waited for.
    pub fn forget(&mut self, execution_id: &str) {
        self.pending.retain(|p| p.execution_id != execution_id);
    }
}

/// Asks the client of `request`'s execution (from the bridge, in output order: what the
/// cell printed before `input()` was published first).
pub async fn ask(kernel: &Kernel, request: InputRequest) {
    let execution = lock(&kernel.executions).get(&request.execution_id).cloned();
    let Some((parent, identities)) =
        execution.and_then(|e| e.stdin.clone().map(|identities| (e.parent, identities)))
    else {
        // The host asks only for executions we allowed stdin; an answer keeps it from
        // waiting for ever if that ever changes.
        tracing::warn!(
            "kernel: an input request of {} which has no stdin client",
            request.execution_id
        );
        answer(kernel, request.prompt_id, "").await;
        return;
    };
    let content = json!({"prompt": request.prompt, "password": request.password});
    let outgoing = message("input_request", content, Some(&parent), identities);
    lock(&kernel.inputs).ask(
        outgoing.header.msg_id.clone(),
        request.execution_id,
        request.prompt_id,
    );
    kernel.stdin.send(outgoing).await;
}

async fn answer(kernel: &Kernel, prompt_id: u64, value: &str) {
    if !kernel
        .supervisor
        .input_reply(&kernel.doc, prompt_id, value)
        .await
    {
        tracing::debug!("kernel: an input reply with no host to take it");
    }
}

/// Reads `input_reply`s for the life of the kernel.
pub async fn read_replies(kernel: Arc<Kernel>, mut stdin: Incoming) {
    while let Some(reply) = stdin.next().await {
        if reply.msg_type() != "input_reply" {
            tracing::info!("kernel stdin: ignoring a {}", reply.msg_type());
            continue;
        }
        let parent = reply.parent_msg_id();
        let Some(prompt_id) = lock(&kernel.inputs).answer(parent.as_deref()) else {
            tracing::info!("kernel stdin: an input_reply nobody waits for (dropped)");
            continue;
        };
        let value = reply.content["value"].as_str().unwrap_or("");
        answer(&kernel, prompt_id, value).await;
    }
}

/// Who gets a cell's input requests: the identities of the client that sent its
/// `execute_request` (clients connect shell and stdin with one identity).
pub type Client = Vec<Bytes>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_answer_their_request_or_else_the_oldest() {
        let mut inputs = Inputs::default();
        inputs.ask("m1".into(), "e1".into(), 1);
        inputs.ask("m2".into(), "e2".into(), 2);
        assert_eq!(inputs.answer(Some("m2")), Some(2));
        assert_eq!(inputs.answer(None), Some(1));
        assert_eq!(inputs.answer(None), None);
    }

    #[test]
    fn an_ended_execution_leaves_no_question_for_late_replies() {
        let mut inputs = Inputs::default();
        inputs.ask("m1".into(), "e1".into(), 1);
        inputs.forget("e1");
        inputs.ask("m2".into(), "e2".into(), 2);
        assert_eq!(inputs.answer(Some("unknown")), Some(2));
        assert_eq!(inputs.answer(None), None);
    }
}
