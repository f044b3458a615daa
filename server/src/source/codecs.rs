//! Python's codecs, by the names a coding line may use: the lookup follows
//! `codecs.lookup` (lower case, punctuation runs folded to `_`, then the alias table),
//! and each codec decodes as CPython's does. Single-byte codecs use CPython's own
//! tables (see `codec_tables.rs`), so `latin-1` is true ISO-8859-1 and `cp1252` leaves
//! 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined, as Python does. The CJK codecs use the
//! WHATWG definitions of `encoding_rs`: close to Python's, and broader where they differ
//! (WHATWG's Shift_JIS is windows-31j, its EUC-KR is windows-949), so a rare byte
//! sequence may decode differently or be accepted where Python refuses it.

use std::borrow::Cow;

use super::codec_tables::{NAMES, SINGLE_BYTE};

/// How a codec decodes.
#[derive(Clone, Copy, Debug)]
pub enum Codec {
    Utf8,
    /// `utf-8-sig`: UTF-8, dropping one leading BOM.
    Utf8Sig,
    Ascii,
    /// True ISO-8859-1: every byte is the code point of the same value.
    Latin1,
    /// Index into Python's single-byte tables.
    SingleByte(usize),
    Whatwg(&'static encoding_rs::Encoding),
    /// A bytes-to-bytes codec (`hex`, `rot13`): Python refuses it for source.
    NotText,
    /// UTF-16/32: a file whose coding line is readable as ASCII is not in them.
    Wide,
    /// A codec Python has that asyncell does not decode (`utf-7`, `johab`, `hz`, ...).
    Unsupported,
}

/// A codec found by name: the Python module that implements it, and how to decode.
#[derive(Clone, Copy, Debug)]
pub struct Found {
    pub python_name: &'static str,
    pub codec: Codec,
}

/// Looks `name` up as `codecs.lookup(name)` does; `None` is Python's
/// "unknown encoding".
pub fn lookup(name: &str) -> Option<Found> {
    let normalized = normalize(name);
    let find = |key: &str| {
        NAMES
            .binary_search_by(|(alias, _, _)| (*alias).cmp(key))
            .ok()
            .map(|i| Found {
                python_name: NAMES[i].1,
                codec: NAMES[i].2,
            })
    };
    find(&normalized).or_else(|| find(&normalized.replace('.', "_")))
}

/// `encodings.normalize_encoding` after lower-casing: every run of characters other
/// than ASCII letters, digits and `.` becomes one `_`, none at either end.
fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut punctuation = false;
    for c in name.chars() {
        if c.is_alphanumeric() || c == '.' {
            if punctuation && !out.is_empty() {
                out.push('_');
            }
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            }
            punctuation = false;
        } else {
            punctuation = true;
        }
    }
    out
}

/// Where decoding failed: the byte offset of the first byte the codec refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Undecodable {
    pub offset: usize,
}

impl Codec {
    /// Decodes `bytes` strictly, as Python's `bytes.decode(codec)` would, or says where
    /// it fails. Only [`Codec::NotText`], [`Codec::Wide`] and [`Codec::Unsupported`] are
    /// refused before decoding; callers handle those.
    pub fn decode(self, bytes: &[u8]) -> Result<Cow<'_, str>, Undecodable> {
        match self {
            Codec::Utf8 => utf8(bytes),
            Codec::Utf8Sig => utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)),
            Codec::Ascii => match bytes.iter().position(|b| !b.is_ascii()) {
                Some(offset) => Err(Undecodable { offset }),
                None => utf8(bytes),
            },
            Codec::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
            Codec::SingleByte(index) => {
                let table: Vec<char> = SINGLE_BYTE[index].chars().collect();
                bytes
                    .iter()
                    .enumerate()
                    .map(|(offset, &b)| match table[usize::from(b)] {
                        '\u{FFFE}' => Err(Undecodable { offset }),
                        c => Ok(c),
                    })
                    .collect()
            }
            Codec::Whatwg(encoding) => {
                // Without BOM sniffing: Python decodes the bytes as declared.
                match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
                    Some(text) => Ok(text),
                    None => Err(Undecodable {
                        offset: first_undecodable(encoding, bytes),
                    }),
                }
            }
            Codec::NotText | Codec::Wide | Codec::Unsupported => Err(Undecodable { offset: 0 }),
        }
    }
}

fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>, Undecodable> {
    std::str::from_utf8(bytes)
        .map(Cow::Borrowed)
        .map_err(|error| Undecodable {
            offset: error.valid_up_to(),
        })
}

/// The offset of the first malformed sequence, for the error message.
fn first_undecodable(encoding: &'static encoding_rs::Encoding, bytes: &[u8]) -> usize {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut output = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len() * 4),
    );
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut output, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, pending) => {
            read.saturating_sub(usize::from(bad) + usize::from(pending))
        }
        _ => read,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn python_name(name: &str) -> Option<&'static str> {
        lookup(name).map(|found| found.python_name)
    }

    #[test]
    fn names_resolve_as_codecs_lookup_does() {
        // Each expectation is `codecs.lookup(NAME).name`'s module, from CPython 3.11.
        assert_eq!(python_name("latin_1"), Some("latin_1"));
        assert_eq!(python_name("Latin-1"), Some("latin_1"));
        assert_eq!(python_name("latin"), Some("latin_1"));
        assert_eq!(python_name("iso8859-15"), Some("iso8859_15"));
        assert_eq!(python_name("ISO-8859-15"), Some("iso8859_15"));
        assert_eq!(python_name("utf8"), Some("utf_8"));
        assert_eq!(python_name("U8"), Some("utf_8"));
        assert_eq!(python_name("euc_jp"), Some("euc_jp"));
        assert_eq!(python_name("eucjp"), Some("euc_jp"));
        assert_eq!(python_name("shift_jis"), Some("shift_jis"));
        assert_eq!(python_name("sjis"), Some("shift_jis"));
        assert_eq!(python_name("cp437"), Some("cp437"));
        assert_eq!(python_name("437"), Some("cp437"));
        assert_eq!(python_name("windows-1252"), Some("cp1252"));
        assert_eq!(python_name("rot13"), Some("rot_13"));
        assert_eq!(python_name("foo"), None);
        assert_eq!(python_name("mbcs"), None);
    }

    #[test]
    fn single_byte_codecs_decode_as_python_does() {
        let decode = |name: &str, bytes: &[u8]| {
            lookup(name)
                .unwrap()
                .codec
                .decode(bytes)
                .map(|text| text.into_owned())
        };
        // bytes([0x80, 0xe9]).decode("latin-1") == "\x80é": no windows-1252 remapping.
        assert_eq!(decode("latin-1", b"\x80\xe9").unwrap(), "\u{80}\u{e9}");
        assert_eq!(decode("iso-8859-1", b"\x80").unwrap(), "\u{80}");
        assert_eq!(decode("cp1252", b"\x80").unwrap(), "€");
        assert_eq!(decode("cp1252", b"ab\x81"), Err(Undecodable { offset: 2 }));
        assert_eq!(decode("iso8859-15", b"\xa4").unwrap(), "€");
        assert_eq!(decode("cp437", b"\x82").unwrap(), "é");
        assert_eq!(decode("koi8-r", b"\xc1").unwrap(), "а");
        assert_eq!(decode("ascii", b"ab\xe9"), Err(Undecodable { offset: 2 }));
        assert_eq!(decode("utf-8-sig", b"\xEF\xBB\xBFx").unwrap(), "x");
        // bytes([0xa4, 0xa2]).decode("euc_jp") == "あ"; b"\x82\xa0".decode("shift_jis") == "あ".
        assert_eq!(decode("euc_jp", b"\xa4\xa2").unwrap(), "あ");
        assert_eq!(decode("shift_jis", b"\x82\xa0").unwrap(), "あ");
        assert_eq!(decode("gbk", b"\xc4\xe3").unwrap(), "你");
        assert_eq!(decode("euc_jp", b"ab\xa4"), Err(Undecodable { offset: 2 }));
    }
}
