//! The host protocol, typed: every command the supervisor sends a host (`op`) and every
//! message a host sends back (`ev`), as docs/protocol.md section 2 describes them. The
//! supervisor builds [`Command`]s and matches on [`Event`]s; nothing on either side of
//! this boundary is matched by the text of a field.
//!
//! Host messages are read leniently where the host is not ours to trust with a crash: an
//! event that does not parse is logged and skipped (a newer host's addition, a bug), and
//! unknown fields are ignored.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::host_spec::LoopKind;
use super::interrupt::InterruptHow;
use super::query::Query;

/// The host protocol version this supervisor speaks (server/host/asyncell/host.py
/// `PROTOCOL_VERSION` must be the same).
pub const PROTOCOL_VERSION: u32 = 1;

fn first_protocol() -> u32 {
    1
}

/// Supervisor → host.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
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
    /// The host's own view of itself (loop, running execution, tasks); answered with a
    /// `reply`. The supervisor answers `asyncell/status` from its own bookkeeping and does
    /// not send it; the host suite and diagnostics do.
    Status { req: u64 },
    /// Stop reading commands, cancel everything and exit 0. The supervisor stops a host by
    /// killing its process group instead (nothing a cell does can delay that).
    Shutdown,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FatalReason {
    TrioMissing,
    #[serde(other)]
    Other,
}

/// What happened to a background task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskChange {
    Started,
    Finished,
    Failed,
    Cancelled,
}

/// Host → supervisor.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
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
        /// The loop the host runs (`--loop`).
        #[serde(default, rename = "loop")]
        loop_kind: Option<LoopKind>,
        /// The protocol version the host speaks; the supervisor refuses any other than
        /// `PROTOCOL_VERSION` (absent means 1, the first).
        #[serde(default = "first_protocol")]
        protocol: u32,
        /// Whether trio-asyncio is importable in the host, so trio cells can await
        /// asyncio code through it.
        #[serde(default)]
        bridge: bool,
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
        #[schemars(with = "NbOutput")]
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
        task: TaskInfo,
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

/// A background task as `background.tasks()` and `asyncell/status` list it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskInfo {
    pub id: String,
    pub name: String,
    pub state: TaskState,
    /// The execution whose code started it (its output goes under that execution).
    #[serde(default)]
    pub started_by: Option<String>,
    /// Seconds since the epoch.
    #[serde(default)]
    pub started_at: f64,
}

/// Where a background task is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Running,
    Done,
    Failed,
    Cancelled,
}

/// One nbformat v4 output, as the host produces it and every front end receives it.
/// The supervisor passes outputs through as JSON objects; this type is their schema.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "output_type", rename_all = "snake_case")]
pub enum NbOutput {
    Stream {
        name: StreamName,
        text: String,
    },
    ExecuteResult {
        execution_count: Option<u64>,
        /// MIME type → data (`text/plain` always; `text/html`, `image/png` base64, ...).
        data: Map<String, Value>,
        #[serde(default)]
        metadata: Map<String, Value>,
    },
    DisplayData {
        data: Map<String, Value>,
        #[serde(default)]
        metadata: Map<String, Value>,
    },
    Error {
        ename: String,
        evalue: String,
        traceback: Vec<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StreamName {
    Stdout,
    Stderr,
}

/// The `output_type` of an [`NbOutput`], for code that passes outputs through as JSON
/// and only needs to know which kind it holds. `other` is a kind this build does not know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputType {
    Stream,
    ExecuteResult,
    DisplayData,
    Error,
    #[serde(other)]
    Other,
}

impl OutputType {
    /// The kind of `output`, read from its tag without copying the rest.
    pub fn of(output: &Value) -> OutputType {
        output
            .get("output_type")
            .and_then(|tag| OutputType::deserialize(tag).ok())
            .unwrap_or(OutputType::Other)
    }
}

impl StreamName {
    /// The stream of a `stream` output (`None` for other outputs).
    pub fn of(output: &Value) -> Option<StreamName> {
        if OutputType::of(output) != OutputType::Stream {
            return None;
        }
        StreamName::deserialize(output.get("name")?).ok()
    }
}

/// The answer to `status`: the host's own view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StatusReply {
    #[serde(rename = "loop")]
    pub loop_kind: LoopKind,
    /// The running execution's id, if one runs.
    pub busy: Option<String>,
    pub tasks: Vec<TaskInfo>,
}

/// The answer to `cancel_task`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CancelReply {
    /// False when the task was not running (already ended, or no such task).
    pub cancelled: bool,
    /// Why nothing was cancelled, when there is more to say than `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The answer to `complete`: what may replace `code[cursor_start..cursor_end]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompleteReply {
    pub matches: Vec<Completion>,
    /// In code points into the question's `code`, as the question's `cursor`.
    pub cursor_start: usize,
    pub cursor_end: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Completion {
    pub text: String,
    pub kind: CompletionKind,
    /// Found in the live namespace (or on a live object), not only by static analysis.
    pub live: bool,
}

/// What a completion names (the host maps jedi's own types onto these). `other` is
/// what a newer host's kind reads as here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompletionKind {
    Variable,
    Function,
    Class,
    Module,
    Keyword,
    Key,
    #[serde(other)]
    Other,
}

/// The answer to `inspect`: the object named at the cursor.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InspectReply {
    pub found: bool,
    /// The dotted name at the cursor (absent when there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// At most a few thousand characters, from a time-bounded `repr()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repr: Option<String>,
    /// With `detail: 1` (`obj??`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// The answer to `variables`: one page of the user's names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VariablesReply {
    pub variables: Vec<Variable>,
    /// How many names there are in all (for paging).
    pub total: usize,
    pub offset: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Variable {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub kind: VariableKind,
    /// At most 200 characters, from a time-bounded `repr()`.
    pub repr: String,
    /// `len N` for builtin containers, `shape (…)` for array-likes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
}

/// What kind of (async) object a variable holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VariableKind {
    Coroutine,
    Task,
    Trio,
    Function,
    Class,
    Value,
}

fn error_status() -> ExecStatus {
    ExecStatus::Error
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn hello_names_its_loop_protocol_and_bridge() {
        let hello: Event = serde_json::from_value(json!({
            "ev": "hello", "pid": 7, "python": "/usr/bin/python3", "version": "3.11.2",
            "cwd": "/w", "cwdRequested": null, "loop": "asyncio", "protocol": 1, "bridge": true,
        }))
        .unwrap();
        let Event::Hello {
            loop_kind,
            protocol,
            bridge,
            ..
        } = hello
        else {
            panic!("not a hello: {hello:?}");
        };
        assert_eq!(
            (loop_kind, protocol, bridge),
            (Some(LoopKind::Asyncio), PROTOCOL_VERSION, true)
        );
        // A host from before the field existed speaks the first protocol.
        let old: Event = serde_json::from_value(json!({"ev": "hello"})).unwrap();
        assert!(matches!(
            old,
            Event::Hello {
                protocol: 1,
                bridge: false,
                loop_kind: None,
                ..
            }
        ));
        assert_eq!(
            serde_json::to_value(Command::Status { req: 2 }).unwrap(),
            json!({"op": "status", "req": 2})
        );
        assert_eq!(
            serde_json::to_value(Command::Shutdown).unwrap(),
            json!({"op": "shutdown"})
        );
    }

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

    #[test]
    fn task_events_carry_typed_tasks_and_ignore_extra_fields() {
        // As background.TaskRecord.as_dict() writes it, plus a field a newer host might add.
        let event: Event = serde_json::from_value(json!({
            "ev": "task", "kind": "cancelled", "message": null,
            "task": {"id": "t2", "name": "beat", "state": "cancelled", "startedBy": null,
                     "startedAt": 1763840000.5, "priority": 3},
        }))
        .unwrap();
        let Event::Task { kind, task, .. } = event else {
            panic!("a task event")
        };
        assert_eq!(kind, TaskChange::Cancelled);
        assert_eq!(
            task,
            TaskInfo {
                id: "t2".into(),
                name: "beat".into(),
                state: TaskState::Cancelled,
                started_by: None,
                started_at: 1763840000.5,
            }
        );
    }

    #[test]
    fn output_kinds_are_read_from_their_tags() {
        let stderr = json!({"output_type": "stream", "name": "stderr", "text": "x"});
        assert_eq!(OutputType::of(&stderr), OutputType::Stream);
        assert_eq!(StreamName::of(&stderr), Some(StreamName::Stderr));
        let error = json!({"output_type": "error", "ename": "E", "evalue": "", "traceback": []});
        assert_eq!(OutputType::of(&error), OutputType::Error);
        assert_eq!(StreamName::of(&error), None);
        assert_eq!(
            OutputType::of(&json!({"output_type": "hologram"})),
            OutputType::Other
        );
        assert_eq!(OutputType::of(&json!("text")), OutputType::Other);
    }
}
