//! PEP 263 source encodings: find the coding line as CPython's tokenizer does, then
//! decode the file with the codec it names.
//!
//! CPython's rules (`Parser/tokenizer.c`, `get_coding_spec` and `check_coding_spec`):
//! the declaration is a comment on line 1, or on line 2 when line 1 holds nothing but
//! whitespace or a comment; it is the first `coding` followed by `:` or `=`, optional
//! spaces, and a name of letters, digits, `-`, `_` and `.`. Names starting `utf-8`
//! (after lower-casing the first 12 characters and turning `_` into `-`) mean UTF-8, the
//! `latin-1` / `iso-8859-1` / `iso-latin-1` family means ISO-8859-1, and any other name
//! goes through `codecs.lookup`. A UTF-8 BOM allows only a UTF-8 declaration, spelt
//! exactly as the normalisation above produces it (`utf8` with a BOM is an error in
//! Python too). Errors are the ones Python raises, in its words where it has them.

use std::borrow::Cow;
use std::fmt;

use super::codecs::{self, Codec};
use crate::positions;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a Python file's bytes are not source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// No coding line, and the bytes are not UTF-8.
    NotUtf8 { at: BytePosition },
    /// Python: `unknown encoding: NAME`.
    UnknownEncoding { name: String },
    /// Python: `'NAME' is not a text encoding`.
    NotText { name: String },
    /// Python: `encoding problem: NAME with BOM`.
    ConflictsWithBom { name: String },
    /// The bytes are invalid in the declared codec.
    Undecodable { name: String, at: BytePosition },
    /// A UTF-16/32 declaration on a line readable as ASCII.
    Wide { name: String },
    /// A codec Python has and asyncell does not decode.
    Unsupported { name: String },
}

/// A byte offset with its 1-based line, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BytePosition {
    pub offset: usize,
    pub line: usize,
    pub byte: u8,
}

impl BytePosition {
    fn of(bytes: &[u8], offset: usize) -> BytePosition {
        let offset = offset.min(bytes.len().saturating_sub(1));
        BytePosition {
            offset,
            line: 1 + positions::line_number_in_bytes(bytes, offset),
            byte: bytes.get(offset).copied().unwrap_or(0),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const RESAVE: &str = "re-save the file as UTF-8";
        match self {
            DecodeError::NotUtf8 { at } => write!(
                f,
                "not valid UTF-8 (byte 0x{:02X} at offset {}, line {}) and no coding line \
                 declares another encoding: {RESAVE}, or declare its encoding on line 1 or 2 \
                 (`# -*- coding: latin-1 -*-`, PEP 263)",
                at.byte, at.offset, at.line
            ),
            DecodeError::UnknownEncoding { name } => write!(
                f,
                "unknown encoding: {name} (in the coding line; Python rejects it too): name \
                 a codec Python knows, such as utf-8, latin-1 or cp1252"
            ),
            DecodeError::NotText { name } => write!(
                f,
                "'{name}' is not a text encoding (in the coding line; Python rejects it too): \
                 {RESAVE}"
            ),
            DecodeError::ConflictsWithBom { name } => write!(
                f,
                "encoding problem: {name} with BOM (the file starts with a UTF-8 byte order \
                 mark but its coding line declares {name}; Python rejects it too): remove \
                 the coding line or the BOM"
            ),
            DecodeError::Undecodable { name, at } => write!(
                f,
                "not valid {name} (byte 0x{:02X} at offset {}, line {}), the encoding its \
                 coding line declares (Python rejects it too): fix the coding line or \
                 {RESAVE}",
                at.byte, at.offset, at.line
            ),
            DecodeError::Wide { name } => write!(
                f,
                "declares {name}, but its coding line is ASCII, so the file is not {name} \
                 (Python rejects it too): {RESAVE}"
            ),
            DecodeError::Unsupported { name } => write!(
                f,
                "asyncell cannot decode {name}, the encoding its coding line declares \
                 (Python can): {RESAVE} to have it checked"
            ),
        }
    }
}

/// The text of a Python source file, decoded as Python would decode it. A leading
/// UTF-8 BOM is dropped, so positions count from the first character of code.
pub fn decode_python(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    let (has_bom, body) = match bytes.strip_prefix(BOM) {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let Some(declared) = coding_spec(body) else {
        return std::str::from_utf8(body)
            .map(Cow::Borrowed)
            .map_err(|error| DecodeError::NotUtf8 {
                at: BytePosition::of(bytes, error.valid_up_to() + bom_len(has_bom)),
            });
    };
    let name = normal_name(&declared);
    if has_bom && name != "utf-8" {
        return Err(DecodeError::ConflictsWithBom { name });
    }
    let codec = if name == "utf-8" {
        Codec::Utf8
    } else if name == "iso-8859-1" {
        Codec::Latin1
    } else {
        match codecs::lookup(&name) {
            Some(found) => found.codec,
            None => return Err(DecodeError::UnknownEncoding { name }),
        }
    };
    match codec {
        Codec::NotText => Err(DecodeError::NotText { name }),
        Codec::Wide => Err(DecodeError::Wide { name }),
        Codec::Unsupported => Err(DecodeError::Unsupported { name }),
        codec => codec
            .decode(body)
            .map_err(|error| DecodeError::Undecodable {
                at: BytePosition::of(bytes, error.offset + bom_len(has_bom)),
                name,
            }),
    }
}

/// [`decode_python`] for a buffer the caller owns: a UTF-8 file (the common case) becomes
/// the `String` without a copy.
pub fn decode_python_owned(bytes: Vec<u8>) -> Result<String, DecodeError> {
    let plain_utf8 = !bytes.starts_with(BOM)
        && coding_spec(&bytes).is_none_or(|name| normal_name(&name) == "utf-8");
    if plain_utf8 {
        // On failure, decode again by reference for the precise error.
        return String::from_utf8(bytes).map_err(|error| {
            let at = error.utf8_error().valid_up_to();
            decode_python(error.as_bytes())
                .err()
                .unwrap_or_else(|| DecodeError::NotUtf8 {
                    at: BytePosition::of(error.as_bytes(), at),
                })
        });
    }
    decode_python(&bytes).map(Cow::into_owned)
}

fn bom_len(has_bom: bool) -> usize {
    if has_bom {
        BOM.len()
    } else {
        0
    }
}

/// The encoding name declared on line 1, or on line 2 if line 1 is blank or a comment.
fn coding_spec(bytes: &[u8]) -> Option<String> {
    let second_start = positions::next_line_start_in_bytes(bytes, 0);
    let first = &bytes[..second_start.unwrap_or(bytes.len())];
    if let Some(name) = spec_in_line(first) {
        return Some(name);
    }
    if !is_blank_or_comment(first) {
        return None;
    }
    let second = &bytes[second_start?..];
    spec_in_line(&second[..positions::next_line_start_in_bytes(second, 0).unwrap_or(second.len())])
}

fn is_python_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\x0C')
}

fn is_blank_or_comment(line: &[u8]) -> bool {
    line.iter()
        .take_while(|&&b| b != b'#' && !positions::is_line_break(b))
        .all(|&b| is_python_whitespace(b))
}

/// CPython's `get_coding_spec` on one line: the line must be a comment (only
/// whitespace before `#`), then the first `coding[:=]` followed by a non-empty name.
fn spec_in_line(line: &[u8]) -> Option<String> {
    let hash = line.iter().position(|&b| !is_python_whitespace(b))?;
    if line[hash] != b'#' {
        return None;
    }
    let comment = &line[hash..];
    let mut from = 0;
    while let Some(found) = memchr::memmem::find(&comment[from..], b"coding") {
        let after = from + found + b"coding".len();
        from = from + found + 1;
        if !matches!(comment.get(after), Some(b':' | b'=')) {
            continue;
        }
        let rest = &comment[after + 1..];
        let start = rest
            .iter()
            .position(|&b| b != b' ' && b != b'\t')
            .unwrap_or(rest.len());
        let name: Vec<u8> = rest[start..]
            .iter()
            .copied()
            .take_while(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            .collect();
        if !name.is_empty() {
            // Only ASCII bytes were taken.
            return Some(String::from_utf8_lossy(&name).into_owned());
        }
    }
    None
}

/// CPython's `get_normal_name`: the UTF-8 and Latin-1 spellings folded to `utf-8` and
/// `iso-8859-1`; every other name unchanged.
fn normal_name(name: &str) -> String {
    let folded: String = name
        .chars()
        .take(12)
        .map(|c| {
            if c == '_' {
                '-'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    let latin1 = ["latin-1", "iso-8859-1", "iso-latin-1"];
    if folded == "utf-8" || folded.starts_with("utf-8-") {
        "utf-8".into()
    } else if latin1
        .iter()
        .any(|l| folded == *l || folded.starts_with(&format!("{l}-")))
    {
        "iso-8859-1".into()
    } else {
        name.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What CPython 3.11 does with each file: `compile(open(f, "rb").read(), f, "exec")`
    /// either succeeds (`Ok(text)`: the decoded source) or raises a SyntaxError, quoted
    /// beside each case. Every fixture was run through python3 to confirm it.
    #[test]
    fn files_decode_as_python_decodes_them() {
        let ok = |bytes: &[u8], text: &str| {
            assert_eq!(decode_python(bytes).as_deref(), Ok(text), "{bytes:?}");
            assert_eq!(decode_python_owned(bytes.to_vec()).as_deref(), Ok(text));
        };
        let err = |bytes: &[u8], expected: DecodeError| {
            assert_eq!(decode_python_owned(bytes.to_vec()), Err(expected.clone()));
            assert_eq!(decode_python(bytes), Err(expected), "{bytes:?}");
        };
        let at = |offset, line, byte| BytePosition { offset, line, byte };
        ok(
            b"# -*- coding: latin-1 -*-\nx = '\xe9'\n",
            "# -*- coding: latin-1 -*-\nx = 'é'\n",
        );
        // Latin-1 is not windows-1252: 0x80 stays U+0080.
        ok(
            b"# coding: latin-1\nx = '\x80'\n",
            "# coding: latin-1\nx = '\u{80}'\n",
        );
        ok(
            b"# coding: LATIN_1\ny='\xe9'\n",
            "# coding: LATIN_1\ny='é'\n",
        );
        // `Latin 1`: the name stops at the space, and `latin` is an alias of latin_1.
        ok(
            b"# coding: Latin 1\ny='\xe9'\n",
            "# coding: Latin 1\ny='é'\n",
        );
        ok(
            b"\n# coding: latin-1\ny='\xe9'\n",
            "\n# coding: latin-1\ny='é'\n",
        );
        ok(
            b"  # coding=latin-1\nx='\xe9'\n",
            "  # coding=latin-1\nx='é'\n",
        );
        ok(
            b"# vim: set fileencoding=iso8859-15 :\nx='\xa4'\n",
            "# vim: set fileencoding=iso8859-15 :\nx='€'\n",
        );
        ok(
            b"#!/usr/bin/python\n# coding: euc_jp\nx='\xa4\xa2'\n",
            "#!/usr/bin/python\n# coding: euc_jp\nx='あ'\n",
        );
        ok(b"# coding: cp1252\nx='\x80'\n", "# coding: cp1252\nx='€'\n");
        ok(
            b"\xef\xbb\xbf# coding: utf-8\nx=1\n",
            "# coding: utf-8\nx=1\n",
        );
        ok(b"\xef\xbb\xbfx = 1\n", "x = 1\n");
        ok(b"# coding: utf_8_sig\ny=1\n", "# coding: utf_8_sig\ny=1\n");
        ok(b"# coding: utf-8-foo\ny=1\n", "# coding: utf-8-foo\ny=1\n");
        // SyntaxError: 'charmap' codec can't decode byte 0x81 in position 20
        err(
            b"# coding: cp1252\nx='\x81'\n",
            DecodeError::Undecodable {
                name: "cp1252".into(),
                at: at(20, 2, 0x81),
            },
        );
        // SyntaxError: unknown encoding: foo
        err(
            b"# coding: foo\nx=1\n",
            DecodeError::UnknownEncoding { name: "foo".into() },
        );
        // SyntaxError: 'rot13' is not a text encoding
        err(
            b"# coding: rot13\nx=1\n",
            DecodeError::NotText {
                name: "rot13".into(),
            },
        );
        // SyntaxError: encoding problem: iso-8859-1 with BOM
        err(
            b"\xef\xbb\xbf# coding: latin-1\nx=1\n",
            DecodeError::ConflictsWithBom {
                name: "iso-8859-1".into(),
            },
        );
        // SyntaxError: encoding problem: utf8 with BOM
        err(
            b"\xef\xbb\xbf# coding: utf8\nx=1\n",
            DecodeError::ConflictsWithBom {
                name: "utf8".into(),
            },
        );
        // SyntaxError: 'ascii' codec can't decode byte 0xe9 in position 19
        err(
            b"# coding: ascii\nx='\xe9'\n",
            DecodeError::Undecodable {
                name: "ascii".into(),
                at: at(19, 2, 0xe9),
            },
        );
        // The cookie is ignored after a line of code, after a continuation line, after
        // code on its own line, and when it names nothing: 'utf-8' codec can't decode.
        for bytes in [
            &b"x=1\n# coding: latin-1\ny='\xe9'\n"[..],
            b"\\\n# coding: latin-1\ny='\xe9'\n",
            b"x=1 # coding: latin-1\ny='\xe9'\n",
            b"# coding:\n'\xe9'\n",
        ] {
            assert!(
                matches!(decode_python(bytes), Err(DecodeError::NotUtf8 { .. })),
                "{bytes:?}"
            );
        }
        err(
            b"# coding: utf-8\ny='\xe9'\n",
            DecodeError::Undecodable {
                name: "utf-8".into(),
                at: at(19, 2, 0xe9),
            },
        );
        // 'utf-16-le' codec can't decode byte 0x0a in position 20: truncated data
        err(
            b"# coding: utf-16\nx=1\n",
            DecodeError::Wide {
                name: "utf-16".into(),
            },
        );
    }

    #[test]
    fn messages_name_the_problem_and_the_fix() {
        let message = decode_python(b"x = 1\ny = '\xe9'\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "not valid UTF-8 (byte 0xE9 at offset 11, line 2) and no coding line declares \
             another encoding: re-save the file as UTF-8, or declare its encoding on line 1 \
             or 2 (`# -*- coding: latin-1 -*-`, PEP 263)"
        );
        assert!(!message.contains("PEP 3120"));
    }
}
