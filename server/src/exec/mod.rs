//! The execution backend: the embedded Python host and the supervisor that talks to it.
//!
//! * [`interpreter`]: which Python a document's host runs under, and why.
//! * [`host_copy`]: which copy of the host package it runs: the one installed in that
//!   interpreter's environment, or the embedded one.
//! * [`embed`]: the host package inside the binary, extracted to a per-version cache dir.
//! * [`protocol`]: the host protocol, typed: the commands the supervisor sends and the
//!   events a host sends (docs/protocol.md section 2).
//! * [`supervisor`]: one host process per document; the only code that speaks the host
//!   protocol. Its parts: `host_spec` (what a host is started as), `host` (the process:
//!   start, commands, stop), `reader` (its pipes, bounded), `host_exit` (its end
//!   reported), `process_group` (spawning in a group of its own, killing the group),
//!   `slot` (a document's host, gate, epoch and executions in flight), `dispatch` (what
//!   each host event does), `reply` (an execution's answer, the reply cap), `events`
//!   (what the consumer receives), `interrupt`, `query`, `tasks`.
//! * [`status`]: `asyncell/status`, typed and built from the supervisor's bookkeeping.
//! * [`lines`]: bounded line reading from a host's pipes.
//! * [`render`]: nbformat outputs as terminal text (`asyncell run`, `window/logMessage`).
//! * [`notebook`]: writing executed notebooks (`asyncell run --write`).
//! * [`owned`]: directories and files only the user controls (host extraction, `--write`).
//!
//! Both front ends, the language server and `asyncell run`, resolve a document to cells
//! and a [`HostSpec`] with the helpers here, then drive the same [`Supervisor`].

mod dispatch;
pub mod display_updates;
pub mod embed;
mod events;
mod host;
pub mod host_copy;
mod host_exit;
mod host_spec;
mod interpreter;
mod interrupt;
mod lines;
pub mod notebook;
pub(crate) mod owned;
mod process_group;
pub mod protocol;
mod query;
mod reader;
pub mod render;
mod reply;
mod slot;
pub mod status;
pub mod supervisor;
mod tasks;

pub use host_copy::HostCopy;
pub use interpreter::{
    choose_python, installed_python, nearest_venv_python, Discovery, Interpreter,
    InterpreterSource, ProjectVenv,
};
pub use protocol::ExecStatus;
pub use status::HostStatus;
pub use supervisor::{
    Emit, EventKind, ExecResult, ExecuteOptions, HostEvent, HostSpec, InputRequest, InterruptHow,
    InterruptOutcome, LoopKind, Options, Query, Supervisor, EMIT_CAPACITY, START_FAILED,
};

use crate::analysis::index::Loop;
use crate::analysis::percent;
use crate::positions;

/// The loop a document's host runs, from its analysis (which already applied the
/// `loop` setting and `%autoawait`). Undecided documents (`auto` with no trio or asyncio
/// import, or both) run asyncio: it needs nothing installed.
pub fn loop_kind(analysed: Loop) -> LoopKind {
    match analysed {
        Loop::Trio => LoopKind::Trio,
        Loop::Asyncio | Loop::Unknown => LoopKind::Asyncio,
    }
}

/// One cell of a `.py` file, for front ends that read files themselves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceCell {
    pub is_code: bool,
    /// The cell's text, marker line included (so traceback line numbers match).
    pub text: String,
    /// 0-based line of the cell's first line in the file.
    pub start_line: u32,
}

/// The cells of a `.py` file: its `# %%` cells, or the whole script as one cell.
pub fn python_cells(text: &str) -> Vec<SourceCell> {
    if !percent::has_markers(text) {
        return vec![SourceCell {
            is_code: true,
            text: text.to_string(),
            start_line: 0,
        }];
    }
    percent::split(text)
        .into_iter()
        .map(|cell| {
            let start = usize::from(cell.range.start());
            SourceCell {
                is_code: cell.is_code,
                text: text[cell.range].to_string(),
                start_line: positions::line_number_u32(text, start),
            }
        })
        .collect()
}

/// The code to send for a cell: its `# %%` marker line (which may carry a title) is
/// blanked, keeping line numbers, so a `%autoawait` line right below it is the cell's
/// first line as the host sees it.
pub fn runnable(cell_text: &str) -> String {
    let first_end = positions::line_end(cell_text, 0);
    if percent::is_marker(cell_text[..first_end].trim_end()) {
        cell_text[first_end..].to_string()
    } else {
        cell_text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_one_cell_and_cell_files_keep_their_markers() {
        assert_eq!(python_cells("print(1)\n").len(), 1);
        let cells = python_cells("import trio\n# %%\nx = 1\n# %% [markdown]\n# hi\n# %%\nx\n");
        let kinds: Vec<(bool, u32)> = cells.iter().map(|c| (c.is_code, c.start_line)).collect();
        assert_eq!(kinds, [(true, 0), (true, 1), (false, 3), (true, 5)]);
        assert_eq!(cells[1].text, "# %%\nx = 1\n");
    }

    #[test]
    fn marker_lines_are_blanked() {
        assert_eq!(
            runnable("# %% setup\n%autoawait trio\n"),
            "\n%autoawait trio\n"
        );
        assert_eq!(runnable("x = 1\n"), "x = 1\n");
    }
}
