//! Lines are counted in one place: `src/positions.rs`. Python ends a line at `\n`, `\r\n`
//! or a lone `\r`; code that looks for `'\n'` itself gets the third wrong (a LOOP400
//! message said "line 1" for every start in a file with lone CR line ends). This test
//! reads the crate's sources and fails, naming file and line, wherever code outside
//! `positions.rs` splits, searches or counts line breaks itself.
//!
//! What it looks for, in code (comment lines and `#[cfg(test)] mod` blocks are skipped:
//! tests may hold a model of their own):
//! - `.lines()`, and `'\n'` / `b'\n'` / `"\n"` as an argument or a comparison (writing
//!   one with `push` or `join`, testing `ends_with`, trimming or replacing line breaks
//!   are fine);
//! - the rope's own line arithmetic (`char_to_line`, `line_to_char`, `len_lines`).
//!
//! [`ALLOWED`] lists the few places that handle line breaks of text that is not Python
//! source, each with its reason; an entry that matches nothing fails too, so the list
//! cannot go stale.

use std::path::{Path, PathBuf};

/// (file under `src/`, text on the line, why it is not line counting of source).
const ALLOWED: &[(&str, &str, &str)] = &[
    // Wire formats: frames end at `\n` (host protocol) or `\r\n` (LSP headers) by spec.
    (
        "exec/lines.rs",
        "memchr::memchr(b'\\n', window)",
        "host protocol frames are JSON lines ending in \\n",
    ),
    (
        "exec/lines.rs",
        "memchr::memchr(b'\\n', available)",
        "host protocol frames are JSON lines ending in \\n",
    ),
    (
        "server/framing.rs",
        "lines.split(|&b| b == b'\\n')",
        "LSP header fields end in \\r\\n by the base protocol",
    ),
    // JSON syntax, not lines.
    (
        "analysis/ipynb_edit.rs",
        "b' ' | b'\\t' | b'\\n' | b'\\r'",
        "JSON whitespace between tokens of the notebook file",
    ),
    (
        "cli/check/junit.rs",
        "'\\t' | '\\n' | '\\r' => escaped.push(c)",
        "characters XML allows unescaped",
    ),
    // Prose and output, shown to people: no position is computed from them.
    (
        "analysis/rules/mod.rs",
        ".lines()",
        "a rule's documentation comment, turned into its docs",
    ),
    (
        "cli/check/sarif.rs",
        ".lines()",
        "a rule's documentation, for its SARIF summary",
    ),
    (
        "cli/check/overrides.rs",
        ".lines()",
        "a TOML error message, joined onto one line",
    ),
    (
        "exec/host_copy.rs",
        "text.lines()",
        "an installed package's METADATA file",
    ),
    (
        "server/runs.rs",
        "text.lines().rev()",
        "a cell's printed output, for its one-line summary",
    ),
    (
        "server/runs.rs",
        "text.lines()",
        "a cell's printed output, for its one-line summary",
    ),
    (
        "server/runs.rs",
        "traceback.lines()",
        "a Python traceback, for the frame of the cell's own code",
    ),
    // The console's input as Jupyter sends it (`\n`-separated), lexed for completeness.
    (
        "kernel/handlers/is_complete.rs",
        ".lines()",
        "the console's input, lexed for the statement's completeness",
    ),
    (
        "kernel/handlers/is_complete.rs",
        "code.contains('\\n')",
        "the console's input, lexed for the statement's completeness",
    ),
    (
        "kernel/handlers/is_complete.rs",
        "chars[i] != '\\n'",
        "the console's input, lexed for the statement's completeness",
    ),
    (
        "kernel/handlers/is_complete.rs",
        "chars[i] == '\\n'",
        "the console's input, lexed for the statement's completeness",
    ),
    (
        "kernel/handlers/is_complete.rs",
        "trim_end_matches([' ', '\\t', '\\n'])",
        "the console's input, lexed for the statement's completeness",
    ),
];

/// Forms that handle a line break without splitting or counting lines.
const HARMLESS: &[&str] = &[
    "push('\\n')",
    "ends_with('\\n')",
    "trim_end_matches(['\\n', '\\r'])",
    "trim_end_matches('\\n')",
    "replace('\\n', ",
    "push_str(\"\\n\")",
    "join(\"\\n\")",
];

const SUSPECTS: &[&str] = &[
    ".lines()",
    "'\\n'",
    "(\"\\n\"",
    "char_to_line",
    "line_to_char",
    "len_lines",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a line, without a trailing `//` comment (a `//` inside a string literal
/// on such a line is rare enough in this code base not to matter).
fn code_of(line: &str) -> &str {
    let trimmed = line.trim_start();
    if trimmed.starts_with("//") {
        return "";
    }
    match line.find(" // ") {
        Some(at) => &line[..at],
        None => line,
    }
}

/// Every (file, 1-based line, text) that counts lines outside `positions.rs`.
fn suspects(src: &Path) -> Vec<(String, usize, String)> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut found = Vec::new();
    for path in files {
        let relative = path
            .strip_prefix(src)
            .expect("under src/")
            .to_string_lossy()
            .replace('\\', "/");
        if relative == "positions.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a source file is UTF-8");
        let lines: Vec<&str> = text.split('\n').collect();
        for (index, line) in lines.iter().enumerate() {
            if line.trim() == "#[cfg(test)]"
                && lines
                    .get(index + 1)
                    .is_some_and(|next| next.trim_start().starts_with("mod "))
            {
                break; // the rest of the file is its test module
            }
            let mut code = code_of(line).to_string();
            for harmless in HARMLESS {
                code = code.replace(harmless, "");
            }
            if SUSPECTS.iter().any(|suspect| code.contains(suspect)) {
                found.push((relative.clone(), index + 1, line.trim().to_string()));
            }
        }
    }
    found
}

#[test]
fn only_positions_rs_counts_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = suspects(&src);
    assert!(
        found.len() > ALLOWED.len() / 2,
        "the scan found almost nothing: is it reading {}?",
        src.display()
    );
    let mut used = vec![false; ALLOWED.len()];
    let mut offending = Vec::new();
    for (file, line, text) in &found {
        match ALLOWED
            .iter()
            .position(|(f, snippet, _)| f == file && text.contains(snippet))
        {
            Some(entry) => used[entry] = true,
            None => offending.push(format!("src/{file}:{line}: {text}")),
        }
    }
    assert!(
        offending.is_empty(),
        "line counting outside src/positions.rs (use its `line_number`, `line_start`, \
         `line_end`, `next_line_start`, `lines` or `LineIndex`, which know `\\r\\n` and a lone \
         `\\r`):\n{}",
        offending.join("\n")
    );
    let stale: Vec<String> = ALLOWED
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|((file, snippet, _), _)| format!("src/{file}: {snippet}"))
        .collect();
    assert!(
        stale.is_empty(),
        "allowed entries that match nothing any more (remove them):\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_scan_catches_each_kind_of_line_counting() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sample = [
        "fn a(t: &str) -> usize { t[..3].matches('\\n').count() }",
        "fn b(t: &[u8]) -> usize { t.iter().filter(|&&b| b == b'\\n').count() }",
        "fn c(t: &str) -> usize { t.lines().count() }",
        "fn d(t: &str) -> Option<usize> { t.rfind(\"\\n\") }",
        "fn e(r: &ropey::Rope) -> usize { r.char_to_line(3) }",
        "fn fine(t: &mut String) { t.push('\\n'); } // a harmless write",
        "// t.lines() in a comment",
        "#[cfg(test)]",
        "mod tests { fn model(t: &str) -> usize { t.lines().count() } }",
    ];
    std::fs::write(dir.path().join("sample.rs"), sample.join("\n")).expect("written");
    let lines: Vec<usize> = suspects(dir.path())
        .into_iter()
        .map(|(_, line, _)| line)
        .collect();
    assert_eq!(lines, [1, 2, 3, 4, 5]);
}
