//! Source files as text: reading them from disk without blocking on anything that is
//! not a regular file, and decoding them as Python does (PEP 263 coding lines) or as
//! Jupyter does (UTF-8 JSON, a BOM allowed). Analysis never does I/O: the command line
//! reads through here and hands analysis the text.

mod codec_tables;
pub mod codecs;
pub mod pep263;
pub mod read;

pub use pep263::{decode_python, DecodeError};
pub use read::{read_regular_file, ReadError};

/// The text of an .ipynb file: UTF-8 JSON, with a leading BOM (some Windows editors
/// write one) dropped.
pub fn decode_notebook(bytes: &[u8]) -> Result<&str, String> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(body).map_err(|error| {
        format!(
            "not valid UTF-8 (offset {}): notebooks are UTF-8 JSON; re-save the file as UTF-8",
            error.valid_up_to() + (bytes.len() - body.len())
        )
    })
}

/// Reads and decodes a `.py` (PEP 263) or `.ipynb` (UTF-8 JSON) file, with an error that
/// says what is wrong and what to do.
pub fn read_source_text(path: &std::path::Path) -> Result<String, String> {
    let bytes = read_regular_file(path).map_err(|error| error.to_string())?;
    if path.extension().is_some_and(|e| e == "ipynb") {
        return decode_notebook(&bytes).map(str::to_string);
    }
    match decode_python(&bytes) {
        Ok(text) => Ok(text.into_owned()),
        Err(error) => Err(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_before_notebook_json_is_dropped() {
        assert_eq!(decode_notebook(b"\xEF\xBB\xBF{}"), Ok("{}"));
        assert_eq!(decode_notebook(b"{}"), Ok("{}"));
        assert!(decode_notebook(b"{\xff}").unwrap_err().contains("offset 1"));
    }
}
