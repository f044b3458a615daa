//! `textDocument/hover`: what the name under the cursor is in the document's live
//! namespace (signature, type, value, docstring), for a document whose host runs. With
//! no host, no hover: the static one is the Python language server's.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

use super::live_namespace::ask_at;
use crate::exec::Query;
use crate::server::backend::Backend;
use crate::server::extension::InspectReply;

/// Characters of the docstring shown.
const DOC_SHOWN: usize = 1500;

pub async fn handle(backend: &Backend, params: HoverParams) -> Result<Option<Hover>> {
    let position = params.text_document_position_params;
    let uri = position.text_document.uri;
    let question = |code, cursor| Query::Inspect {
        code,
        cursor,
        detail: 0,
    };
    let Some(answer) = ask_at(backend, &uri, position.position, question).await else {
        return Ok(None);
    };
    let answer: InspectReply = answer;
    if !answer.found {
        return Ok(None);
    }
    let name = answer.name.as_deref().unwrap_or("?");
    let mut text = format!(
        "```python\n{}\n```\n",
        answer.signature.as_deref().unwrap_or(name)
    );
    text.push_str(&format!(
        "live `{}`: `{}`\n",
        answer.type_name.as_deref().unwrap_or("?"),
        answer.repr.as_deref().unwrap_or("").replace('`', "'")
    ));
    if let Some(doc) = &answer.doc {
        let shown: String = doc.chars().take(DOC_SHOWN).collect();
        text.push_str(&format!(
            "\n{shown}{}\n",
            if shown.len() < doc.len() { "…" } else { "" }
        ));
    }
    Ok(Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: None,
    }))
}
