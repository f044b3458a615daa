//! nbformat outputs as terminal text: streams as they are, results as `text/plain`,
//! errors as their traceback, images as a one-line `[image/png 640x480]` placeholder.

use serde_json::Value;

use super::protocol::{OutputType, StreamName};

/// Which terminal stream a rendered output belongs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// The text to print for one output, and where. `None` for outputs with nothing to show.
pub fn output_text(output: &Value) -> Option<(Stream, String)> {
    match OutputType::of(output) {
        OutputType::Stream => {
            let stream = match StreamName::of(output) {
                Some(StreamName::Stderr) => Stream::Stderr,
                _ => Stream::Stdout,
            };
            Some((stream, multiline(&output["text"])))
        }
        // An update is printed as the display it now is (a terminal cannot replace one).
        OutputType::ExecuteResult | OutputType::DisplayData | OutputType::UpdateDisplayData => {
            let mut text = data_text(output.get("data")?)?;
            if !text.ends_with('\n') {
                text.push('\n');
            }
            Some((Stream::Stdout, text))
        }
        OutputType::Error => {
            let mut text = match output.get("traceback").and_then(Value::as_array) {
                Some(lines) if !lines.is_empty() => lines
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("\n"),
                _ => {
                    let ename = output["ename"].as_str().unwrap_or("Error");
                    match output["evalue"].as_str() {
                        Some(evalue) if !evalue.is_empty() => format!("{ename}: {evalue}"),
                        _ => ename.to_string(),
                    }
                }
            };
            if !text.ends_with('\n') {
                text.push('\n');
            }
            Some((Stream::Stderr, text))
        }
        OutputType::ClearOutput | OutputType::Other => None,
    }
}

/// A mime bundle as one piece of text: an image placeholder, else `text/plain`, else a
/// `[mime/type]` placeholder.
pub fn data_text(data: &Value) -> Option<String> {
    let map = data.as_object()?;
    for mime in ["image/png", "image/jpeg", "image/gif", "image/svg+xml"] {
        if let Some(value) = map.get(mime) {
            return Some(image_placeholder(mime, &multiline(value)));
        }
    }
    if let Some(plain) = map.get("text/plain") {
        return Some(multiline(plain));
    }
    map.keys().next().map(|mime| format!("[{mime}]"))
}

/// nbformat text is a string or a list of lines.
pub fn multiline(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts.iter().filter_map(Value::as_str).collect(),
        _ => String::new(),
    }
}

/// `[image/png 640x480]`, or `[image/png, 12.3 KiB]` when the size can't be read.
pub fn image_placeholder(mime: &str, base64: &str) -> String {
    let bytes = decode_base64(base64);
    let size = match mime {
        "image/png" => png_size(&bytes),
        "image/jpeg" => jpeg_size(&bytes),
        "image/gif" => gif_size(&bytes),
        _ => None,
    };
    match size {
        Some((width, height)) => format!("[{mime} {width}x{height}]"),
        None if mime == "image/svg+xml" => format!("[{mime}, {} bytes]", base64.len()),
        None => format!("[{mime}, {} bytes]", bytes.len()),
    }
}

fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(bytes[16..20].try_into().ok()?);
    let height = u32::from_be_bytes(bytes[20..24].try_into().ok()?);
    Some((width, height))
}

fn gif_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 10 || !bytes.starts_with(b"GIF8") {
        return None;
    }
    Some((
        u32::from(u16::from_le_bytes([bytes[6], bytes[7]])),
        u32::from(u16::from_le_bytes([bytes[8], bytes[9]])),
    ))
}

fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8 {
        return None;
    }
    let mut at = 2;
    while at + 9 < bytes.len() {
        if bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let is_frame = (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame {
            let height = u16::from_be_bytes([bytes[at + 5], bytes[at + 6]]);
            let width = u16::from_be_bytes([bytes[at + 7], bytes[at + 8]]);
            return Some((u32::from(width), u32::from(height)));
        }
        at += 2 + length;
    }
    None
}

/// Lenient base64 (standard alphabet; whitespace and padding skipped).
pub fn decode_base64(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut buffer = 0u32;
    let mut bits = 0;
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => continue,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // A 3x2 PNG header (signature + IHDR), base64.
    const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAC0lEQVR4nGNgwAQAABQAAX3+Hu4AAAAASUVORK5CYII=";

    #[test]
    fn images_become_placeholders_with_their_size() {
        let output = json!({"output_type": "display_data", "data": {"image/png": PNG, "text/plain": "<Figure>"}, "metadata": {}});
        assert_eq!(
            output_text(&output),
            Some((Stream::Stdout, "[image/png 3x2]\n".into()))
        );
    }

    #[test]
    fn results_errors_and_streams() {
        let result = json!({"output_type": "execute_result", "execution_count": 1, "data": {"text/plain": "42"}, "metadata": {}});
        assert_eq!(output_text(&result), Some((Stream::Stdout, "42\n".into())));
        let error = json!({"output_type": "error", "ename": "ValueError", "evalue": "x", "traceback": ["Traceback:", "ValueError: x"]});
        assert_eq!(
            output_text(&error),
            Some((Stream::Stderr, "Traceback:\nValueError: x\n".into()))
        );
        let stream = json!({"output_type": "stream", "name": "stderr", "text": ["a\n", "b"]});
        assert_eq!(output_text(&stream), Some((Stream::Stderr, "a\nb".into())));
    }

    #[test]
    fn base64_round_trip() {
        assert_eq!(decode_base64("aGVsbG8="), b"hello");
        assert_eq!(decode_base64("aGVs\nbG8"), b"hello");
    }
}
