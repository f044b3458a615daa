//! Reading a host's pipes. stdout carries the protocol, one JSON object a line, read with
//! bounds: before the `hello`, at most [`PRE_HELLO_BYTES`] and [`PRE_HELLO_LINES`] of
//! anything else (ssh banners, sitecustomize prints; more means the argv does not run the
//! host, and the start fails instead of buffering); after it, frames of at most
//! `Options::max_frame`, a longer one skipped with a note under its execution. stderr is
//! logged and its last lines kept to explain a failed start or a crash.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tokio::io::BufReader;
use tokio::process::{Child, ChildStdout};
use tokio::sync::{oneshot, watch};

use super::dispatch::{forward_output, handle_message, HelloSender};
use super::host::Host;
use super::host_exit::host_gone;
use super::lines::{quote_prefix, read_line_max, skip_line, Line};
use super::process_group::kill_group;
use super::reply::human_bytes;
use super::slot::lock;
use super::supervisor::Inner;

/// Lines of host stderr kept to explain a failed start or a crash.
const STDERR_TAIL_LINES: usize = 20;
/// Bytes of one host stderr line kept (logged, and in the tail); the rest is skipped.
const STDERR_LINE_MAX: usize = 8 << 10;
/// What the interpreter may write to stdout before the host's `hello`: bytes, and lines
/// that are not the hello.
const PRE_HELLO_BYTES: usize = 1 << 20;
const PRE_HELLO_LINES: usize = 1000;
/// Bytes of unexpected output quoted in an error message.
const QUOTED_PREFIX: usize = 32;

/// What the interpreter wrote to stdout before the host's hello.
#[derive(Default)]
struct BeforeHello {
    bytes: usize,
    /// Lines that were not the hello (noise).
    lines: usize,
    /// The start of the first noise, quoted if the start fails.
    first: Vec<u8>,
}

impl BeforeHello {
    fn noise(&mut self, line: &[u8]) {
        self.lines += 1;
        if self.first.is_empty() {
            self.first = line[..line.len().min(QUOTED_PREFIX + 1)].to_vec();
        }
    }
}

/// Fails a start that cannot succeed and kills the process, instead of reading on.
fn fail_start(host: &Host, hello_tx: &mut HelloSender, message: String) {
    tracing::debug!("host {}: {message}", host.pid);
    if let Some(hello_tx) = hello_tx.take() {
        let _ = hello_tx.send(Err(message));
    }
    kill_group(host.pid);
}

/// A frame longer than [`Options::max_frame`](super::Options) was skipped: tell the
/// execution it belonged to (frames start `{"ev":"output","id":"e3",...`), else just log it.
async fn dropped_frame(inner: &Arc<Inner>, host: &Arc<Host>, prefix: &[u8], size: u64) {
    let note = format!(
        "\n[asyncell: an output of {} was dropped: one output may be at most {}]\n",
        human_bytes(usize::try_from(size).unwrap_or(usize::MAX)),
        human_bytes(inner.options.max_frame),
    );
    tracing::warn!(
        "host {}: skipped a frame of {size} bytes (more than {}), starting {}",
        host.pid,
        inner.options.max_frame,
        quote_prefix(prefix, 80)
    );
    let Some(id) = frame_execution_id(prefix) else {
        return;
    };
    let output = json!({"output_type": "stream", "name": "stderr", "text": note});
    forward_output(inner, host, id, None, output).await;
}

/// The execution id of an output frame, from its first bytes (`{"ev":"output","id":"e3"`).
fn frame_execution_id(prefix: &[u8]) -> Option<String> {
    let head = &prefix[..prefix.len().min(256)];
    let start = memchr::memmem::find(head, br#""id":""#)? + 6;
    let length = memchr::memchr(b'"', &head[start..])?;
    let id = std::str::from_utf8(&head[start..start + length]).ok()?;
    (!id.contains('\\')).then(|| id.to_string())
}

/// Reads the host's stdout until EOF, then reaps it and answers whatever was in flight.
pub(super) async fn read_host(
    inner: Arc<Inner>,
    host: Arc<Host>,
    stdout: ChildStdout,
    child: Child,
    hello_tx: oneshot::Sender<Result<(), String>>,
    exited_tx: watch::Sender<Option<String>>,
) {
    let mut hello_tx = Some(hello_tx);
    let mut reader = BufReader::with_capacity(1 << 18, stdout);
    let mut line = Vec::new();
    let mut before_hello = BeforeHello::default();
    loop {
        let waiting = hello_tx.is_some();
        let max = if waiting {
            PRE_HELLO_BYTES.saturating_sub(before_hello.bytes)
        } else {
            inner.options.max_frame
        };
        match read_line_max(&mut reader, &mut line, max).await {
            Ok(Line::Eof) => break,
            Ok(Line::Complete) => {}
            Ok(Line::TooLong) if waiting => {
                before_hello.noise(&line);
                let message = format!(
                    "the interpreter wrote more than {} to stdout without the host saying hello \
                     (it began with {}); the `python` setting must name a Python interpreter",
                    human_bytes(PRE_HELLO_BYTES),
                    quote_prefix(&before_hello.first, QUOTED_PREFIX),
                );
                fail_start(&host, &mut hello_tx, message);
                break;
            }
            Ok(Line::TooLong) => {
                let prefix = std::mem::take(&mut line);
                match skip_line(&mut reader).await {
                    Ok(rest) => {
                        dropped_frame(&inner, &host, &prefix, prefix.len() as u64 + rest).await
                    }
                    Err(_) => break,
                }
                continue;
            }
            Err(error) => {
                tracing::warn!("host {}: reading stdout failed: {error}", host.pid);
                break;
            }
        }
        if waiting {
            before_hello.bytes += line.len();
        }
        if tracing::enabled!(tracing::Level::TRACE) {
            let text = String::from_utf8_lossy(&line[..line.len().min(300)]).into_owned();
            tracing::trace!("host {} -> {}", host.pid, text.trim_end());
        }
        // `str::parse::<Value>` runs serde_json's own (optimised) code even in debug
        // builds; a generic `from_slice` would be compiled, unoptimised, into this crate.
        let parsed = std::str::from_utf8(&line)
            .ok()
            .and_then(|text| text.parse::<Value>().ok());
        let message: Value = match parsed {
            Some(message @ Value::Object(_)) => message,
            _ => {
                // Before hello: ssh banners, sitecustomize prints. Logged, never parsed.
                let text = String::from_utf8_lossy(&line[..line.len().min(2000)]);
                tracing::info!(
                    "host {}: {}",
                    host.pid,
                    text.trim_end().chars().take(500).collect::<String>()
                );
                if waiting {
                    before_hello.noise(&line);
                    if before_hello.lines > PRE_HELLO_LINES {
                        let message = format!(
                            "the interpreter wrote more than {PRE_HELLO_LINES} lines to stdout \
                             without the host saying hello (the first: {}); the `python` \
                             setting must name a Python interpreter",
                            quote_prefix(&before_hello.first, QUOTED_PREFIX),
                        );
                        fail_start(&host, &mut hello_tx, message);
                        break;
                    }
                }
                continue;
            }
        };
        handle_message(&inner, &host, message, &mut hello_tx).await;
        if line.capacity() > 1 << 20 {
            line = Vec::new(); // one big image must not pin its buffer for the host's life
        }
    }
    host_gone(&inner, &host, child, hello_tx, exited_tx).await;
}

/// Logs the host's stderr and keeps its last lines. Read as bytes, lossily decoded per
/// line and cut at [`STDERR_LINE_MAX`], so no output stops the reading (an unread pipe
/// would block the host's writes, a closed one fail them).
pub(super) async fn read_stderr(
    stderr: tokio::process::ChildStderr,
    pid: u32,
    tail: Arc<Mutex<VecDeque<String>>>,
) {
    let mut reader = BufReader::new(stderr);
    let mut buf = Vec::new();
    loop {
        let line = match read_line_max(&mut reader, &mut buf, STDERR_LINE_MAX).await {
            Ok(Line::Eof) | Err(_) => return,
            Ok(line) => line,
        };
        let mut text = String::from_utf8_lossy(&buf)
            .trim_end_matches(['\n', '\r'])
            .to_string();
        if line == Line::TooLong {
            match skip_line(&mut reader).await {
                Ok(rest) => text.push_str(&format!(" [… {rest} more bytes]")),
                Err(_) => return,
            }
        }
        tracing::info!("host {pid} stderr: {text}");
        let mut tail = lock(&tail);
        if tail.len() == STDERR_TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(text.chars().take(500).collect());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_frames_are_attributed_by_their_prefix() {
        assert_eq!(
            frame_execution_id(br#"{"ev":"output","id":"e3","task":null,"output":{"#),
            Some("e3".to_string())
        );
        assert_eq!(frame_execution_id(br#"{"ev":"output","id":"#), None);
        assert_eq!(frame_execution_id(b"\0\0\0"), None);
    }
}
