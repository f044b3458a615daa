//! Writing fixed cells back into an .ipynb file's JSON without touching anything else.
//!
//! A notebook is re-serialised by Jupyter, nbformat and every editor in its own style
//! (1-space or 2-space indentation, key order, escaped or raw non-ASCII). Parsing it into
//! a `serde_json::Value` and printing that would rewrite every line, burying a one-word
//! fix in a diff of the whole file and dropping outputs' formatting. So the JSON is
//! scanned for the byte span of each cell's `source` value, and only the spans of
//! changed cells are replaced, in the layout the old value used.

use crate::positions;

/// Where one cell's `source` value lies in the notebook text.
#[derive(Clone, Debug, PartialEq, Eq)]
struct SourceSpan {
    cell: usize,
    start: usize,
    end: usize,
}

/// The notebook text with the `source` of each cell `i` for which `new_sources[i]` is
/// `Some` replaced; every other byte is kept. Errors name what in the JSON could not be
/// followed (the caller then leaves the file alone).
pub fn replace_sources(json: &str, new_sources: &[Option<String>]) -> Result<String, String> {
    let spans = source_spans(json)?;
    let mut out = String::with_capacity(json.len());
    let mut at = 0;
    for span in spans {
        let Some(Some(new)) = new_sources.get(span.cell) else {
            continue;
        };
        out.push_str(&json[at..span.start]);
        out.push_str(&render_like(&json[span.start..span.end], new));
        at = span.end;
    }
    out.push_str(&json[at..]);
    Ok(out)
}

/// `new` as a JSON value laid out like `old`: a string for a string; for a list, one
/// line per element (nbformat's split, each line keeping its `\n`), with the old list's
/// whitespace around and between the elements.
fn render_like(old: &str, new: &str) -> String {
    let string = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    if !old.starts_with('[') {
        return string(new);
    }
    let inner = &old[1..old.len() - 1];
    let lead_len = inner.len() - inner.trim_start().len();
    let trail_len = inner.len() - inner.trim_end().len();
    let (lead, trail) = if inner.trim().is_empty() {
        ("", "")
    } else {
        (&inner[..lead_len], &inner[inner.len() - trail_len..])
    };
    let lines: Vec<String> = positions::lines_with_breaks(new)
        .map(|(_, line)| string(line))
        .collect();
    if lines.is_empty() {
        return "[]".into();
    }
    let separator = if lead.is_empty() {
        ", ".to_string()
    } else {
        format!(",{lead}")
    };
    format!("[{lead}{}{trail}]", lines.join(&separator))
}

/// The span of every cell's `source`, in cell order.
fn source_spans(json: &str) -> Result<Vec<SourceSpan>, String> {
    let mut scanner = Scanner {
        bytes: json.as_bytes(),
        at: 0,
    };
    let mut spans = Vec::new();
    scanner.whitespace();
    scanner.object(|scanner, key| {
        if key != "cells" {
            return scanner.skip_value();
        }
        let mut cell = 0;
        scanner.array(|scanner| {
            scanner.object(|scanner, key| {
                if key != "source" {
                    return scanner.skip_value();
                }
                let start = scanner.at;
                scanner.skip_value()?;
                spans.push(SourceSpan {
                    cell,
                    start,
                    end: scanner.at,
                });
                Ok(())
            })?;
            cell += 1;
            Ok(())
        })
    })?;
    Ok(spans)
}

/// A JSON reader that only follows structure: enough to find spans in text that
/// `serde_json` has already accepted as a notebook.
struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Scanner<'_> {
    fn error(&self, what: &str) -> String {
        format!("notebook JSON: {what} at byte {}", self.at)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        self.whitespace();
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", byte as char)))
        }
    }

    /// `{ "key": value, ... }`, calling `member` with the scanner at each value.
    fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, &str) -> Result<(), String>,
    ) -> Result<(), String> {
        self.expect(b'{')?;
        self.whitespace();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(());
        }
        loop {
            self.whitespace();
            let key = self.string()?;
            self.expect(b':')?;
            self.whitespace();
            member(self, &key)?;
            self.whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    /// `[ value, ... ]`, calling `element` with the scanner at each element.
    fn array(
        &mut self,
        mut element: impl FnMut(&mut Self) -> Result<(), String>,
    ) -> Result<(), String> {
        self.expect(b'[')?;
        self.whitespace();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(());
        }
        loop {
            self.whitespace();
            element(self)?;
            self.whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    /// A string, decoded (keys may be written with escapes).
    fn string(&mut self) -> Result<String, String> {
        let start = self.at;
        self.skip_string()?;
        serde_json::from_slice(&self.bytes[start..self.at]).map_err(|e| self.error(&e.to_string()))
    }

    fn skip_string(&mut self) -> Result<(), String> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string"));
        }
        self.at += 1;
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(b'\\') => self.at += 2,
                Some(_) => self.at += 1,
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    /// Any value. Nesting is followed with an explicit depth count, not recursion, so
    /// no notebook can exhaust the stack.
    fn skip_value(&mut self) -> Result<(), String> {
        self.whitespace();
        match self.peek() {
            Some(b'"') => self.skip_string(),
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                loop {
                    match self.peek() {
                        Some(b'"') => {
                            self.skip_string()?;
                            continue;
                        }
                        Some(b'{' | b'[') => depth += 1,
                        Some(b'}' | b']') => {
                            depth -= 1;
                            if depth == 0 {
                                self.at += 1;
                                return Ok(());
                            }
                        }
                        Some(_) => {}
                        None => return Err(self.error("unterminated value")),
                    }
                    self.at += 1;
                }
            }
            Some(_) => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.at += 1;
                }
                Ok(())
            }
            None => Err(self.error("expected a value")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ipynb;

    const NOTEBOOK: &str = r##"{
 "metadata": {"kernelspec": {"name": "python3"}, "tags": ["a]", "{b"]},
 "cells": [
  {
   "source": [
    "import asyncio\n",
    "asyncio.run(main())"
   ],
   "cell_type": "code",
   "outputs": [{"output_type": "stream", "text": ["\"quoted\" \\ \n"]}]
  },
  {"cell_type": "markdown", "source": "# caf\u00e9"},
  {"cell_type": "code", "source": "x = 1"}
 ],
 "nbformat": 4
}
"##;

    #[test]
    fn only_the_changed_cells_source_changes() {
        let new = [Some("import asyncio\nawait main()".to_string()), None, None];
        let out = replace_sources(NOTEBOOK, &new).unwrap();
        let expected = NOTEBOOK.replace(r#""asyncio.run(main())""#, r#""await main()""#);
        assert_eq!(out, expected);
        let cells = ipynb::parse(&out).unwrap();
        assert_eq!(cells[0].source, "import asyncio\nawait main()");
    }

    #[test]
    fn string_sources_stay_strings_and_lists_keep_their_layout() {
        let new = [None, None, Some("x = 2\ny = 3\n".to_string())];
        let out = replace_sources(NOTEBOOK, &new).unwrap();
        assert!(out.contains(r#""source": "x = 2\ny = 3\n""#), "{out}");
        assert_eq!(render_like("[]", "a\nb"), r#"["a\n", "b"]"#);
        assert_eq!(render_like("[\"x\"]", "a\nb"), r#"["a\n", "b"]"#);
        assert_eq!(
            render_like("[\n  \"x\"\n ]", "a\nb"),
            "[\n  \"a\\n\",\n  \"b\"\n ]"
        );
    }

    #[test]
    fn broken_json_is_an_error_not_a_panic() {
        for json in [
            "",
            "{",
            r#"{"cells": [{"source": "x"#,
            r#"{"cells": [}"#,
            "[]",
        ] {
            assert!(
                replace_sources(json, &[Some("y".into())]).is_err(),
                "{json}"
            );
        }
    }
}
