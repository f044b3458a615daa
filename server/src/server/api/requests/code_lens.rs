//! `textDocument/codeLens`: "▶ Run cell" and "Run above" on each `# %%` code cell of a
//! `.py` file, bound to `workspace/executeCommand` commands so editors without an
//! asyncell plugin (Helix, Zed) can run cells.

use serde_json::json;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::{CodeLens, CodeLensParams, Command, Position, Range};

use super::execute_command::{RUN_ABOVE, RUN_CELL};
use crate::server::backend::Backend;
use crate::server::execution::cell_start_lines;

pub fn handle(backend: &Backend, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
    let uri = params.text_document.uri;
    let starts = backend.with_session(|session| {
        let starts = cell_start_lines(session, &uri);
        if !starts.is_empty() {
            // A command sent without arguments means this document (runs.rs).
            session.runs.remember(uri.clone(), None);
        }
        starts
    });
    let mut lenses = Vec::with_capacity(starts.len() * 2);
    for (index, line) in starts.into_iter().enumerate() {
        let range = Range::new(Position::new(line, 0), Position::new(line, 0));
        let arguments = Some(vec![json!(uri.as_str()), json!(index)]);
        lenses.push(CodeLens {
            range,
            command: Some(Command {
                title: "▶ Run cell".into(),
                command: RUN_CELL.into(),
                arguments: arguments.clone(),
            }),
            data: None,
        });
        if index > 0 {
            lenses.push(CodeLens {
                range,
                command: Some(Command {
                    title: "Run above".into(),
                    command: RUN_ABOVE.into(),
                    arguments,
                }),
                data: None,
            });
        }
    }
    Ok(Some(lenses))
}
