//! The committed protocol schemas and examples are what the types generate.
//!
//! docs/schema/*.schema.json are generated from the Rust types of the LSP extension and
//! the host protocol; docs/schema/lsp-extension.examples.json holds one real message of
//! every kind, built here by parsing it into its Rust type and serializing it back, so an
//! example the server could not read cannot be committed. The editor clients' contract
//! tests feed those examples to their own handlers, and tests/e2e validates every message
//! of a real session against the schema.
//!
//! After changing a type: `ASYNCELL_UPDATE_SCHEMA=1 cargo test --test protocol_schema`.

use std::path::PathBuf;

use asyncell::exec::protocol::NbOutput;
use asyncell::schema;
use asyncell::server::extension as ext;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use tower_lsp_server::lsp_types::notification::Notification;
use tower_lsp_server::lsp_types::request::Request;

const EXAMPLES_PATH: &str = "docs/schema/lsp-extension.examples.json";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Compares `text` with the committed file, or rewrites it when asked to.
fn check_committed(relative: &str, text: &str) {
    let path = repo_root().join(relative);
    if std::env::var_os("ASYNCELL_UPDATE_SCHEMA").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "{relative} is stale: the protocol types changed. Regenerate it with \
         `ASYNCELL_UPDATE_SCHEMA=1 cargo test --test protocol_schema` and commit it."
    );
}

/// `value` read as `T` and written back: the canonical form of a message the server
/// accepts (a request's params) or sends (a result, a notification).
fn typed<T: DeserializeOwned + Serialize>(value: Value) -> Value {
    let parsed: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|err| panic!("example does not parse as its type: {err}\n{value:#}"));
    serde_json::to_value(parsed).unwrap()
}

fn request_example<R: Request>(name: &str, params: Value, result: Value) -> Value
where
    R::Params: DeserializeOwned + Serialize,
    R::Result: DeserializeOwned + Serialize,
{
    json!({
        "name": name,
        "method": R::METHOD,
        "params": typed::<R::Params>(params),
        "result": typed::<R::Result>(result),
    })
}

fn notification_example<N: Notification>(name: &str, params: Value) -> Value
where
    N::Params: DeserializeOwned + Serialize,
{
    json!({"name": name, "method": N::METHOD, "params": typed::<N::Params>(params)})
}

fn output_example(name: &str, task: Option<&str>, output: Value) -> Value {
    // The output travels as a JSON object; check it is one of the nbformat outputs.
    let output = typed::<NbOutput>(output);
    notification_example::<ext::Output>(
        name,
        json!({
            "textDocument": {"uri": "file:///work/demo.py"},
            "executionId": "e3",
            "taskId": task,
            "output": output,
        }),
    )
}

const DOC: &str = "file:///work/demo.py";

fn examples() -> Value {
    let doc = json!({"uri": DOC});
    let ok_result = json!({
        "executionId": "e3",
        "executionCount": 3,
        "status": "ok",
        "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "beat 0\n"},
            {"output_type": "execute_result", "execution_count": 3,
             "data": {"text/plain": "42"}, "metadata": {}},
        ],
        "durationMs": 2.4,
    });
    let error_result = json!({
        "executionId": "e4",
        "executionCount": 4,
        "status": "error",
        "outputs": [{"output_type": "error", "ename": "ZeroDivisionError",
                     "evalue": "division by zero",
                     "traceback": ["Traceback (most recent call last):",
                                   "  File \"<cell 2 [4]>\", line 1, in <module>",
                                   "ZeroDivisionError: division by zero"]}],
        "durationMs": 0.9,
    });
    let status = json!({
        "state": "busy",
        "loop": "trio",
        "python": "/work/.venv/bin/python",
        "pythonVersion": "3.11.2",
        "interpreter": {"argv": ["/work/.venv/bin/python"], "source": "projectVenv"},
        "host": {"copy": "installed", "path": "/work/.venv/lib/python3.11/site-packages/asyncell_host"},
        "pid": 4242,
        "processPid": 4242,
        "cwd": "/work",
        "executionCount": 3,
        "executionId": "e3",
        "queued": 1,
        "tasks": [{"id": "t1", "name": "heartbeat", "state": "running",
                   "startedBy": "e2", "startedAt": 1764720000.5}],
        "lastExit": null,
    });
    json!([
        request_example::<ext::Execute>(
            "execute a cell",
            json!({"textDocument": doc, "cell": 2, "executionId": "e3"}),
            ok_result,
        ),
        request_example::<ext::Execute>(
            "execute code that raises",
            json!({"textDocument": doc, "code": "1/0"}),
            error_result,
        ),
        request_example::<ext::Execute>(
            "execute the cell at a position",
            json!({"textDocument": doc, "position": {"line": 7, "character": 0}}),
            json!({"executionId": "e5", "executionCount": null, "status": "cancelled",
                   "outputs": [], "durationMs": 0.0}),
        ),
        request_example::<ext::Interrupt>(
            "interrupt an awaiting cell",
            json!({"textDocument": doc}),
            json!({"interrupted": true, "how": "cancelled", "executionId": "e3", "dropped": 1,
                   "restartSuggested": false, "message": "cancelled the running cell's await"}),
        ),
        request_example::<ext::Restart>(
            "restart",
            json!({"textDocument": doc}),
            json!({"pid": 4243})
        ),
        request_example::<ext::Shutdown>(
            "shut down",
            json!({"textDocument": doc}),
            json!({"stopped": true})
        ),
        request_example::<ext::Status>(
            "status while a cell runs",
            json!({"textDocument": doc}),
            status
        ),
        request_example::<ext::CancelTask>(
            "cancel a background task",
            json!({"textDocument": doc, "taskId": "t1"}),
            json!({"cancelled": true}),
        ),
        request_example::<ext::Complete>(
            "complete a live name",
            json!({"textDocument": doc, "code": "heart", "cursor": 5}),
            json!({"matches": [{"text": "heartbeat_count", "kind": "variable", "live": true}],
                   "cursorStart": 0, "cursorEnd": 5}),
        ),
        request_example::<ext::Inspect>(
            "inspect trio.sleep",
            json!({"textDocument": doc, "code": "trio.sleep", "cursor": 10, "detail": 0}),
            json!({"found": true, "name": "trio.sleep", "type": "function",
                   "signature": "(seconds: float) -> None",
                   "doc": "Pause execution of the current task for the given number of seconds."}),
        ),
        request_example::<ext::Variables>(
            "list the namespace",
            json!({"textDocument": doc, "offset": 0, "limit": 100}),
            json!({"variables": [
                       {"name": "count", "type": "int", "kind": "value", "repr": "17"},
                       {"name": "GLOBAL_NURSERY", "type": "Nursery", "kind": "trio", "repr": "<trio.Nursery at 0x7f…>"},
                       {"name": "rows", "type": "list", "kind": "value", "repr": "[1, 2, 3]", "size": "len 3"}],
                   "total": 3, "offset": 0}),
        ),
        output_example(
            "stdout of a cell",
            None,
            json!({"output_type": "stream", "name": "stdout", "text": "beat 1\n"})
        ),
        output_example(
            "stdout of a background task",
            Some("t1"),
            json!({"output_type": "stream", "name": "stdout", "text": "beat 2\n"})
        ),
        output_example(
            "an image",
            None,
            json!({"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"},
                   "metadata": {}})
        ),
        output_example(
            "a traceback",
            None,
            json!({"output_type": "error", "ename": "ValueError", "evalue": "bad",
                   "traceback": ["ValueError: bad"]})
        ),
        notification_example::<ext::Event>(
            "host started",
            json!({"textDocument": doc, "kind": "hostStarted", "message": "trio host started", "pid": 4242}),
        ),
        notification_example::<ext::Event>(
            "host died",
            json!({"textDocument": doc, "kind": "hostExited", "message": "host died (exit code 1)"}),
        ),
        notification_example::<ext::Event>(
            "host stopped on purpose",
            json!({"textDocument": doc, "kind": "hostExited", "stopped": true, "message": "host shut down"}),
        ),
        notification_example::<ext::Event>(
            "a background task failed",
            json!({"textDocument": doc, "kind": "taskFailed", "taskId": "t1",
                   "message": "task heartbeat failed: RuntimeError: boom",
                   "traceback": "Traceback (most recent call last):\nRuntimeError: boom"}),
        ),
        notification_example::<ext::Event>(
            "a background task finished",
            json!({"textDocument": doc, "kind": "taskFinished", "taskId": "t2", "message": "task fetch finished"}),
        ),
    ])
}

#[test]
fn lsp_extension_schema_is_current() {
    check_committed(
        schema::LSP_EXTENSION_PATH,
        &schema::render(&schema::lsp_extension()),
    );
}

#[test]
fn host_protocol_schema_is_current() {
    check_committed(
        schema::HOST_PROTOCOL_PATH,
        &schema::render(&schema::host_protocol()),
    );
}

#[test]
fn lsp_examples_are_current() {
    check_committed(EXAMPLES_PATH, &schema::render(&examples()));
}

/// Every method and every event kind has an example, so a client contract test that
/// feeds them all covers the whole extension.
#[test]
fn examples_cover_every_method_and_event_kind() {
    let examples = examples();
    let methods: Vec<&str> = examples
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["method"].as_str().unwrap())
        .collect();
    for method in ext::REQUESTS.iter().chain(ext::NOTIFICATIONS.iter()) {
        assert!(methods.contains(method), "no example of {method}");
    }
    let schema = schema::lsp_extension();
    let kinds = schema["$defs"]["EventKind"]["enum"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| {
            schema["$defs"]["EventKind"]["oneOf"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["const"].clone())
                .collect()
        });
    assert_eq!(kinds.len(), 4);
    for kind in kinds {
        assert!(
            examples
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["params"]["kind"] == kind),
            "no example of event kind {kind}"
        );
    }
    for output_type in ["stream", "display_data", "error"] {
        assert!(
            examples
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["params"]["output"]["output_type"] == output_type),
            "no example of output {output_type}"
        );
    }
}

/// The schema names exactly the methods the server registers.
#[test]
fn schema_methods_are_the_registered_methods() {
    let schema = schema::lsp_extension();
    let mut requests: Vec<&str> = schema["requests"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    let mut expected: Vec<&str> = ext::REQUESTS.to_vec();
    requests.sort();
    expected.sort();
    assert_eq!(requests, expected);
    let mut notifications: Vec<&str> = schema["notifications"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    notifications.sort();
    assert_eq!(notifications, vec!["asyncell/event", "asyncell/output"]);
}

/// The host package and the supervisor speak the same protocol version (the supervisor
/// refuses a host whose `hello` names another).
#[test]
fn host_and_supervisor_protocol_versions_agree() {
    let host = std::fs::read_to_string(repo_root().join("server/host/asyncell/host.py")).unwrap();
    let line = host
        .lines()
        .find(|line| line.starts_with("PROTOCOL_VERSION = "))
        .expect("host.py defines PROTOCOL_VERSION");
    let version: u32 = line["PROTOCOL_VERSION = ".len()..].trim().parse().unwrap();
    assert_eq!(version, asyncell::exec::protocol::PROTOCOL_VERSION);
}
