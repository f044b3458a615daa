//! Running the cell at the cursor from the code-action menu, for clients without an
//! asyncell plugin (eglot, Helix, Zed, Neovim's `vim.lsp.buf.code_action`): each action
//! carries its `workspace/executeCommand` command and arguments (docs/protocol.md, "Plain
//! LSP clients"). The kinds are all under `asyncell.`, so `only: ["asyncell"]` asks for
//! them alone. Asking also makes this document and cell the target of a command sent
//! without arguments.

use serde_json::json;
use tower_lsp_server::lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Command, Position, Uri,
};

use super::super::execute_command::{
    INTERRUPT as INTERRUPT_COMMAND, RUN_ABOVE as RUN_ABOVE_COMMAND, RUN_BELOW as RUN_BELOW_COMMAND,
    RUN_CELL as RUN_CELL_COMMAND, SHOW_OUTPUT as SHOW_OUTPUT_COMMAND,
};
use crate::server::execution::{cell_at, code_cells, owner};
use crate::server::runs;
use crate::server::session::Session;

pub const RUN_CELL: &str = "asyncell.run.cell";
pub const RUN_BELOW: &str = "asyncell.run.below";
pub const RUN_ABOVE: &str = "asyncell.run.above";
pub const INTERRUPT: &str = "asyncell.interrupt";
pub const SHOW_OUTPUT: &str = "asyncell.output.show";

pub fn actions(
    session: &mut Session,
    uri: &Uri,
    position: Position,
    wanted: &dyn Fn(&CodeActionKind) -> bool,
) -> Vec<CodeActionOrCommand> {
    // A plugin runs cells its own way (and VS Code would show these on every line).
    if session.features.asyncell {
        return Vec::new();
    }
    let Ok((doc, cell_of_uri)) = owner(session, uri) else {
        return Vec::new();
    };
    let index = match cell_of_uri {
        Some(index) => index,
        None => match cell_at(session, &doc, position) {
            Ok(index) => index,
            Err(_) => return Vec::new(),
        },
    };
    let count = code_cells(session, &doc).map_or(0, |cells| cells.len());
    if index >= count {
        return Vec::new();
    }
    session.runs.remember(doc.clone(), Some(index));
    let name = runs::cell_name(session, &doc, index);
    let with_cell = vec![json!(doc.as_str()), json!(index)];
    let mut offered = vec![(
        RUN_CELL,
        format!("Run {name}"),
        RUN_CELL_COMMAND,
        with_cell.clone(),
    )];
    if index + 1 < count {
        offered.push((
            RUN_BELOW,
            format!("Run {name} and below"),
            RUN_BELOW_COMMAND,
            with_cell.clone(),
        ));
    }
    if index > 0 {
        offered.push((
            RUN_ABOVE,
            format!("Run the cells above {name}"),
            RUN_ABOVE_COMMAND,
            with_cell.clone(),
        ));
    }
    offered.push((
        INTERRUPT,
        "Interrupt the running cell".to_string(),
        INTERRUPT_COMMAND,
        vec![json!(doc.as_str())],
    ));
    if runs::output_file(session, &doc, index).is_some() {
        offered.push((
            SHOW_OUTPUT,
            format!("Show the output of {name}"),
            SHOW_OUTPUT_COMMAND,
            with_cell,
        ));
    }
    offered
        .into_iter()
        .filter(|(kind, ..)| wanted(&CodeActionKind::new(kind)))
        .map(|(kind, title, command, arguments)| {
            CodeActionOrCommand::CodeAction(CodeAction {
                title: title.clone(),
                kind: Some(CodeActionKind::new(kind)),
                command: Some(Command {
                    title,
                    command: command.into(),
                    arguments: Some(arguments),
                }),
                ..CodeAction::default()
            })
        })
        .collect()
}
