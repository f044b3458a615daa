//! Splitting the client's byte stream into message bodies (`Content-Length` framing), with
//! every buffer bounded.
//!
//! - A message whose `Content-Length` exceeds the maximum ([`Limits::max_message`]) is
//!   refused before any of its body is buffered; its body is then discarded as it streams
//!   in, like any other bytes that are not a message (next point).
//! - Bytes that are not a message (garbage, a refused body) are discarded as they arrive,
//!   keeping only the last [`MAX_HEADER`] bytes, which may be the start of the next header.
//!   Framing resumes at the next header: the last `Content-Length:` field before a blank
//!   line (`\r\n\r\n`). A JSON body can't contain that sequence (JSON strings can't hold a
//!   raw CR or LF), so a refused body never resynchronises the stream in its middle.
//! - The header terminator is searched for only in bytes not searched before, so input
//!   costs linear time however it is split into reads.
//! - Logs quote at most [`LOG_PREFIX`] bytes of what they report.

use std::fmt;

/// No header is longer than this: `Content-Length: <20 digits>` plus a `Content-Type`.
pub const MAX_HEADER: usize = 4 << 10;
/// Bytes of a header or garbage quoted in a log line.
pub const LOG_PREFIX: usize = 64;
/// The default maximum message size (64 MiB): far above any real document (a 10 MB
/// notebook is a large one), far below what would hurt the machine.
pub const DEFAULT_MAX_MESSAGE: usize = 64 << 20;
const TERMINATOR: &[u8] = b"\r\n\r\n";
const CONTENT_LENGTH: &[u8] = b"content-length";

/// Bounds on what the decoder accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest body accepted, in bytes.
    pub max_message: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message: DEFAULT_MAX_MESSAGE,
        }
    }
}

/// Incremental decoder: append bytes with [`Decoder::buffer`], take bodies with
/// [`Decoder::next_body`].
pub struct Decoder {
    limits: Limits,
    buf: Vec<u8>,
    /// Bytes at the front of `buf` already consumed.
    start: usize,
    /// `buf[..scanned]` holds no header terminator (beyond `start`).
    scanned: usize,
    /// The body length of a message whose header has been read.
    body_len: Option<usize>,
    /// Bytes discarded since the last message (for one log line per run of garbage).
    discarded: u64,
    /// A message was refused since the last one accepted: its body is being discarded.
    refused: bool,
}

impl Decoder {
    pub fn new(limits: Limits) -> Decoder {
        Decoder {
            limits,
            buf: Vec::new(),
            start: 0,
            scanned: 0,
            body_len: None,
            discarded: 0,
            refused: false,
        }
    }

    /// The buffer to append newly read bytes to, with at least `room` bytes spare.
    pub fn buffer(&mut self, room: usize) -> &mut Vec<u8> {
        if self.start > 0 {
            // Only what is left of a partly read message moves: at most one read's worth
            // after a message, none while a body streams in (it starts at 0).
            self.buf.drain(..self.start);
            self.scanned -= self.start;
            self.start = 0;
        }
        self.buf.reserve(room);
        &mut self.buf
    }

    /// Bytes held: never more than one body (at most the maximum) plus one read.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// The next complete message body, if the buffer holds one.
    pub fn next_body(&mut self) -> Option<&[u8]> {
        loop {
            if let Some(len) = self.body_len {
                if self.buf.len() - self.start < len {
                    return None;
                }
                self.body_len = None;
                let body = self.start..self.start + len;
                self.start += len;
                self.scanned = self.start;
                return Some(&self.buf[body]);
            }
            let from = self
                .scanned
                .saturating_sub(TERMINATOR.len() - 1)
                .max(self.start);
            let Some(found) = memchr::memmem::find(&self.buf[from..], TERMINATOR) else {
                self.scanned = self.buf.len();
                self.discard_all_but_a_header();
                return None;
            };
            let end = from + found;
            let block = self.start..end;
            self.start = end + TERMINATOR.len();
            self.scanned = self.start;
            self.read_header(block);
        }
    }

    /// Past [`MAX_HEADER`] bytes without a terminator, the bytes at `start` can't begin a
    /// header: all but the last `MAX_HEADER` go.
    fn discard_all_but_a_header(&mut self) {
        let pending = self.buf.len() - self.start;
        if pending > MAX_HEADER {
            let cut = self.buf.len() - MAX_HEADER;
            self.discard(self.start, cut);
            self.start = cut;
        }
    }

    /// Interprets `buf[block]`, a header without its terminator.
    fn read_header(&mut self, block: std::ops::Range<usize>) {
        let header = &self.buf[block.clone()];
        let Some(field) = last_content_length(header) else {
            self.discard(block.start, block.end + TERMINATOR.len());
            return;
        };
        if !are_header_fields(&header[..field.name_at]) {
            self.discard(block.start, block.start + field.name_at);
        }
        if self.discarded > 0 || self.refused {
            tracing::warn!(
                "skipped {} bytes that were not a message; reading again from this header",
                self.discarded
            );
            self.discarded = 0;
            self.refused = false;
        }
        match field.length {
            Some(len) if len <= self.limits.max_message => {
                self.body_len = Some(len);
                // Room for the whole body at once: no doubling past what it needs.
                let have = self.buf.len() - self.start;
                self.buf.reserve(len.saturating_sub(have));
            }
            _ => {
                let value = block.start + field.value.start..block.start + field.value.end;
                let declared = match field.length {
                    Some(len) => len.to_string(),
                    None => Quoted(&self.buf[value]).to_string(),
                };
                tracing::error!(
                    "refusing a message of {declared} bytes: the maximum is {} bytes (set \
                     --max-message-size or ASYNCELL_MAX_MESSAGE_SIZE to raise it); skipping \
                     its body as it arrives",
                    self.limits.max_message
                );
                self.refused = true;
            }
        }
    }

    /// Drops `buf[from..to]`, logging the first bytes of a new run of garbage.
    fn discard(&mut self, from: usize, to: usize) {
        if to <= from {
            return;
        }
        if self.discarded == 0 && !self.refused {
            tracing::warn!(
                "discarding bytes that are not an LSP message (expected `Content-Length: N` \
                 and a blank line); they start with {}",
                Quoted(&self.buf[from..to])
            );
        }
        self.discarded += (to - from) as u64;
    }
}

/// A `Content-Length` field: where its name starts, its value as written and as a number
/// (`None` if it is not one a `usize` holds).
struct Field {
    name_at: usize,
    value: std::ops::Range<usize>,
    length: Option<usize>,
}

/// The last `Content-Length:` field of a header: what precedes it is earlier fields or
/// garbage (see the module docs). None if there is none or its value is not a number.
fn last_content_length(header: &[u8]) -> Option<Field> {
    let mut end = header.len();
    loop {
        let name_at = rfind_ignore_case(&header[..end], CONTENT_LENGTH)?;
        // The next search ends before this occurrence.
        end = name_at + CONTENT_LENGTH.len() - 1;
        let after_name = name_at + CONTENT_LENGTH.len();
        let colon = after_name + spaces(&header[after_name..]);
        if header.get(colon) != Some(&b':') {
            continue;
        }
        let value_at = colon + 1 + spaces(&header[colon + 1..]);
        let line = &header[value_at..];
        let line_end = memchr::memmem::find(line, b"\r\n").unwrap_or(line.len());
        let value = &line[..line_end];
        let value = &value[..value.len() - value.iter().rev().take_while(|b| is_space(b)).count()];
        if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
            return None;
        }
        // All digits: a number too big for a usize is simply too large.
        let length = std::str::from_utf8(value)
            .ok()
            .and_then(|digits| digits.parse::<usize>().ok());
        return Some(Field {
            name_at,
            value: value_at..value_at + value.len(),
            length,
        });
    }
}

/// Whether `bytes` is a run of `Name: value\r\n` lines (the fields before `Content-Length`).
fn are_header_fields(bytes: &[u8]) -> bool {
    bytes.len() <= MAX_HEADER
        && bytes
            .strip_suffix(b"\r\n")
            .map_or(bytes.is_empty(), |lines| {
                lines.split(|&b| b == b'\n').all(|line| {
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    line.iter().position(|&b| b == b':').is_some_and(|colon| {
                        colon > 0
                            && line[..colon]
                                .iter()
                                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
                    })
                })
            })
}

fn rfind_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=haystack.len().checked_sub(needle.len())?)
        .rev()
        .find(|&at| haystack[at..at + needle.len()].eq_ignore_ascii_case(needle))
}

fn is_space(byte: &u8) -> bool {
    *byte == b' ' || *byte == b'\t'
}

/// How many spaces or tabs `bytes` starts with.
fn spaces(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| is_space(b)).count()
}

/// At most [`LOG_PREFIX`] bytes, escaped, with the total length if there is more.
pub struct Quoted<'b>(pub &'b [u8]);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = &self.0[..self.0.len().min(LOG_PREFIX)];
        write!(f, "\"{}\"", shown.escape_ascii())?;
        if self.0.len() > shown.len() {
            write!(f, "… ({} bytes)", self.0.len())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` in chunks of `chunk` bytes; returns the bodies decoded and the most
    /// bytes the decoder held at once.
    fn decode(limits: Limits, input: &[u8], chunk: usize) -> (Vec<Vec<u8>>, usize) {
        let mut decoder = Decoder::new(limits);
        let mut bodies = Vec::new();
        let mut held = 0;
        for piece in input.chunks(chunk) {
            decoder.buffer(piece.len()).extend_from_slice(piece);
            held = held.max(decoder.buffered());
            while let Some(body) = decoder.next_body() {
                bodies.push(body.to_vec());
            }
        }
        (bodies, held)
    }

    fn message(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    #[test]
    fn messages_are_found_however_the_input_is_split() {
        let mut input = message(r#"{"a":1}"#);
        input.extend(b"content-length:3\r\nContent-Type: application/vscode-jsonrpc\r\n\r\n[1]");
        input.extend(b"Content-Type: x\r\nCONTENT-LENGTH :  2 \r\n\r\n{}");
        for chunk in 1..input.len() {
            let (bodies, _) = decode(Limits::default(), &input, chunk);
            assert_eq!(bodies, [&b"{\"a\":1}"[..], b"[1]", b"{}"], "chunk {chunk}");
        }
    }

    #[test]
    fn a_message_over_the_maximum_is_refused_and_the_next_one_is_read() {
        let limits = Limits { max_message: 1000 };
        let mut input = b"Content-Length: 1000000000000000\r\n\r\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 100_000));
        input.extend(message("{}"));
        input.extend(b"Content-Length: 99999999999999999999999999\r\n\r\n{\"big\": 1}");
        input.extend(message("[]"));
        let (bodies, held) = decode(limits, &input, 4096);
        assert_eq!(bodies, [b"{}", b"[]"]);
        assert!(held <= MAX_HEADER + 4096, "{held}");
    }

    #[test]
    fn a_message_at_the_maximum_is_accepted() {
        let body = "x".repeat(1000);
        let (bodies, _) = decode(Limits { max_message: 1000 }, &message(&body), 333);
        assert_eq!(bodies, [body.as_bytes()]);
    }

    #[test]
    fn garbage_is_discarded_as_it_arrives_and_costs_linear_time() {
        // 32 MB without a header, then a message: before, every read rescanned the whole
        // buffer (34 s); now each byte is looked at about once.
        let mut input = vec![b'x'; 32 << 20];
        input.extend(message(r#"{"ok":true}"#));
        let started = std::time::Instant::now();
        let (bodies, held) = decode(Limits::default(), &input, 64 << 10);
        assert_eq!(bodies, [br#"{"ok":true}"#]);
        assert!(held <= MAX_HEADER + (64 << 10), "{held}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn blank_lines_and_headers_without_a_length_are_skipped() {
        let mut input = b"\r\n\r\n\r\n\r\nnot a header\r\n\r\nContent-Length: abc\r\n\r\n".to_vec();
        input.extend(b"some junk then ");
        input.extend(message("{}"));
        for chunk in [1, 7, 1000] {
            assert_eq!(decode(Limits::default(), &input, chunk).0, [b"{}"]);
        }
    }

    #[test]
    fn quotes_are_short_and_escaped() {
        let long = vec![b'\n'; 1000];
        let quoted = Quoted(&long).to_string();
        assert!(quoted.len() < 2 * LOG_PREFIX + 32, "{quoted}");
        assert!(quoted.ends_with("… (1000 bytes)"));
        assert_eq!(Quoted(b"ab\r").to_string(), r#""ab\r""#);
    }

    #[test]
    fn header_fields_are_told_from_garbage() {
        assert!(are_header_fields(b""));
        assert!(are_header_fields(b"Content-Type: a/b\r\n"));
        assert!(!are_header_fields(b"garbage"));
        assert!(!are_header_fields(b"{\"x\": 1}\r\n"));
    }
}
