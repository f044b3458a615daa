//! The LSP transport: `Content-Length` framed JSON-RPC over a byte stream, in one future.
//!
//! tower-lsp-server's own `Server` splits this into three futures joined together and
//! writes server → client messages and responses through two channels that are merged in
//! random order. This one keeps everything in one `poll` on the runtime thread:
//!
//! 1. read what has arrived, decode every complete message, and start its handler (at most
//!    [`MAX_IN_FLIGHT`] requests at a time; `exit` and end of input stop the reading);
//! 2. poll the handlers; collect the responses that are done;
//! 3. take every queued server → client message (notifications such as
//!    `asyncell/output`, requests such as `workspace/configuration`);
//! 4. only then encode the responses of step 2, so a notification sent before a handler
//!    finished is always written before that handler's response (an execution's outputs
//!    come before its reply), and everything gathered goes out in one `write`;
//! 5. write without blocking. While more than [`OUTPUT_HIGH_WATER`] bytes wait to be
//!    written, steps 3 and 4 pause: the notification queue fills up, which pushes back on
//!    the supervisor and from there on the host (memory stays bounded in an output flood).

use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::{FuturesUnordered, Stream, StreamExt};
use futures_util::Sink;
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tower_lsp_server::jsonrpc::{Error, Id, Request, Response};
use tower_lsp_server::{ClientSocket, ExitedError};
use tower_service::Service;

/// Requests handled at once; beyond this, input is left unread until one finishes.
pub const MAX_IN_FLIGHT: usize = 256;
/// Bytes of encoded output beyond which no more messages are taken until some are written.
pub const OUTPUT_HIGH_WATER: usize = 1 << 20;
const READ_CHUNK: usize = 64 << 10;

#[derive(Deserialize)]
#[serde(untagged)]
enum Incoming {
    Request(Request),
    Response(Response),
}

type Handler =
    Pin<Box<dyn std::future::Future<Output = Result<Option<Response>, ExitedError>> + Send>>;

/// Serves `service` over `input`/`output` until `exit` or the end of input, then until
/// the handlers still running have answered and everything is written.
pub async fn serve<S, R, W>(input: R, output: W, mut service: S, socket: ClientSocket)
where
    S: Service<Request, Response = Option<Response>, Error = ExitedError>,
    S::Future: Send + 'static,
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let (requests, mut responses) = socket.split();
    let mut state = State {
        input,
        output,
        inbox: Vec::with_capacity(READ_CHUNK),
        body_len: None,
        reading: true,
        handlers: FuturesUnordered::new(),
        client: Some(requests),
        done: Vec::new(),
        outbox: Vec::new(),
        written: 0,
    };
    poll_fn(|cx| state.poll(cx, &mut service, &mut responses)).await;
}

struct State<R, W, Q> {
    input: R,
    output: W,
    inbox: Vec<u8>,
    /// The body length of a message whose header has been read.
    body_len: Option<usize>,
    reading: bool,
    handlers: FuturesUnordered<Handler>,
    /// Server → client messages; dropped once input ends (as tower-lsp-server does).
    client: Option<Q>,
    /// Responses of finished handlers, not yet encoded (see step 4).
    done: Vec<Response>,
    outbox: Vec<u8>,
    /// How much of `outbox` is written.
    written: usize,
}

enum Frame {
    Message(Incoming),
    Invalid(Error),
}

impl<R, W, Q> State<R, W, Q>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
    Q: Stream<Item = Request> + Unpin,
{
    fn poll<S>(
        &mut self,
        cx: &mut Context<'_>,
        service: &mut S,
        responses: &mut (impl Sink<Response> + Unpin),
    ) -> Poll<()>
    where
        S: Service<Request, Response = Option<Response>, Error = ExitedError>,
        S::Future: Send + 'static,
    {
        loop {
            let mut progress = self.read_and_dispatch(cx, service, responses);
            // 2. handlers
            while let Poll::Ready(Some(result)) = self.handlers.poll_next_unpin(cx) {
                progress = true;
                match result {
                    Ok(Some(response)) => self.done.push(response),
                    Ok(None) => {}
                    Err(error) => tracing::error!("request failed: {error}"),
                }
            }
            // 3. server -> client messages, then 4. the responses gathered before them.
            let mut drained = true;
            if let Some(client) = self.client.as_mut() {
                loop {
                    if self.outbox.len() - self.written >= OUTPUT_HIGH_WATER {
                        drained = false;
                        break;
                    }
                    match client.poll_next_unpin(cx) {
                        Poll::Ready(Some(request)) => {
                            progress = true;
                            encode(&mut self.outbox, &request);
                        }
                        Poll::Ready(None) => {
                            self.client = None;
                            break;
                        }
                        Poll::Pending => break,
                    }
                }
            }
            if drained && !self.done.is_empty() {
                for response in std::mem::take(&mut self.done) {
                    encode(&mut self.outbox, &response);
                }
            }
            // 5. write
            while self.written < self.outbox.len() {
                match Pin::new(&mut self.output).poll_write(cx, &self.outbox[self.written..]) {
                    Poll::Ready(Ok(0)) | Poll::Ready(Err(_)) => {
                        // The client is gone: nothing can be delivered any more.
                        tracing::debug!("cannot write to the client; stopping");
                        return Poll::Ready(());
                    }
                    Poll::Ready(Ok(n)) => {
                        self.written += n;
                        progress = true;
                    }
                    Poll::Pending => break,
                }
            }
            if self.written == self.outbox.len() {
                self.outbox.clear();
                self.written = 0;
            } else if self.written > OUTPUT_HIGH_WATER {
                self.outbox.drain(..self.written);
                self.written = 0;
            }
            if !self.reading
                && self.handlers.is_empty()
                && self.done.is_empty()
                && self.outbox.is_empty()
            {
                return Poll::Ready(());
            }
            if !progress {
                return Poll::Pending;
            }
        }
    }

    /// Step 1; whether anything happened.
    fn read_and_dispatch<S>(
        &mut self,
        cx: &mut Context<'_>,
        service: &mut S,
        responses: &mut (impl Sink<Response> + Unpin),
    ) -> bool
    where
        S: Service<Request, Response = Option<Response>, Error = ExitedError>,
        S::Future: Send + 'static,
    {
        let mut progress = false;
        while self.reading && self.handlers.len() < MAX_IN_FLIGHT {
            // The service is not ready while `initialize` runs: nothing else is read then.
            match service.poll_ready(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(_)) => {
                    self.stop_reading();
                    break;
                }
                Poll::Pending => break,
            }
            match self.next_frame() {
                Some(Frame::Message(Incoming::Request(request))) => {
                    progress = true;
                    let exit = request.method() == "exit";
                    self.handlers.push(Box::pin(service.call(request)));
                    if exit {
                        self.stop_reading();
                    }
                }
                Some(Frame::Message(Incoming::Response(response))) => {
                    progress = true;
                    let mut sink = Pin::new(&mut *responses);
                    if let Poll::Ready(Ok(())) = sink.as_mut().poll_ready(cx) {
                        let _ = sink.start_send(response);
                    }
                }
                Some(Frame::Invalid(error)) => {
                    progress = true;
                    self.done.push(Response::from_error(Id::Null, error));
                }
                None => {
                    // Need more bytes.
                    self.inbox.reserve(READ_CHUNK);
                    let mut buf = ReadBuf::uninit(self.inbox.spare_capacity_mut());
                    let polled = Pin::new(&mut self.input).poll_read(cx, &mut buf);
                    let filled = buf.filled().len();
                    // SAFETY: the reader initialised `filled` bytes past the old length.
                    unsafe { self.inbox.set_len(self.inbox.len() + filled) };
                    match polled {
                        Poll::Ready(Ok(())) if filled > 0 => progress = true,
                        Poll::Ready(Ok(())) => {
                            self.stop_reading();
                            progress = true;
                        }
                        Poll::Ready(Err(error)) => {
                            tracing::error!("reading the client's messages failed: {error}");
                            self.stop_reading();
                            progress = true;
                        }
                        Poll::Pending => break,
                    }
                }
            }
        }
        progress
    }

    fn stop_reading(&mut self) {
        self.reading = false;
        // As tower-lsp-server: once input ends, server -> client messages are dropped;
        // the handlers still running finish and their responses are written.
        self.client = None;
    }

    /// The next complete message in the inbox, if any.
    fn next_frame(&mut self) -> Option<Frame> {
        loop {
            if let Some(len) = self.body_len {
                if self.inbox.len() < len {
                    return None;
                }
                self.body_len = None;
                let frame = match serde_json::from_slice::<Incoming>(&self.inbox[..len]) {
                    Ok(message) => Frame::Message(message),
                    Err(error) => {
                        tracing::error!("failed to decode message: {error}");
                        Frame::Invalid(if error.is_data() {
                            Error::invalid_request()
                        } else {
                            Error::parse_error()
                        })
                    }
                };
                self.inbox.drain(..len);
                return Some(frame);
            }
            let end = find(&self.inbox, b"\r\n\r\n")?;
            let header = String::from_utf8_lossy(&self.inbox[..end]).into_owned();
            self.inbox.drain(..end + 4);
            let mut length = None;
            for line in header.split("\r\n") {
                let (name, value) = line.split_once(':').unwrap_or((line, ""));
                if name.trim().eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse::<usize>().ok();
                }
            }
            match length {
                Some(len) => self.body_len = Some(len),
                None => {
                    tracing::error!("a message header without a valid Content-Length: {header:?}");
                    // Skip ahead to what may be the next message.
                    let skip = find(&self.inbox, b"Content-Length").unwrap_or(self.inbox.len());
                    self.inbox.drain(..skip);
                    return Some(Frame::Invalid(Error::parse_error()));
                }
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn encode(outbox: &mut Vec<u8>, message: &impl serde::Serialize) {
    match serde_json::to_string(message) {
        Ok(body) => {
            outbox.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
            outbox.extend_from_slice(body.as_bytes());
        }
        Err(error) => tracing::error!("cannot encode a message: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_found_across_partial_reads() {
        assert_eq!(find(b"Content-Length: 2\r\n\r\n{}", b"\r\n\r\n"), Some(17));
        assert_eq!(find(b"Content-Length: 2\r\n", b"\r\n\r\n"), None);
    }
}
