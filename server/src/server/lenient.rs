//! Requests some clients send in a shape lsp-types refuses, made into the shape it reads.
//!
//! `ExecuteCommandParams.arguments` is optional in the LSP specification, and lsp-types
//! reads a missing field as no arguments, but `"arguments": null` fails to deserialize
//! and the client gets "Invalid params" before the handler ever sees the command. Some
//! clients send exactly that for a command picked from a list with no arguments (the case
//! `execute_command.rs` answers with the last code action's cell), so the transport drops
//! the `null` first: it means the same as a missing field.

use serde_json::Value;
use tower_lsp_server::jsonrpc::Request;

use super::cancellation::rebuild;

/// The request as lsp-types can read it.
pub fn incoming(request: Request) -> Request {
    if request.method() != "workspace/executeCommand" {
        return request;
    }
    let (method, id, params) = request.into_parts();
    let params = match params {
        Some(Value::Object(mut params)) => {
            if params.get("arguments").is_some_and(Value::is_null) {
                params.remove("arguments");
            }
            Some(Value::Object(params))
        }
        other => other,
    };
    rebuild(method.into_owned(), id, params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tower_lsp_server::jsonrpc::Id;
    use tower_lsp_server::lsp_types::ExecuteCommandParams;

    fn execute_command(params: Value) -> Request {
        Request::build("workspace/executeCommand")
            .id(Id::Number(1))
            .params(params)
            .finish()
    }

    fn read(request: Request) -> serde_json::Result<ExecuteCommandParams> {
        serde_json::from_value(request.params().cloned().unwrap_or(Value::Null))
    }

    #[test]
    fn null_arguments_read_as_none() {
        let sent = json!({"command": "asyncell.runCell", "arguments": null});
        // What a client sends is refused as it stands...
        assert!(read(execute_command(sent.clone())).is_err());
        // ...and read as a command with no arguments once it passed through here.
        let params = read(incoming(execute_command(sent))).expect("readable");
        assert_eq!(params.command, "asyncell.runCell");
        assert!(params.arguments.is_empty());
    }

    #[test]
    fn given_arguments_and_other_methods_are_untouched() {
        let sent = json!({"command": "asyncell.runCell", "arguments": ["file:///a.py", 2]});
        let params = read(incoming(execute_command(sent))).expect("readable");
        assert_eq!(params.arguments, vec![json!("file:///a.py"), json!(2)]);

        let other = Request::build("textDocument/hover")
            .id(Id::Number(2))
            .params(json!({"arguments": null}))
            .finish();
        let kept = incoming(other);
        assert_eq!(kept.params(), Some(&json!({"arguments": null})));
    }
}
