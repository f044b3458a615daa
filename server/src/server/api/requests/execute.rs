//! `asyncell/execute`: run code, a cell, or the cell at a position on the document's host.
//! Outputs stream as `asyncell/output` before the reply.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::MessageType;

use crate::exec::ExecResult;
use crate::server::backend::Backend;
use crate::server::execution::{invalid_params, owner, resolve, Resolved, What};
use crate::server::extension::ExecuteParams;

pub async fn handle(backend: &Backend, params: ExecuteParams) -> Result<ExecResult> {
    let what = match (params.code, params.cell, params.position) {
        (Some(code), None, None) => What::Code(code),
        (None, Some(cell), None) => What::Cell(cell),
        (None, None, Some(position)) => What::Position(position),
        (None, None, None) => {
            return Err(invalid_params(
                "asyncell/execute needs one of `code` (text to run), `cell` (0-based code cell index) or `position`",
            ))
        }
        (code, cell, position) => {
            let given: Vec<&str> = [(code.is_some(), "code"), (cell.is_some(), "cell"), (position.is_some(), "position")]
                .into_iter()
                .filter_map(|(present, name)| present.then_some(name))
                .collect();
            return Err(invalid_params(format!(
                "asyncell/execute takes exactly one of `code`, `cell` or `position`, got {}; send only one",
                given.join(" and ")
            )));
        }
    };
    let uri = params.text_document.uri;
    let resolved = backend.with_session(|session| {
        if let Some(loop_kind) = params.loop_kind {
            let (doc, _) = owner(session, &uri)?;
            session.choose_loop(&doc, loop_kind);
        }
        resolve(session, &uri, what)
    })?;
    run(backend, resolved, params.execution_id).await
}

/// Runs resolved code on its document's host and waits for the result.
pub async fn run(
    backend: &Backend,
    resolved: Resolved,
    execution_id: Option<String>,
) -> Result<ExecResult> {
    if let Some(id) = &execution_id {
        if id.is_empty() {
            return Err(invalid_params(
                "`executionId` must not be empty; omit it to get a generated one",
            ));
        }
    }
    // Before the host starts: why it runs on the interpreter it does, when that is news.
    backend.show_config_errors().await;
    let supervisor = backend.execution.supervisor(&backend.client);
    let result = supervisor
        .execute(
            resolved.doc.as_str(),
            &resolved.spec,
            resolved.code,
            execution_id,
            resolved.number,
        )
        .await
        .map_err(invalid_params)?;
    // A host that cannot start is news for the user, not only for whoever reads the reply
    // (a plugin-less client shows nothing of it): say why, and the fix the message names.
    if let Some(summary) = result.start_failure() {
        backend
            .client
            .show_message(MessageType::ERROR, format!("asyncell: {summary}"))
            .await;
    }
    Ok(result)
}
