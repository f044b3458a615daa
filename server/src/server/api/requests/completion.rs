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
use crate::server::extension::{CompleteReply, CompletionKind};

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
    let answer: CompleteReply = answer;
    let items: Vec<CompletionItem> = answer
        .matches
        .into_iter()
        .map(|item| {
            let kind = kind_name(item.kind);
            CompletionItem {
                label: item.text,
                kind: Some(completion_kind(item.kind)),
                label_details: item.live.then(|| CompletionItemLabelDetails {
                    detail: None,
                    description: Some("live".into()),
                }),
                detail: Some(if item.live {
                    format!("{kind} (live)")
                } else {
                    kind.to_string()
                }),
                ..CompletionItem::default()
            }
        })
        .collect();
    if items.is_empty() {
        return Ok(None);
    }
    Ok(Some(CompletionResponse::Array(items)))
}

fn completion_kind(kind: CompletionKind) -> CompletionItemKind {
    match kind {
        CompletionKind::Function => CompletionItemKind::FUNCTION,
        CompletionKind::Class => CompletionItemKind::CLASS,
        CompletionKind::Module => CompletionItemKind::MODULE,
        CompletionKind::Keyword => CompletionItemKind::KEYWORD,
        CompletionKind::Key => CompletionItemKind::VALUE,
        CompletionKind::Variable | CompletionKind::Other => CompletionItemKind::VARIABLE,
    }
}

fn kind_name(kind: CompletionKind) -> &'static str {
    match kind {
        CompletionKind::Function => "function",
        CompletionKind::Class => "class",
        CompletionKind::Module => "module",
        CompletionKind::Keyword => "keyword",
        CompletionKind::Key => "key",
        CompletionKind::Variable | CompletionKind::Other => "variable",
    }
}
