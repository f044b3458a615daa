//! `$/cancelRequest` of a running `asyncell/execute` interrupts that execution.
//!
//! tower-lsp-server answers a cancelled request itself (-32800) and drops its handler, but
//! dropping the handler leaves the cell running on its host and loses what it printed. So
//! the transport routes such a cancel here instead: every `asyncell/execute` is given an
//! execution id (when the client sent none), and a cancel of one in flight becomes the
//! internal notification `asyncell/cancelExecution`, which interrupts just that execution.
//! The request then ends as any interrupted execution does, and its reply carries the
//! outputs and the KeyboardInterrupt. Other requests are cancelled as before.

use rustc_hash::FxHashMap;
use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::{Id, Request};

/// The internal notification a cancel of an execution becomes (never sent by clients:
/// it is documented only as what `$/cancelRequest` does).
pub const CANCEL_EXECUTION: &str = "asyncell/cancelExecution";

/// The executions of the `asyncell/execute` requests in flight. At most one entry per
/// request being handled, so it is bounded by the transport's in-flight limit.
#[derive(Default)]
pub struct Cancellations {
    executions: FxHashMap<Id, Execution>,
}

struct Execution {
    text_document: Value,
    execution_id: String,
}

impl Cancellations {
    /// The request as the service should see it: an `asyncell/execute` gets an execution
    /// id if it has none, and a `$/cancelRequest` of one becomes `asyncell/cancelExecution`.
    pub fn incoming(&mut self, request: Request) -> Request {
        match request.method() {
            "asyncell/execute" => self.execute(request),
            "$/cancelRequest" => self.cancel(request),
            _ => request,
        }
    }

    /// A response is leaving: its request is no longer cancellable.
    pub fn answered(&mut self, id: &Id) {
        self.executions.remove(id);
    }

    fn execute(&mut self, request: Request) -> Request {
        let (method, id, params) = request.into_parts();
        let (id, mut params) = match (id, params) {
            (Some(id), Some(Value::Object(params))) => (id, params),
            // A notification or params that are no object: the handler reports it.
            (id, params) => return rebuild(method.into_owned(), id, params),
        };
        let execution_id = match params.get("executionId") {
            Some(Value::String(given)) => given.clone(),
            // A wrong type is the handler's to report.
            Some(_) => return rebuild(method.into_owned(), Some(id), Some(Value::Object(params))),
            None => {
                let generated = format!("lsp-{id}");
                params.insert("executionId".into(), Value::String(generated.clone()));
                generated
            }
        };
        let text_document = params.get("textDocument").cloned().unwrap_or(Value::Null);
        self.executions.insert(
            id.clone(),
            Execution {
                text_document,
                execution_id,
            },
        );
        rebuild(method.into_owned(), Some(id), Some(Value::Object(params)))
    }

    fn cancel(&mut self, request: Request) -> Request {
        let cancelled = request
            .params()
            .and_then(|params| params.get("id"))
            .and_then(|id| serde_json::from_value::<Id>(id.clone()).ok());
        let Some(execution) = cancelled.and_then(|id| self.executions.get(&id)) else {
            return request;
        };
        Request::build(CANCEL_EXECUTION)
            .params(json!({
                "textDocument": execution.text_document,
                "executionId": execution.execution_id,
            }))
            .finish()
    }
}

pub(super) fn rebuild(method: String, id: Option<Id>, params: Option<Value>) -> Request {
    let mut builder = Request::build(method);
    if let Some(id) = id {
        builder = builder.id(id);
    }
    if let Some(params) = params {
        builder = builder.params(params);
    }
    builder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn execute(id: i64, params: Value) -> Request {
        Request::build("asyncell/execute")
            .id(id)
            .params(params)
            .finish()
    }

    fn cancel(id: i64) -> Request {
        Request::build("$/cancelRequest")
            .params(json!({"id": id}))
            .finish()
    }

    #[test]
    fn a_cancel_of_an_execute_in_flight_interrupts_its_execution() {
        let mut cancellations = Cancellations::default();
        let doc = json!({"uri": "file:///a.py"});
        let seen = cancellations.incoming(execute(7, json!({"textDocument": doc, "code": "1"})));
        assert_eq!(seen.params().unwrap()["executionId"], "lsp-7");
        let routed = cancellations.incoming(cancel(7));
        assert_eq!(routed.method(), CANCEL_EXECUTION);
        assert_eq!(
            routed.params().unwrap(),
            &json!({"textDocument": doc, "executionId": "lsp-7"})
        );
        // Answered: a late cancel goes to the service as usual.
        cancellations.answered(&Id::Number(7));
        assert_eq!(
            cancellations.incoming(cancel(7)).method(),
            "$/cancelRequest"
        );
    }

    #[test]
    fn a_client_execution_id_is_kept_and_other_requests_pass_through() {
        let mut cancellations = Cancellations::default();
        let seen = cancellations.incoming(execute(
            1,
            json!({"textDocument": {"uri": "file:///a.py"}, "code": "1", "executionId": "mine"}),
        ));
        assert_eq!(seen.params().unwrap()["executionId"], "mine");
        assert_eq!(
            cancellations.incoming(cancel(1)).params().unwrap()["executionId"],
            "mine"
        );
        let hover = Request::build("textDocument/hover").id(2).finish();
        assert_eq!(cancellations.incoming(hover).method(), "textDocument/hover");
        assert_eq!(
            cancellations.incoming(cancel(2)).method(),
            "$/cancelRequest"
        );
    }
}
