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
//! 5. when nothing else is left to do (all input read, the outbox written), one unit of
//!    [`Background`] work: computing the diagnostics due for one
//!    document (`publisher.rs`). Then the transport yields to the event loop, so input
//!    that arrived meanwhile is read, and requests answered, before the next unit;
//! 6. write without blocking. While more than [`OUTPUT_HIGH_WATER`] bytes wait to be
//!    written, steps 3, 4 and 5 pause: the notification queue fills up, which pushes back
//!    on the supervisor and from there on the host (memory stays bounded in an output
//!    flood).
//!
//! Input is framed by `framing::Decoder`, which bounds every message and discards what
//! is not one. While [`MAX_IN_FLIGHT`] requests run, or that many responses wait to be
//! encoded (a client that doesn't read), no more input is read.

use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_util::stream::{FuturesUnordered, Stream, StreamExt};
use futures_util::Sink;
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tower_lsp_server::jsonrpc::{Error, Id, Request, Response};
use tower_lsp_server::{ClientSocket, ExitedError};
use tower_service::Service;

use super::cancellation::Cancellations;
use super::framing::{Decoder, Limits, Quoted};

/// Requests handled at once; beyond this, input is left unread until one finishes.
pub const MAX_IN_FLIGHT: usize = 256;
/// Bytes of encoded output beyond which no more messages are taken until some are written.
pub const OUTPUT_HIGH_WATER: usize = 1 << 20;
const READ_CHUNK: usize = 64 << 10;
/// Background work runs at least this often while output is being written.
const BACKGROUND_TURN: Duration = Duration::from_millis(50);

/// Work done only when the transport is otherwise idle, one unit at a time.
pub trait Background {
    type Message: serde::Serialize;
    /// Does one unit of work; the messages it produced, or `None` if nothing is left.
    fn next(&mut self) -> Option<Vec<Self::Message>>;
}

/// Why serving ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// The client sent `exit`; whether a `shutdown` request came before it.
    Exit { after_shutdown: bool },
    /// The client closed its end of the input (or reading it failed).
    EndOfInput,
    /// The client stopped reading: output could not be written.
    ClientGone,
}

/// Response first: tower-lsp's `Request` defaults a missing `method`, so it would also
/// take a response to one of the server's own requests (`window/workDoneProgress/create`,
/// `window/showDocument`), which then never reached its caller. A response needs `id` and
/// `result` or `error`, which no request has.
#[derive(Deserialize)]
#[serde(untagged)]
enum Incoming {
    Response(Response),
    Request(Request),
}

type Handler =
    Pin<Box<dyn std::future::Future<Output = Result<Option<Response>, ExitedError>> + Send>>;

/// Serves `service` over `input`/`output` until `exit` or the end of input, then until
/// the handlers still running have answered and everything is written.
pub async fn serve<S, R, W, B>(
    input: R,
    output: W,
    mut service: S,
    socket: ClientSocket,
    limits: Limits,
    mut background: B,
) -> Ended
where
    S: Service<Request, Response = Option<Response>, Error = ExitedError>,
    S::Future: Send + 'static,
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
    B: Background,
{
    let (requests, mut responses) = socket.split();
    let mut state = State {
        input,
        output,
        decoder: Decoder::new(limits),
        reading: true,
        ended: Ended::EndOfInput,
        shutdown_requested: false,
        handlers: FuturesUnordered::new(),
        client: Some(requests),
        done: Vec::new(),
        outbox: Vec::new(),
        written: 0,
        background_ran: Instant::now(),
        cancellations: Cancellations::default(),
    };
    poll_fn(|cx| state.poll(cx, &mut service, &mut responses, &mut background)).await
}

struct State<R, W, Q> {
    input: R,
    output: W,
    decoder: Decoder,
    reading: bool,
    /// Why reading stopped (once it has).
    ended: Ended,
    shutdown_requested: bool,
    handlers: FuturesUnordered<Handler>,
    /// Server → client messages; dropped once input ends (as tower-lsp-server does).
    client: Option<Q>,
    /// Responses of finished handlers, not yet encoded (see step 4).
    done: Vec<Response>,
    outbox: Vec<u8>,
    /// How much of `outbox` is written.
    written: usize,
    /// When background work last had its turn.
    background_ran: Instant,
    /// `asyncell/execute` requests that a `$/cancelRequest` interrupts (cancellation.rs).
    cancellations: Cancellations,
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
        background: &mut impl Background,
    ) -> Poll<Ended>
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
                    Ok(Some(response)) => {
                        self.cancellations.answered(response.id());
                        self.done.push(response)
                    }
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
            // 5. background work, when all else is done: step 1 stopped because no input
            // was waiting (or none may be read now), and everything before is written, so
            // a request that comes next waits behind at most this unit's output. A steady
            // stream of output (a host's flood) keeps the outbox from emptying: then it
            // still gets a turn every BACKGROUND_TURN.
            let mut yielding = false;
            let unwritten = self.outbox.len() - self.written;
            if self.reading
                && (unwritten == 0
                    || (unwritten < OUTPUT_HIGH_WATER
                        && self.background_ran.elapsed() >= BACKGROUND_TURN))
            {
                self.background_ran = Instant::now();
                if let Some(messages) = background.next() {
                    for message in &messages {
                        encode(&mut self.outbox, message);
                    }
                    yielding = true;
                }
            }
            // 6. write
            while self.written < self.outbox.len() {
                match Pin::new(&mut self.output).poll_write(cx, &self.outbox[self.written..]) {
                    Poll::Ready(Ok(0)) | Poll::Ready(Err(_)) => {
                        // The client is gone: nothing can be delivered any more.
                        tracing::debug!("cannot write to the client; stopping");
                        return Poll::Ready(Ended::ClientGone);
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
                return Poll::Ready(self.ended);
            }
            if yielding {
                // Let the event loop deliver input that came in during that work before
                // doing more of it: a request waits for at most one unit.
                cx.waker().wake_by_ref();
                return Poll::Pending;
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
        while self.reading && self.handlers.len() < MAX_IN_FLIGHT && self.done.len() < MAX_IN_FLIGHT
        {
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
                    let request = self
                        .cancellations
                        .incoming(super::lenient::incoming(request));
                    let exit = request.method() == "exit";
                    if request.method() == "shutdown" && request.id().is_some() {
                        self.shutdown_requested = true;
                    }
                    self.handlers.push(Box::pin(service.call(request)));
                    if exit {
                        self.ended = Ended::Exit {
                            after_shutdown: self.shutdown_requested,
                        };
                        self.stop_reading();
                    }
                }
                Some(Frame::Message(Incoming::Response(response))) => {
                    progress = true;
                    if let Id::Number(_) = response.id() {
                        let mut sink = Pin::new(&mut *responses);
                        if let Poll::Ready(Ok(())) = sink.as_mut().poll_ready(cx) {
                            let _ = sink.start_send(response);
                        }
                    } else {
                        // The server's requests have numeric ids: this answers none of
                        // them (and its id may be huge, so only its start is logged).
                        let id = response.id().to_string();
                        tracing::warn!(
                            "ignoring a response to a request the server never sent (id {})",
                            Quoted(id.as_bytes())
                        );
                    }
                }
                Some(Frame::Invalid(error)) => {
                    progress = true;
                    self.done.push(Response::from_error(Id::Null, error));
                }
                None => {
                    // Need more bytes.
                    let inbox = self.decoder.buffer(READ_CHUNK);
                    let mut buf = ReadBuf::uninit(inbox.spare_capacity_mut());
                    let polled = Pin::new(&mut self.input).poll_read(cx, &mut buf);
                    let filled = buf.filled().len();
                    // SAFETY: the reader initialised `filled` bytes past the old length.
                    unsafe { inbox.set_len(inbox.len() + filled) };
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
        let body = self.decoder.next_body()?;
        Some(match serde_json::from_slice::<Incoming>(body) {
            Ok(message) => Frame::Message(message),
            Err(error) => {
                // serde's message names a line and column, never the payload.
                tracing::error!(
                    "failed to decode a message of {} bytes ({error}); it starts with {}",
                    body.len(),
                    Quoted(body)
                );
                Frame::Invalid(if error.is_data() {
                    Error::invalid_request()
                } else {
                    Error::parse_error()
                })
            }
        })
    }
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
