//! `textDocument/completion`: names from the document's live namespace (what its cells
//! defined, attributes of live objects, dict keys), for a file or notebook whose host
//! runs; marked "live". With no host there is nothing to add: static completion is the
//! Python language server's, and asyncell answers nothing rather than guessing.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::{
    CompletionItem, CompletionItemKind, CompletionItemLabelDetails, CompletionParams,
    CompletionResponse,
};

use super::live_namespace::ask_at;
use crate::exec::Query;
use crate::server::backend::Backend;

pub async fn handle(
    backend: &Backend,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>> {
    let position = params.text_document_position;
    let uri = position.text_document.uri;
    let question = |code, cursor| Query::Complete { code, cursor };
    let Some(answer) = ask_at(backend, &uri, position.position, question).await else {
        return Ok(None);
    };
    let items: Vec<CompletionItem> = answer["matches"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| {
            let label = item["text"].as_str()?.to_string();
            let kind = item["kind"].as_str().unwrap_or("variable");
            let live = item["live"].as_bool().unwrap_or(false);
            Some(CompletionItem {
                label,
                kind: Some(completion_kind(kind)),
                label_details: live.then(|| CompletionItemLabelDetails {
                    detail: None,
                    description: Some("live".into()),
                }),
                detail: Some(if live {
                    format!("{kind} (live)")
                } else {
                    kind.to_string()
                }),
                ..CompletionItem::default()
            })
        })
        .collect();
    if items.is_empty() {
        return Ok(None);
    }
    Ok(Some(CompletionResponse::Array(items)))
}

fn completion_kind(kind: &str) -> CompletionItemKind {
    match kind {
        "function" => CompletionItemKind::FUNCTION,
        "class" => CompletionItemKind::CLASS,
        "module" => CompletionItemKind::MODULE,
        "keyword" => CompletionItemKind::KEYWORD,
        "key" => CompletionItemKind::VALUE,
        _ => CompletionItemKind::VARIABLE,
    }
}
