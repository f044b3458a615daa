//! The host's OS process and its process group: spawned from one long-lived thread
//! (`PR_SET_PDEATHSIG` fires when the *spawning thread* exits, and tokio's blocking
//! threads come and go) as the leader of a group of its own, with `PDEATHSIG=SIGKILL` and
//! `kill_on_drop`; killed as a whole group, so whatever the cells started goes with it;
//! and its exit described for the user.

use std::path::PathBuf;
use std::sync::OnceLock;

use tokio::process::Child;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// The long-lived thread every host is spawned from (see the module docs).
fn spawner() -> &'static std::sync::mpsc::Sender<Job> {
    static SPAWNER: OnceLock<std::sync::mpsc::Sender<Job>> = OnceLock::new();
    SPAWNER.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("asyncell-spawner".into())
            .spawn(move || {
                for job in receiver {
                    job();
                }
            })
            .expect("cannot start the host spawner thread");
        sender
    })
}

/// Spawns `argv` with piped stdio in a process group of its own (its pid is the group's
/// id), in `cwd` when that is a directory.
pub(super) async fn spawn_process(
    argv: Vec<String>,
    cwd: Option<PathBuf>,
) -> std::io::Result<Child> {
    let handle = tokio::runtime::Handle::current();
    let (sender, receiver) = oneshot::channel();
    let job: Job = Box::new(move || {
        let _runtime = handle.enter();
        let mut command = tokio::process::Command::new(&argv[0]);
        command
            .args(&argv[1..])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        if let Some(cwd) = cwd.filter(|dir| dir.is_dir()) {
            command.current_dir(cwd);
        }
        #[cfg(unix)]
        {
            command.process_group(0);
            #[cfg(target_os = "linux")]
            {
                // SAFETY: getpid before fork; prctl/getppid are async-signal-safe.
                let parent = unsafe { libc::getpid() };
                unsafe {
                    command.pre_exec(move || {
                        if libc::prctl(
                            libc::PR_SET_PDEATHSIG,
                            libc::SIGKILL as libc::c_ulong,
                            0,
                            0,
                            0,
                        ) != 0
                        {
                            return Err(std::io::Error::last_os_error());
                        }
                        if libc::getppid() != parent {
                            // The server died between fork and prctl.
                            libc::_exit(1);
                        }
                        Ok(())
                    });
                }
            }
        }
        let _ = sender.send(command.spawn());
    });
    spawner()
        .send(job)
        .map_err(|_| std::io::Error::other("the host spawner thread is gone"))?;
    receiver
        .await
        .map_err(|_| std::io::Error::other("the host spawner thread is gone"))?
}

/// SIGKILLs the process group led by `pid` (the host and everything its cells started).
/// There is no gentler first step: the host has had its interrupt grace already, and a
/// stop or restart must not wait on user code.
pub(super) fn kill_group(pid: u32) {
    #[cfg(unix)]
    {
        let Ok(pid) = i32::try_from(pid) else { return };
        if pid <= 1 {
            return;
        }
        // SAFETY: plain syscalls; the group is the host's own (process_group(0)).
        unsafe {
            libc::killpg(pid, libc::SIGKILL);
        }
    }
}

/// "exit code 3", "signal SIGSEGV".
pub fn describe_exit(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("killed by signal {}", signal_name(signal));
        }
    }
    match status.code() {
        Some(code) => format!("exit code {code}"),
        None => "an unknown status".into(),
    }
}

fn signal_name(signal: i32) -> String {
    let name = match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => return format!("{signal}"),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exits_are_described_by_code_or_signal() {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            describe_exit(std::process::ExitStatus::from_raw(3 << 8)),
            "exit code 3"
        );
        assert_eq!(
            describe_exit(std::process::ExitStatus::from_raw(11)),
            "killed by signal SIGSEGV"
        );
    }
}
