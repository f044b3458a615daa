//! `workspace/executeCommand`: the code lens commands, for editors that have no asyncell
//! plugin. Arguments are `[uri, cellIndex]` (`[uri]` for interrupt and restart). Outputs
//! stream as `asyncell/output` as usual; a failed cell is also reported with
//! `window/showMessage`, and a text rendering of each cell's outputs goes to
//! `window/logMessage` (the editor's log) for clients that render neither.

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::{ExecuteCommandParams, LSPAny, MessageType, Uri};

use super::execute::run;
use crate::exec::{render, ExecResult, ExecStatus};
use crate::server::backend::Backend;
use crate::server::execution::{host_spec, invalid_params, resolve, What};

pub const RUN_CELL: &str = "asyncell.runCell";
pub const RUN_ABOVE: &str = "asyncell.runAbove";
pub const INTERRUPT: &str = "asyncell.interrupt";
pub const RESTART: &str = "asyncell.restart";

/// Every command, as advertised in `executeCommandProvider`.
pub const COMMANDS: [&str; 4] = [RUN_CELL, RUN_ABOVE, INTERRUPT, RESTART];

/// Text shown in the log for one cell is cut at this many bytes.
const LOG_LIMIT: usize = 8 * 1024;

pub async fn handle(backend: &Backend, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
    let arguments = params.arguments;
    let uri = argument_uri(&params.command, &arguments)?;
    match params.command.as_str() {
        RUN_CELL => {
            let index = argument_index(&params.command, &arguments)?;
            let result = run_cell(backend, &uri, index).await?;
            Ok(Some(serde_json::to_value(result).unwrap_or(Value::Null)))
        }
        RUN_ABOVE => {
            let index = argument_index(&params.command, &arguments)?;
            let mut results = Vec::new();
            for cell in 0..index {
                let result = run_cell(backend, &uri, cell).await?;
                let stop = result.status != ExecStatus::Ok;
                results.push(serde_json::to_value(result).unwrap_or(Value::Null));
                if stop {
                    break;
                }
            }
            Ok(Some(Value::Array(results)))
        }
        INTERRUPT => {
            let doc = backend.execution_document(&uri);
            let outcome = backend
                .execution
                .supervisor(&backend.client)
                .interrupt(doc.as_str())
                .await;
            if outcome.restart_suggested {
                backend
                    .client
                    .show_message(
                        MessageType::WARNING,
                        format!("asyncell: {}", outcome.message),
                    )
                    .await;
            }
            Ok(Some(serde_json::to_value(outcome).unwrap_or(Value::Null)))
        }
        RESTART => {
            let doc = backend.execution_document(&uri);
            let spec = backend.with_session(|session| host_spec(session, &doc));
            backend.show_config_errors().await;
            match backend
                .execution
                .supervisor(&backend.client)
                .restart(doc.as_str(), &spec)
                .await
            {
                Ok(pid) => Ok(Some(json!({ "pid": pid }))),
                Err(message) => {
                    backend
                        .client
                        .show_message(
                            MessageType::ERROR,
                            format!("asyncell: restart failed: {message}"),
                        )
                        .await;
                    Ok(Some(json!({ "pid": null, "message": message })))
                }
            }
        }
        other => Err(invalid_params(format!(
            "unknown command `{other}`; asyncell provides {}",
            COMMANDS.join(", ")
        ))),
    }
}

async fn run_cell(backend: &Backend, uri: &Uri, index: usize) -> Result<ExecResult> {
    let resolved = backend.with_session(|session| resolve(session, uri, What::Cell(index)))?;
    let result = run(backend, resolved, None).await?;
    let text = outputs_text(&result);
    if !text.is_empty() {
        backend
            .client
            .log_message(MessageType::LOG, format!("[cell {index}]\n{text}"))
            .await;
    }
    if result.status != ExecStatus::Ok {
        let summary = result
            .error_summary()
            .unwrap_or_else(|| result.status.as_str().to_string());
        let what = if result.status == ExecStatus::Cancelled {
            "was cancelled"
        } else {
            "failed"
        };
        backend
            .client
            .show_message(
                MessageType::ERROR,
                format!("asyncell: cell {index} {what}: {summary}"),
            )
            .await;
    }
    Ok(result)
}

fn outputs_text(result: &ExecResult) -> String {
    let mut text = String::new();
    for output in &result.outputs {
        if let Some((_, piece)) = render::output_text(output) {
            text.push_str(&piece);
            if text.len() > LOG_LIMIT {
                let mut cut = LOG_LIMIT;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                text.push_str("\n[... cut; the full output was sent as asyncell/output]\n");
                break;
            }
        }
    }
    text
}

fn argument_uri(command: &str, arguments: &[Value]) -> Result<Uri> {
    arguments
        .first()
        .and_then(Value::as_str)
        .and_then(|text| text.parse::<Uri>().ok())
        .ok_or_else(|| {
            invalid_params(format!(
                "`{command}` takes the document URI as its first argument"
            ))
        })
}

fn argument_index(command: &str, arguments: &[Value]) -> Result<usize> {
    arguments
        .get(1)
        .and_then(Value::as_u64)
        .and_then(|index| usize::try_from(index).ok())
        .ok_or_else(|| {
            invalid_params(format!(
                "`{command}` takes [uri, cellIndex] (cellIndex: 0-based among code cells)"
            ))
        })
}
