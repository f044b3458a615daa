//! Logging setup. Logs go to stderr (or `ASYNCELL_LOG_FILE`), never stdout: stdout is the
//! LSP channel.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. The level comes from `ASYNCELL_LOG` (e.g. `debug`,
/// `asyncell=trace`), defaulting to `warn` so editors' log panes stay quiet.
pub fn init() {
    let filter = EnvFilter::try_from_env("ASYNCELL_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false);
    let file = std::env::var_os("ASYNCELL_LOG_FILE").and_then(|path| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok()
    });
    let result = match file {
        Some(file) => builder.with_writer(std::sync::Mutex::new(file)).try_init(),
        None => builder.with_writer(std::io::stderr).try_init(),
    };
    // A second init (tests) is harmless.
    let _ = result;
}
