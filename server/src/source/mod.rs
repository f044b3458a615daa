//! Source files as text: reading them from disk without blocking on anything that is
//! not a regular file, and decoding them as Python does (PEP 263 coding lines) or as
//! Jupyter does (UTF-8 JSON, a BOM allowed). Analysis never does I/O: the command line
//! reads through here and hands analysis the text.

mod codec_tables;
pub mod codecs;
pub mod pep263;
pub mod read;

pub use pep263::{decode_python, decode_python_owned, DecodeError};
pub use read::{read_regular_file, ReadError};

/// The text of an .ipynb file: UTF-8 JSON, with a leading BOM (some Windows editors
/// write one) dropped.
pub fn decode_notebook(mut bytes: Vec<u8>) -> Result<String, String> {
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    bytes.drain(..bom);
    String::from_utf8(bytes).map_err(|error| {
        format!(
            "not valid UTF-8 (offset {}): notebooks are UTF-8 JSON; re-save the file as UTF-8",
            error.utf8_error().valid_up_to() + bom
        )
    })
}

/// Reads and decodes a `.py` (PEP 263) or `.ipynb` (UTF-8 JSON) file, with an error that
/// says what is wrong and what to do.
pub fn read_source_text(path: &std::path::Path) -> Result<String, String> {
    let bytes = read_regular_file(path).map_err(|error| error.to_string())?;
    if path.extension().is_some_and(|e| e == "ipynb") {
        return decode_notebook(bytes);
    }
    decode_python_owned(bytes).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_before_notebook_json_is_dropped() {
        assert_eq!(
            decode_notebook(b"\xEF\xBB\xBF{}".to_vec()).as_deref(),
            Ok("{}")
        );
        assert_eq!(decode_notebook(b"{}".to_vec()).as_deref(), Ok("{}"));
        let error = decode_notebook(b"\xEF\xBB\xBF{\xff}".to_vec()).unwrap_err();
        assert!(error.contains("offset 4"), "{error}");
    }
}
