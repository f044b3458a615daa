//! What a document's host is started as: the interpreter argv, the loop, the working
//! directory, and the command line the supervisor builds from them (the host package's
//! launch arguments, `--loop`, `--grace`, and `--cwd` for a remote host).

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::host_copy::{self, HostCopy};
use super::interpreter::Interpreter;
use super::status::{CopyKind, HostCopyInfo, InterpreterInfo};

/// The event loop a host runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LoopKind {
    Trio,
    Asyncio,
}

impl LoopKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LoopKind::Trio => "trio",
            LoopKind::Asyncio => "asyncio",
        }
    }
}

/// How to start a document's host.
#[derive(Clone, Debug)]
pub struct HostSpec {
    /// The interpreter (`["python3"]`, `["ssh", "box", "python3"]`) and where it came
    /// from, to name it in `asyncell/status` and in start-up failures.
    pub interpreter: Interpreter,
    pub loop_kind: LoopKind,
    /// The client chose `loop_kind` for this document (`asyncell/execute`'s `loop`, a
    /// notebook controller's loop), over what the analysis decided: a live host running
    /// the other loop is replaced before the next execution.
    pub loop_chosen: bool,
    /// Working directory of the host (the document's directory).
    pub cwd: Option<PathBuf>,
}

impl HostSpec {
    /// Whether the interpreter runs on another machine or in a container, where the
    /// extracted host files don't exist: then the host is bootstrapped over stdin.
    pub fn is_remote(&self) -> bool {
        remote_wrapper(self.argv()).is_some()
    }

    pub fn argv(&self) -> &[String] {
        &self.interpreter.argv
    }

    /// The argv as the user wrote it, to name it in messages.
    pub(super) fn shown(&self) -> String {
        self.argv().join(" ")
    }

    /// The host copy this spec runs: the installed or extracted package for a local
    /// interpreter, the stdin bootstrap for a remote one.
    pub(super) fn host_copy(&self) -> Result<HostCopy, String> {
        if self.argv().is_empty() {
            return Err("the `python` setting is empty".into());
        }
        match remote_wrapper(self.argv()) {
            None => host_copy::for_local(self.argv()),
            Some(_) => Ok(HostCopy::Remote),
        }
    }

    /// The full command line that starts the host running `copy`, telling it its loop and
    /// its interrupt grace period.
    pub(super) fn command_line(&self, copy: &HostCopy, grace: Duration) -> Vec<String> {
        let remote = remote_wrapper(self.argv());
        let mut argv = self.argv().to_vec();
        let mut launch = copy.launch_args();
        if remote == Some("ssh") {
            // ssh joins its arguments into one remote shell command: quote the code.
            if let Some(code) = launch.last_mut() {
                *code = format!("'{code}'");
            }
        }
        argv.extend(launch);
        argv.extend([
            "--loop".into(),
            self.loop_kind.as_str().into(),
            "--grace".into(),
            format!("{}", grace.as_secs_f64()),
        ]);
        // A local host is spawned in the document's directory; a remote one would start in
        // the remote home, so it is asked to `cd` there (when that path exists on its side).
        if let (Some(wrapper), Some(cwd)) = (remote, self.cwd.as_ref()) {
            let cwd = cwd.to_string_lossy().into_owned();
            argv.push("--cwd".into());
            argv.push(if wrapper == "ssh" {
                shell_quote(&cwd)
            } else {
                cwd
            });
        }
        argv
    }

    /// `asyncell/status`'s `interpreter`: the argv and where it came from.
    pub(super) fn interpreter_info(&self) -> InterpreterInfo {
        InterpreterInfo {
            argv: self.argv().to_vec(),
            source: self.interpreter.source,
        }
    }

    /// `asyncell/status`'s `host` for a host not yet started: which copy it would run,
    /// found without extracting anything.
    pub(super) fn preview_copy(&self) -> HostCopyInfo {
        if self.is_remote() {
            return HostCopyInfo {
                copy: CopyKind::Remote,
                path: None,
            };
        }
        match host_copy::installed_package(self.argv()) {
            Ok(package) => HostCopyInfo {
                copy: CopyKind::Installed,
                path: Some(package.display().to_string()),
            },
            Err(_) => HostCopyInfo {
                copy: CopyKind::Embedded,
                path: None,
            },
        }
    }
}

/// `text` as one word for a POSIX shell (ssh hands its arguments to the remote shell).
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// The wrapper program of a remote argv: `ssh`, `docker`, `podman`, `kubectl`.
fn remote_wrapper(argv: &[String]) -> Option<&'static str> {
    let program = argv.first()?;
    let name = std::path::Path::new(program).file_name()?.to_str()?;
    ["ssh", "docker", "podman", "kubectl"]
        .into_iter()
        .find(|wrapper| *wrapper == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting_keeps_one_word() {
        assert_eq!(shell_quote("/w/my dir"), "'/w/my dir'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn remote_wrappers_are_recognised() {
        assert_eq!(
            remote_wrapper(&["ssh".into(), "box".into(), "python3".into()]),
            Some("ssh")
        );
        assert_eq!(
            remote_wrapper(&["/usr/bin/docker".into(), "exec".into()]),
            Some("docker")
        );
        assert_eq!(remote_wrapper(&["/venv/bin/python".into()]), None);
    }
}
