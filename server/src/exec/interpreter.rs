//! Which interpreter a document's host runs under, and why that one.
//!
//! The order, first match wins:
//! 1. the user's `python` setting or `--python`;
//! 2. `$VIRTUAL_ENV/bin/python`;
//! 3. the nearest `.venv/bin/python` from the document's directory up (as `uv run` finds
//!    it), when the user allows it: always for their own command (`asyncell run`), in the
//!    editor only for a trusted workspace, since a cloned repository can ship any program
//!    as `.venv/bin/python`;
//! 4. the environment this binary is installed in (`pip install asyncell` puts
//!    `asyncell` next to that environment's `python`);
//! 5. `python3` from `PATH`.
//!
//! Discovery starts from the document, never from the current directory, so
//! `asyncell run proj/analysis.py` picks the same interpreter wherever it is typed.
//! Configuration files play no part: only the user chooses what runs.

use std::path::{Path, PathBuf};

use crate::config::{self, PythonSetting, SearchLimit};

/// Whether a project's own `.venv` may run: yes for the user's explicit commands
/// (`asyncell run`, as `uv run` does) and trusted editor workspaces; no otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectVenv {
    Allowed,
    NotTrusted,
}

/// Where the interpreter came from, to name it to the user.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum InterpreterSource {
    /// The user's `python` setting or `--python`.
    Setting,
    /// `$VIRTUAL_ENV/bin/python`.
    VirtualEnv,
    /// `<project>/.venv/bin/python`.
    ProjectVenv,
    /// The `python` next to this binary: the environment asyncell is installed in.
    Installed,
    /// `python3` from `PATH`.
    Path,
}

impl InterpreterSource {
    pub fn describe(self) -> &'static str {
        match self {
            InterpreterSource::Setting => "the `python` setting",
            InterpreterSource::VirtualEnv => "$VIRTUAL_ENV",
            InterpreterSource::ProjectVenv => "the project's .venv",
            InterpreterSource::Installed => "the environment asyncell is installed in",
            InterpreterSource::Path => "python3 on PATH",
        }
    }

    /// The name in `asyncell/status` (docs/protocol.md).
    pub fn as_str(self) -> &'static str {
        match self {
            InterpreterSource::Setting => "setting",
            InterpreterSource::VirtualEnv => "virtualEnv",
            InterpreterSource::ProjectVenv => "projectVenv",
            InterpreterSource::Installed => "installed",
            InterpreterSource::Path => "path",
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
    /// The project's `.venv/bin/python` when another interpreter was chosen over it (by
    /// the setting, `$VIRTUAL_ENV`, or distrust): where a "trio is missing" message
    /// points.
    pub project_venv: Option<PathBuf>,
}

impl Interpreter {
    /// For a start that failed for want of trio: the project's `.venv`, when another
    /// interpreter was chosen over it, and how to use it instead.
    pub fn project_venv_hint(&self) -> Option<String> {
        let venv_python = self.project_venv.as_ref()?;
        let how = match self.source {
            InterpreterSource::VirtualEnv => "; or deactivate $VIRTUAL_ENV",
            InterpreterSource::Setting => "",
            _ if self.untrusted_venv.is_some() => {
                "; or trust the workspace (VS Code: \"Workspaces: Manage Workspace Trust\"; \
                 Neovim: :AsyncellTrust)"
            }
            _ => "",
        };
        Some(format!(
            ". This project has a venv: run with `--python {}` (editors: set `asyncell.python` to it){how}",
            venv_python.display()
        ))
    }
}

/// What discovery looks at.
#[derive(Clone, Copy, Debug)]
pub struct Discovery<'a> {
    pub setting: Option<&'a PythonSetting>,
    /// What a relative interpreter path in the setting (`.venv/bin/python`) is relative
    /// to: the workspace root in the editor, the current directory for `--python`.
    pub relative_to: Option<&'a Path>,
    /// The document's directory: `.venv` is looked for here, then in each parent up to
    /// `limit`.
    pub document_dir: Option<&'a Path>,
    pub limit: SearchLimit<'a>,
    pub venv: ProjectVenv,
}

pub fn choose_python(discovery: &Discovery<'_>) -> Interpreter {
    let project_venv = discovery
        .document_dir
        .and_then(|dir| nearest_venv_python(dir, discovery.limit));
    let found = |argv, source| Interpreter {
        argv,
        source,
        untrusted_venv: None,
        project_venv: project_venv.clone(),
    };
    if let Some(mut argv) = discovery
        .setting
        .map(PythonSetting::argv)
        .filter(|argv| !argv.is_empty())
    {
        if let Some(root) = discovery.relative_to {
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
    let mut untrusted_venv = None;
    if let Some(python) = &project_venv {
        match discovery.venv {
            ProjectVenv::Allowed => {
                return Interpreter {
                    argv: path_of(python),
                    source: InterpreterSource::ProjectVenv,
                    untrusted_venv: None,
                    project_venv: None,
                }
            }
            ProjectVenv::NotTrusted => untrusted_venv = Some(python.clone()),
        }
    }
    let (argv, source) = match installed_python() {
        Some(python) => (path_of(&python), InterpreterSource::Installed),
        None => (vec!["python3".into()], InterpreterSource::Path),
    };
    Interpreter {
        argv,
        source,
        untrusted_venv,
        project_venv,
    }
}

/// The nearest `<dir>/.venv/bin/python` from `start` up to `limit`, skipping `.venv`s
/// another user owns (not ours to run, trusted or not).
pub fn nearest_venv_python(start: &Path, limit: SearchLimit<'_>) -> Option<PathBuf> {
    config::search_dirs(start, limit)
        .into_iter()
        .map(|dir| dir.join(".venv"))
        .filter(|venv| venv.is_dir() && config::foreign_owner(venv).is_none())
        .map(|venv| venv.join("bin").join("python"))
        .find(|python| python.is_file())
}

/// The interpreter of the environment this binary is installed in: a `python` (or
/// `python3`) in the binary's own directory, as `pip install asyncell` leaves it in a
/// venv's `bin/`. A symlinked binary (`uv tool`, `pipx`: `~/.local/bin/asyncell`) is
/// followed to its environment. None for a build tree or `cargo install`.
pub fn installed_python() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let exe = std::fs::canonicalize(&exe).unwrap_or(exe);
    let bin = exe.parent()?;
    ["python", "python3"]
        .into_iter()
        .map(|name| bin.join(name))
        .find(|python| is_executable(python))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn discovery<'a>(
        setting: Option<&'a PythonSetting>,
        dir: Option<&'a Path>,
        venv: ProjectVenv,
    ) -> Discovery<'a> {
        Discovery {
            setting,
            relative_to: dir,
            document_dir: dir,
            limit: SearchLimit::Repository,
            venv,
        }
    }

    #[test]
    fn an_explicit_python_wins() {
        let setting = PythonSetting::Argv(vec!["ssh".into(), "box".into(), "python3".into()]);
        let chosen = choose_python(&discovery(Some(&setting), None, ProjectVenv::NotTrusted));
        assert_eq!(chosen.argv, ["ssh", "box", "python3"]);
        assert_eq!(chosen.source, InterpreterSource::Setting);
    }

    fn project_with_venv() -> (tempfile::TempDir, PathBuf) {
        let project = tempfile::tempdir().unwrap();
        std::fs::create_dir(project.path().join(".git")).unwrap();
        let bin = project.path().join(".venv").join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("python"), "").unwrap();
        (project, bin.join("python"))
    }

    #[test]
    fn an_untrusted_project_venv_is_named_but_not_run() {
        if std::env::var_os("VIRTUAL_ENV").is_some() {
            return; // $VIRTUAL_ENV comes first; the venv rule is not reached
        }
        let (project, python) = project_with_venv();
        let untrusted = choose_python(&discovery(
            None,
            Some(project.path()),
            ProjectVenv::NotTrusted,
        ));
        assert_eq!(untrusted.argv, ["python3"]);
        assert_eq!(untrusted.untrusted_venv, Some(python.clone()));
        let trusted = choose_python(&discovery(None, Some(project.path()), ProjectVenv::Allowed));
        assert_eq!(trusted.source, InterpreterSource::ProjectVenv);
        assert_eq!(trusted.argv, [python.to_string_lossy()]);
    }

    #[test]
    fn the_venv_is_found_from_the_document_not_the_current_directory() {
        if std::env::var_os("VIRTUAL_ENV").is_some() {
            return;
        }
        let (project, python) = project_with_venv();
        let notebooks = project.path().join("analysis").join("notebooks");
        std::fs::create_dir_all(&notebooks).unwrap();
        let chosen = choose_python(&discovery(None, Some(&notebooks), ProjectVenv::Allowed));
        assert_eq!(chosen.argv, [python.to_string_lossy()]);
        // A nearer `.venv` (a sub-project's) wins over the repository's.
        let nearer = notebooks.join(".venv").join("bin");
        std::fs::create_dir_all(&nearer).unwrap();
        std::fs::write(nearer.join("python"), "").unwrap();
        let chosen = choose_python(&discovery(None, Some(&notebooks), ProjectVenv::Allowed));
        assert_eq!(chosen.argv, [nearer.join("python").to_string_lossy()]);
    }

    #[test]
    fn the_search_stops_at_the_repository_root() {
        let outer = tempfile::tempdir().unwrap();
        let bin = outer.path().join(".venv").join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("python"), "").unwrap();
        let repo = outer.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        assert_eq!(nearest_venv_python(&repo, SearchLimit::Repository), None);
    }
}
