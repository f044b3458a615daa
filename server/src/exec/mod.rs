//! The execution backend: the embedded Python host and the supervisor that talks to it.
//!
//! * [`embed`]: the host package inside the binary, extracted to a per-version cache dir.
//! * [`supervisor`]: one host process per document; the only code that speaks the host
//!   protocol (docs/protocol.md section 2).
//! * [`lines`]: bounded line reading from a host's pipes.
//! * [`render`]: nbformat outputs as terminal text (`asyncell run`, `window/logMessage`).
//! * [`notebook`]: writing executed notebooks (`asyncell run --write`).
//! * [`owned`]: directories and files only the user controls (host extraction, `--write`).
//!
//! Both front ends, the language server and `asyncell run`, resolve a document to cells
//! and a [`HostSpec`] with the helpers here, then drive the same [`Supervisor`].

pub mod embed;
mod lines;
pub mod notebook;
mod owned;
pub mod render;
pub mod supervisor;

use std::path::{Path, PathBuf};

pub use supervisor::{
    Emit, ExecResult, HostEvent, HostSpec, InterruptOutcome, LoopKind, Options, Supervisor,
    EMIT_CAPACITY,
};

use crate::analysis::index::Loop;
use crate::analysis::percent;
use crate::config::PythonSetting;

/// Whether a project's own `.venv` may run: yes for the user's explicit commands
/// (`asyncell run`, as `uv run` does) and trusted editor workspaces; no otherwise, since
/// a cloned repository can ship any program as `.venv/bin/python`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectVenv {
    Allowed,
    NotTrusted,
}

/// Where the interpreter came from, to name it to the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InterpreterSource {
    /// The user's `python` setting or `--python`.
    Setting,
    /// `$VIRTUAL_ENV/bin/python`.
    VirtualEnv,
    /// `<project>/.venv/bin/python`.
    ProjectVenv,
    /// `python3` from `PATH`.
    Path,
}

impl InterpreterSource {
    pub fn describe(self) -> &'static str {
        match self {
            InterpreterSource::Setting => "the `python` setting",
            InterpreterSource::VirtualEnv => "$VIRTUAL_ENV",
            InterpreterSource::ProjectVenv => "the project's .venv",
            InterpreterSource::Path => "python3 on PATH",
        }
    }
}

/// The interpreter a host runs under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpreter {
    pub argv: Vec<String>,
    pub source: InterpreterSource,
    /// A project `.venv/bin/python` that would have run, had the workspace been trusted.
    pub untrusted_venv: Option<PathBuf>,
}

/// The interpreter: the user's `python` setting, else `$VIRTUAL_ENV/bin/python`, else
/// `<project>/.venv/bin/python` (when `venv` allows it and the `.venv` is the user's own
/// or root's), else `python3`. A relative interpreter path in the setting
/// (`.venv/bin/python`) is relative to `project`, not to the document's directory the
/// host runs in. Configuration files play no part: only the user chooses what runs.
pub fn choose_python(
    setting: Option<&PythonSetting>,
    project: Option<&Path>,
    venv: ProjectVenv,
) -> Interpreter {
    let found = |argv, source| Interpreter {
        argv,
        source,
        untrusted_venv: None,
    };
    if let Some(mut argv) = setting
        .map(PythonSetting::argv)
        .filter(|argv| !argv.is_empty())
    {
        if let Some(root) = project {
            if Path::new(&argv[0]).is_relative() && argv[0].contains('/') {
                argv[0] = root.join(&argv[0]).to_string_lossy().into_owned();
            }
        }
        return found(argv, InterpreterSource::Setting);
    }
    let path_of = |python: &Path| vec![python.to_string_lossy().into_owned()];
    if let Some(python) = std::env::var_os("VIRTUAL_ENV")
        .map(|venv| PathBuf::from(venv).join("bin").join("python"))
        .filter(|python| python.is_file())
    {
        return found(path_of(&python), InterpreterSource::VirtualEnv);
    }
    let project_python = project
        .map(|root| root.join(".venv"))
        .filter(|venv| crate::config::foreign_owner(venv).is_none())
        .map(|venv| venv.join("bin").join("python"))
        .filter(|python| python.is_file());
    match (project_python, venv) {
        (Some(python), ProjectVenv::Allowed) => {
            found(path_of(&python), InterpreterSource::ProjectVenv)
        }
        (python, _) => Interpreter {
            argv: vec!["python3".into()],
            source: InterpreterSource::Path,
            untrusted_venv: python,
        },
    }
}

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
                start_line: text[..start].matches('\n').count() as u32,
            }
        })
        .collect()
}

/// The code to send for a cell: its `# %%` marker line (which may carry a title) is
/// blanked, keeping line numbers, so a `%autoawait` line right below it is the cell's
/// first line as the host sees it.
pub fn runnable(cell_text: &str) -> String {
    let first_end = cell_text.find('\n').unwrap_or(cell_text.len());
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

    #[test]
    fn an_explicit_python_wins() {
        let setting = PythonSetting::Argv(vec!["ssh".into(), "box".into(), "python3".into()]);
        let chosen = choose_python(Some(&setting), None, ProjectVenv::NotTrusted);
        assert_eq!(chosen.argv, ["ssh", "box", "python3"]);
        assert_eq!(chosen.source, InterpreterSource::Setting);
    }

    #[test]
    fn an_untrusted_project_venv_is_named_but_not_run() {
        if std::env::var_os("VIRTUAL_ENV").is_some() {
            return; // $VIRTUAL_ENV comes first; the venv rule is not reached
        }
        let project = tempfile::tempdir().unwrap();
        let bin = project.path().join(".venv").join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("python"), "").unwrap();
        let untrusted = choose_python(None, Some(project.path()), ProjectVenv::NotTrusted);
        assert_eq!(untrusted.argv, ["python3"]);
        assert_eq!(untrusted.untrusted_venv, Some(bin.join("python")));
        let trusted = choose_python(None, Some(project.path()), ProjectVenv::Allowed);
        assert_eq!(trusted.source, InterpreterSource::ProjectVenv);
        assert_eq!(trusted.argv, [bin.join("python").to_string_lossy()]);
    }
}
