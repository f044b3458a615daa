//! The host protocol, typed: every command the supervisor sends a host (`op`) and every
//! message a host sends back (`ev`), as docs/protocol.md section 2 describes them. The
//! supervisor builds [`Command`]s and matches on [`Event`]s; nothing on either side of
//! this boundary is matched by the text of a field.
//!
//! Host messages are read leniently where the host is not ours to trust with a crash: an
//! event that does not parse is logged and skipped (a newer host's addition, a bug), and
//! unknown fields are ignored.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::supervisor::{InterruptHow, Query};

/// Supervisor → host.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command<'a> {
    /// Queue a cell; cells run one at a time in arrival order.
    Execute {
        id: &'a str,
        code: &'a str,
        /// The execution count to show.
        count: u64,
    },
    /// Interrupt that execution if it runs; drop it if it is queued.
    Interrupt { id: &'a str },
    /// Cancel one background task; answered with a `reply`.
    CancelTask { req: u64, task: &'a str },
    /// A question about the namespace (`complete`, `inspect`, `variables`); answered with
    /// a `reply`.
    #[serde(untagged)]
    Query {
        req: u64,
        #[serde(flatten)]
        query: &'a Query,
    },
}

/// What an execution ended as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecStatus {
    Ok,
    Error,
    Cancelled,
}

impl ExecStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExecStatus::Ok => "ok",
            ExecStatus::Error => "error",
            ExecStatus::Cancelled => "cancelled",
        }
    }
}

/// Why a host could not start, when it can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FatalReason {
    TrioMissing,
    #[serde(other)]
    Other,
}

/// What happened to a background task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskChange {
    Started,
    Finished,
    Failed,
    Cancelled,
}

/// Host → supervisor.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "ev", rename_all = "snake_case")]
pub enum Event {
    /// The host is ready to take `execute`.
    Hello {
        #[serde(default)]
        pid: Option<u32>,
        #[serde(default)]
        python: String,
        #[serde(default)]
        version: String,
        /// Where the cells run, and the `--cwd` asked for (null for a local host).
        #[serde(default)]
        cwd: Option<String>,
        #[serde(default, rename = "cwdRequested")]
        cwd_requested: Option<String>,
    },
    /// The host cannot start (trio missing, ...).
    Fatal {
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        reason: Option<FatalReason>,
    },
    /// An execution left the queue and began running.
    Started { id: String },
    /// One nbformat output of an execution (or of a background task it started).
    Output {
        id: String,
        #[serde(default)]
        task: Option<String>,
        output: Map<String, Value>,
    },
    /// An execution finished.
    Done {
        id: String,
        #[serde(default = "error_status")]
        status: ExecStatus,
        #[serde(default)]
        duration_ms: f64,
    },
    /// How an interrupt of `id` took effect.
    Interrupted { id: String, how: InterruptHow },
    /// A background task started, finished, failed or was cancelled.
    Task {
        kind: TaskChange,
        /// The task as `background.tasks()` lists it (id, name, state, ...).
        task: Map<String, Value>,
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        traceback: Option<String>,
    },
    /// The answer to a request (`req`), with the op's own fields.
    Reply {
        req: u64,
        #[serde(flatten)]
        fields: Map<String, Value>,
    },
}

fn error_status() -> ExecStatus {
    ExecStatus::Error
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn commands_are_the_documented_json() {
        let execute = Command::Execute {
            id: "e1",
            code: "1",
            count: 1,
        };
        assert_eq!(
            serde_json::to_value(&execute).unwrap(),
            json!({"op": "execute", "id": "e1", "code": "1", "count": 1})
        );
        let question = Query::Complete {
            code: "tr".into(),
            cursor: 2,
        };
        let query = Command::Query {
            req: 7,
            query: &question,
        };
        assert_eq!(
            serde_json::to_value(&query).unwrap(),
            json!({"op": "complete", "req": 7, "code": "tr", "cursor": 2})
        );
        assert_eq!(
            serde_json::to_value(Command::CancelTask { req: 3, task: "t1" }).unwrap(),
            json!({"op": "cancel_task", "req": 3, "task": "t1"})
        );
    }

    #[test]
    fn events_parse_and_unknown_values_are_errors_not_guesses() {
        let done: Event = serde_json::from_value(
            json!({"ev": "done", "id": "e1", "status": "cancelled", "duration_ms": 2.5}),
        )
        .unwrap();
        assert_eq!(
            done,
            Event::Done {
                id: "e1".into(),
                status: ExecStatus::Cancelled,
                duration_ms: 2.5
            }
        );
        let interrupted: Event =
            serde_json::from_value(json!({"ev": "interrupted", "id": "e1", "how": "stuck"}))
                .unwrap();
        assert_eq!(
            interrupted,
            Event::Interrupted {
                id: "e1".into(),
                how: InterruptHow::Stuck
            }
        );
        let reply: Event =
            serde_json::from_value(json!({"ev": "reply", "req": 4, "cancelled": true})).unwrap();
        let Event::Reply { req, fields } = reply else {
            panic!("a reply")
        };
        assert_eq!((req, fields["cancelled"].clone()), (4, json!(true)));
        let fatal: Event = serde_json::from_value(
            json!({"ev": "fatal", "reason": "trio-missing", "message": "no trio"}),
        )
        .unwrap();
        assert!(matches!(
            fatal,
            Event::Fatal {
                reason: Some(FatalReason::TrioMissing),
                ..
            }
        ));
        assert!(serde_json::from_value::<Event>(
            json!({"ev": "done", "id": "e1", "status": "maybe"})
        )
        .is_err());
        assert!(serde_json::from_value::<Event>(json!({"ev": "dance"})).is_err());
    }
}
