//! `asyncell kernel`: a Jupyter kernel (messaging protocol 5.3) over the same supervisor
//! and host as the language server and `asyncell run`: one host, one persistent trio or
//! asyncio loop, for the life of the kernel.
//!
//! * [`connection`]: the connection file, the channels, signed messages.
//! * [`bridge`]: the supervisor's outputs as iopub messages under the request that
//!   started them (background tasks' output too, after their cell finished).
//! * [`handlers`]: one file per request type.
//! * [`history`]: the session's input history.
//! * [`stdin`]: `input()` in a cell, asked on the stdin channel.
//! * [`kernelspec`]: `asyncell kernel install|list|uninstall`.
//!
//! Concurrency: shell requests are read as they come; executions run one after another
//! on an executor task (so `stop_on_error` can abort the queue), while completion,
//! inspection and the rest are answered at once, also while a cell awaits. Control
//! (interrupt, shutdown) has its own reader. The heartbeat echoes on its own task.

pub mod bridge;
pub mod connection;
pub mod handlers;
pub mod history;
pub mod kernelspec;
pub mod stdin;

use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::exec::{HostSpec, Options, Supervisor, EMIT_CAPACITY};
use connection::{IoPub, Replier};

/// How often the kernel looks whether its parent process (jupyter_client) still lives.
const PARENT_POLL: Duration = Duration::from_secs(1);

/// What a kernel runs with.
pub struct KernelOptions {
    pub connection_file: PathBuf,
    pub spec: HostSpec,
}

/// The kernel's shared state.
pub struct Kernel {
    pub supervisor: Supervisor,
    /// The supervisor's document key of the kernel's one host.
    pub doc: String,
    pub spec: HostSpec,
    pub iopub: IoPub,
    /// Where `input_request`s go, and the ones not answered yet.
    pub stdin: Replier,
    pub inputs: Mutex<stdin::Inputs>,
    pub executions: Mutex<bridge::Executions>,
    pub history: Mutex<history::History>,
    /// The last execution count shown (`In [n]`), counting `store_history` cells.
    pub count: AtomicU64,
    /// Set to true to end the kernel (shutdown_request, SIGTERM, parent gone).
    pub exit: watch::Sender<bool>,
}

impl Kernel {
    pub fn request_exit(&self) {
        let _ = self.exit.send(true);
    }
}

/// Runs the kernel until it is shut down; the process exit code.
pub async fn run(options: KernelOptions) -> u8 {
    let info = match connection::read_connection_file(&options.connection_file) {
        Ok(info) => info,
        Err(error) => {
            eprintln!("error: {error}");
            return 2;
        }
    };
    let channels = match connection::bind(&info, connection::session()).await {
        Ok(channels) => channels,
        Err(error) => {
            eprintln!("error: {error}");
            return 2;
        }
    };
    let (emit_sender, emit_receiver) = mpsc::channel(EMIT_CAPACITY);
    let supervisor = Supervisor::new(emit_sender, Options::default());
    let (exit, mut exit_receiver) = watch::channel(false);
    let kernel = Arc::new(Kernel {
        supervisor,
        doc: format!("jupyter-kernel:{}", options.connection_file.display()),
        spec: options.spec,
        iopub: channels.iopub.clone(),
        stdin: channels.stdin_send.clone(),
        inputs: Mutex::new(stdin::Inputs::default()),
        executions: Mutex::new(bridge::Executions::default()),
        history: Mutex::new(history::History::default()),
        count: AtomicU64::new(0),
        exit,
    });
    kernel.iopub.status("starting", None).await;
    tokio::spawn(bridge::forward(kernel.clone(), emit_receiver));
    // Start the host now, so the first cell (and kernel_info's Python version) need not wait.
    let host_ready = {
        let kernel = kernel.clone();
        tokio::spawn(async move {
            if let Err(error) = kernel.supervisor.restart(&kernel.doc, &kernel.spec).await {
                tracing::warn!("kernel: the host could not start: {error}");
            }
        })
    };
    tokio::spawn(stdin::read_replies(kernel.clone(), channels.stdin));
    let executor = handlers::execute::Executor::start(kernel.clone(), channels.shell_reply.clone());
    tokio::spawn(shell_loop(
        kernel.clone(),
        channels.shell,
        channels.shell_reply,
        executor,
        host_ready,
    ));
    tokio::spawn(control_loop(
        kernel.clone(),
        channels.control,
        channels.control_reply,
    ));
    tokio::spawn(watch_signals(kernel.clone()));
    tokio::spawn(watch_parent(kernel.clone()));
    let _ = exit_receiver.wait_for(|exit| *exit).await;
    tracing::info!("kernel: shutting down");
    kernel.supervisor.shutdown_all().await;
    // Let the iopub writer flush the last status.
    tokio::time::sleep(Duration::from_millis(50)).await;
    0
}

async fn shell_loop(
    kernel: Arc<Kernel>,
    mut shell: connection::Incoming,
    replier: Replier,
    executor: handlers::execute::Executor,
    host_ready: tokio::task::JoinHandle<()>,
) {
    let host_ready = Arc::new(tokio::sync::Mutex::new(Some(host_ready)));
    while let Some(request) = shell.next().await {
        if request.msg_type() == "execute_request" {
            executor.submit(request).await;
            continue;
        }
        let (kernel, replier, host_ready) = (kernel.clone(), replier.clone(), host_ready.clone());
        tokio::spawn(async move {
            if request.msg_type() == "kernel_info_request" {
                // The Python version comes from the host's hello.
                if let Some(start) = host_ready.lock().await.take() {
                    let _ = tokio::time::timeout(Duration::from_secs(30), start).await;
                }
            }
            handlers::dispatch(&kernel, &replier, request).await;
        });
    }
}

async fn control_loop(kernel: Arc<Kernel>, mut control: connection::Incoming, replier: Replier) {
    while let Some(request) = control.next().await {
        let (kernel, replier) = (kernel.clone(), replier.clone());
        tokio::spawn(async move { handlers::dispatch(&kernel, &replier, request).await });
    }
}

/// SIGINT interrupts the running cell (for front ends that signal instead of sending
/// `interrupt_request`); SIGTERM and SIGHUP end the kernel.
async fn watch_signals(kernel: Arc<Kernel>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut interrupt), Ok(mut terminate), Ok(mut hangup)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        tracing::warn!("kernel: cannot watch signals");
        return;
    };
    loop {
        tokio::select! {
            _ = interrupt.recv() => {
                let kernel = kernel.clone();
                tokio::spawn(async move {
                    let outcome = kernel.supervisor.interrupt(&kernel.doc).await;
                    tracing::info!("kernel: SIGINT: {}", outcome.message);
                });
            }
            _ = terminate.recv() => break,
            _ = hangup.recv() => break,
        }
    }
    kernel.request_exit();
}

/// Ends the kernel when the process that started it is gone (we were re-parented), as
/// ipykernel's parent poller does; a killed jupyter_client leaves no kernel or host.
async fn watch_parent(kernel: Arc<Kernel>) {
    // SAFETY: getppid has no preconditions.
    let parent = unsafe { libc::getppid() };
    loop {
        tokio::time::sleep(PARENT_POLL).await;
        // SAFETY: as above.
        if unsafe { libc::getppid() } != parent {
            tracing::info!("kernel: parent process {parent} is gone");
            kernel.request_exit();
            return;
        }
    }
}
