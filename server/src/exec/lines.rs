//! Bounded line reading from a host's pipes.
//!
//! A host's stdout and stderr are written by whatever the `python` argv really runs (an
//! interpreter that prints a banner, a wrapper, or `cat /dev/zero`), so no line may grow
//! a buffer without bound: [`read_line_max`] stops at a byte limit and says so, and
//! [`skip_line`] consumes the rest of an over-long line without keeping it.

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// How [`read_line_max`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line {
    /// The stream ended before any byte of a new line.
    Eof,
    /// A whole line is in the buffer: through its `\n`, or to the end of the stream.
    Complete,
    /// The line reached the limit before its `\n`: the buffer holds its first `max`
    /// bytes and the rest is still unread.
    TooLong,
}

/// Reads the next line into `buf` (cleared first), keeping at most `max` bytes (`\n`
/// included). Nothing past the limit is consumed.
pub async fn read_line_max<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Line> {
    buf.clear();
    let max = max.max(1);
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(if buf.is_empty() {
                Line::Eof
            } else {
                Line::Complete
            });
        }
        let window = &available[..available.len().min(max - buf.len())];
        if let Some(newline) = memchr::memchr(b'\n', window) {
            buf.extend_from_slice(&window[..=newline]);
            reader.consume(newline + 1);
            return Ok(Line::Complete);
        }
        let taken = window.len();
        buf.extend_from_slice(window);
        reader.consume(taken);
        if buf.len() >= max {
            return Ok(Line::TooLong);
        }
    }
}

/// Consumes the rest of the current line (through its `\n`, or to the end of the
/// stream) without keeping it; returns how many bytes that was.
pub async fn skip_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<u64> {
    let mut skipped = 0u64;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(skipped);
        }
        if let Some(newline) = memchr::memchr(b'\n', available) {
            reader.consume(newline + 1);
            return Ok(skipped + newline as u64 + 1);
        }
        let taken = available.len();
        reader.consume(taken);
        skipped += taken as u64;
    }
}

/// The first `max` bytes of `bytes`, escaped for a one-line message (`\0`, `\xff`, `\n`
/// shown as escapes), with `…` when cut.
pub fn quote_prefix(bytes: &[u8], max: usize) -> String {
    let shown = &bytes[..bytes.len().min(max)];
    let mut text = format!("\"{}\"", shown.escape_ascii());
    if bytes.len() > max {
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn lines_of(input: &[u8], max: usize) -> Vec<(Line, Vec<u8>)> {
        let mut reader = tokio::io::BufReader::with_capacity(4, input);
        let mut out = Vec::new();
        let mut buf = Vec::new();
        loop {
            let line = read_line_max(&mut reader, &mut buf, max).await.unwrap();
            out.push((line, buf.clone()));
            match line {
                Line::Eof => return out,
                Line::TooLong => {
                    skip_line(&mut reader).await.unwrap();
                }
                Line::Complete => {}
            }
        }
    }

    #[tokio::test]
    async fn long_lines_stop_at_the_limit_and_the_next_line_is_read_whole() {
        let lines = lines_of(b"ab\nabcdefghij\nxyz", 5).await;
        assert_eq!(
            lines,
            [
                (Line::Complete, b"ab\n".to_vec()),
                (Line::TooLong, b"abcde".to_vec()),
                (Line::Complete, b"xyz".to_vec()),
                (Line::Eof, Vec::new()),
            ]
        );
    }

    #[tokio::test]
    async fn skipping_counts_through_the_newline() {
        let mut reader = tokio::io::BufReader::with_capacity(3, &b"0123456789\nrest"[..]);
        assert_eq!(skip_line(&mut reader).await.unwrap(), 11);
        let mut buf = Vec::new();
        read_line_max(&mut reader, &mut buf, 100).await.unwrap();
        assert_eq!(buf, b"rest");
    }

    #[test]
    fn prefixes_are_escaped_and_marked_when_cut() {
        assert_eq!(quote_prefix(b"\0\0\xffok\n", 4), "\"\\x00\\x00\\xffo\"…");
        assert_eq!(quote_prefix(b"ok", 4), "\"ok\"");
    }
}
