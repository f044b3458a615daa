//! Requests to a live host, answered while cells run: questions about its namespace
//! ([`Query`]: completion, inspection, the variables view) and the cancellation of a
//! background task. Each carries a fresh `req` number; the host's `reply` with that number
//! is its answer, awaited for at most [`REPLY_TIMEOUT`].

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::oneshot;

use super::host::Host;
use super::protocol::{CancelReply, Command};
use super::slot::{lock, HostState};

/// How long a request waits for its reply (the host answers from a thread of its own,
/// so only a host that is gone or wedged takes this long).
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

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

impl Host {
    /// Sends the command `build` makes with a fresh request number, and waits (bounded)
    /// for the host's `reply` to it: the reply's own fields.
    async fn request<'c>(
        &self,
        build: impl FnOnce(u64) -> Command<'c>,
    ) -> Result<Map<String, Value>, String> {
        let (sender, receiver) = oneshot::channel();
        let req = {
            let mut state = lock(&self.state);
            state.next_request += 1;
            let req = state.next_request;
            state.requests.insert(req, sender);
            req
        };
        self.send(&build(req)).await;
        match tokio::time::timeout(REPLY_TIMEOUT, receiver).await {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(_)) => Err("the host exited before answering".into()),
            Err(_) => {
                lock(&self.state).requests.remove(&req);
                Err(format!(
                    "the host did not answer within {} s (is the loop blocked?)",
                    REPLY_TIMEOUT.as_secs()
                ))
            }
        }
    }

    /// Asks the live namespace `question`: the host's answer, or why there is none.
    pub(super) async fn query(&self, question: &Query) -> Result<Value, String> {
        let mut reply = self
            .request(|req| Command::Query {
                req,
                query: question,
            })
            .await?;
        if let Some(error) = reply.get("error").and_then(Value::as_str) {
            return Err(format!("the host could not answer: {error}"));
        }
        reply.remove("ev");
        reply.remove("req");
        Ok(Value::Object(reply))
    }

    /// Cancels background task `task`: whether it was running.
    pub(super) async fn cancel_task(&self, task: &str) -> Result<bool, String> {
        let reply = self
            .request(|req| Command::CancelTask { req, task })
            .await?;
        Ok(serde_json::from_value::<CancelReply>(Value::Object(reply))
            .is_ok_and(|reply| reply.cancelled))
    }
}

impl HostState {
    /// The host's `reply` to request `req`: hand it to the caller waiting for it.
    pub(super) fn replied(&mut self, req: u64, fields: Map<String, Value>) {
        if let Some(waiter) = self.requests.remove(&req) {
            let _ = waiter.send(fields);
        }
    }
}
