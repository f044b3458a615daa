//! The host protocol, typed: every command the supervisor sends a host (`op`) and every
//! message a host sends back (`ev`), as docs/protocol.md section 2 describes them. The
//! supervisor builds [`Command`]s and matches on [`Event`]s; nothing on either side of
//! this boundary is matched by the text of a field.
//!
//! Host messages are read leniently where the host is not ours to trust with a crash: an
//! event that does not parse is logged and skipped (a newer host's addition, a bug), and
//! unknown fields are ignored.

use std::collections::BTreeMap;

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
        /// The cell's number as users see it (1-based among all the document's cells),
        /// when the front end knows it: the host names the cell's frames `<cell N [K]>`
        /// (K the count), or `<cell [K]>` without it (a Jupyter client sends no cell).
        #[serde(skip_serializing_if = "Option::is_none")]
        cell: Option<u32>,
        /// Its front end answers input requests (a Jupyter client that sent `allow_stdin:
        /// true`): `input()` sends `input_request` and waits for `input_reply`. Absent or
        /// false: `input()` raises `StdinNotImplementedError` at once.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        stdin: bool,
        /// Name → expression, evaluated in the namespace after the cell when it ended
        /// `ok` (Jupyter's `user_expressions`); the values come back in `done`.
        #[serde(skip_serializing_if = "Option::is_none")]
        user_expressions: Option<&'a BTreeMap<String, String>>,
    },
    /// The front end's answer to the `input_request` numbered `prompt_id`; one nobody
    /// waits for any more (the cell was interrupted) is dropped.
    InputReply { prompt_id: u64, value: &'a str },
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
    /// One output of an execution (or of a background task it started): an nbformat
    /// output, or a change to the cell's earlier ones ([`HostOutput`]).
    Output {
        id: String,
        #[serde(default)]
        task: Option<String>,
        #[schemars(with = "HostOutput")]
        output: Map<String, Value>,
    },
    /// An execution finished.
    Done {
        id: String,
        #[serde(default = "error_status")]
        status: ExecStatus,
        #[serde(default)]
        duration_ms: f64,
        /// The values of the `execute`'s `user_expressions`: present when it had some and
        /// the cell ended `ok`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_expressions: Option<BTreeMap<String, UserExpression>>,
    },
    /// How an interrupt of `id` took effect.
    Interrupted { id: String, how: InterruptHow },
    /// `input()` (or `getpass.getpass()`) in execution `id`, which was sent with `stdin`:
    /// the cell waits for the `input_reply` with this `prompt_id` (or an interrupt).
    InputRequest {
        id: String,
        prompt_id: u64,
        #[serde(default)]
        prompt: String,
        /// `getpass`: the front end should not show what is typed.
        #[serde(default)]
        password: bool,
    },
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

/// One evaluated user expression, exactly as a Jupyter `execute_reply` holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum UserExpression {
    /// Its value as a MIME bundle (`text/plain` always), as a result is displayed.
    Ok {
        data: Map<String, Value>,
        #[serde(default)]
        metadata: Map<String, Value>,
    },
    /// It raised (or did not compile).
    Error {
        ename: String,
        evalue: String,
        traceback: Vec<String>,
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

/// One output as the host sends it: the nbformat outputs ([`NbOutput`]), a display that
/// can be replaced later (`display_data` with a `transient.display_id`), its replacement
/// (`update_display_data`), and `clear_output`, which clears the cell's outputs so far
/// (with `wait`, when the next output arrives). Jupyter front ends get all of them as
/// iopub messages; for everyone else the supervisor applies the last two to the outputs
/// it keeps ([`display_output`](super::reply)) and passes nbformat outputs on.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "output_type", rename_all = "snake_case")]
pub enum HostOutput {
    Stream {
        name: StreamName,
        text: String,
    },
    ExecuteResult {
        execution_count: Option<u64>,
        data: Map<String, Value>,
        #[serde(default)]
        metadata: Map<String, Value>,
    },
    DisplayData {
        data: Map<String, Value>,
        #[serde(default)]
        metadata: Map<String, Value>,
        /// Present when the display was given an id (`display(obj, display_id=...)`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transient: Option<Transient>,
    },
    /// Replaces every display shown with `transient.display_id` (in any cell).
    UpdateDisplayData {
        data: Map<String, Value>,
        #[serde(default)]
        metadata: Map<String, Value>,
        transient: Transient,
    },
    /// Clears the outputs the cell showed so far; with `wait`, only when its next output
    /// arrives (a redrawing loop does not flicker).
    ClearOutput {
        #[serde(default)]
        wait: bool,
    },
    Error {
        ename: String,
        evalue: String,
        traceback: Vec<String>,
    },
}

/// What a display carries that is not saved in a notebook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Transient {
    /// The display's name: `update_display_data` with the same id replaces it.
    pub display_id: String,
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
    /// Host-only kinds ([`HostOutput`]): changes to earlier outputs.
    UpdateDisplayData,
    ClearOutput,
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
            cell: None,
            stdin: false,
            user_expressions: None,
        };
        assert_eq!(
            serde_json::to_value(&execute).unwrap(),
            json!({"op": "execute", "id": "e1", "code": "1", "count": 1})
        );
        let asking = Command::Execute {
            id: "e2",
            code: "input()",
            count: 2,
            cell: Some(3),
            stdin: true,
            user_expressions: Some(&BTreeMap::from([("twice".into(), "x * 2".into())])),
        };
        let wire = serde_json::to_value(&asking).unwrap();
        assert_eq!(wire["stdin"], json!(true));
        assert_eq!(wire["cell"], json!(3));
        assert_eq!(wire["user_expressions"], json!({"twice": "x * 2"}));
        assert_eq!(
            serde_json::to_value(Command::InputReply {
                prompt_id: 3,
                value: "Ann"
            })
            .unwrap(),
            json!({"op": "input_reply", "prompt_id": 3, "value": "Ann"})
        );
        let request: Event = serde_json::from_value(json!({
            "ev": "input_request", "id": "e2", "prompt_id": 3, "prompt": "Name: ", "password": false,
        }))
        .unwrap();
        assert_eq!(
            request,
            Event::InputRequest {
                id: "e2".into(),
                prompt_id: 3,
                prompt: "Name: ".into(),
                password: false
            }
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
                duration_ms: 2.5,
                user_expressions: None,
            }
        );
        let answered: Event = serde_json::from_value(json!({
            "ev": "done", "id": "e2", "status": "ok", "duration_ms": 1.0,
            "user_expressions": {
                "x": {"status": "ok", "data": {"text/plain": "2"}, "metadata": {}},
                "y": {"status": "error", "ename": "NameError", "evalue": "name 'y' is not defined",
                      "traceback": ["NameError: name 'y' is not defined"]},
            },
        }))
        .unwrap();
        let Event::Done {
            user_expressions: Some(values),
            ..
        } = answered
        else {
            panic!("a done with values: {answered:?}")
        };
        assert!(matches!(values["x"], UserExpression::Ok { .. }));
        assert!(
            matches!(&values["y"], UserExpression::Error { ename, .. } if ename == "NameError")
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
