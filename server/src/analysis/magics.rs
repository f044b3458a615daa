//! The IPython magics and shell escapes the Python host runs: a mirror of `SUPPORTED` in
//! `server/host/asyncell/magics.py`, the one list the host goes by (`tests/magics_agreement.rs`
//! holds the two equal). LOOP102 reports every other magic and escape, so `check` and
//! `run` agree on what a cell can hold.
//!
//! The host's rules, which the rule follows:
//! - a line magic may be indented and assigned (`x = %env HOME`); an unknown one is one
//!   `UsageError` at its line, and the rest of the cell runs;
//! - a cell magic must be the cell's first line (blank lines and a `# %%` marker above
//!   it aside) and take no arguments there; an unknown one fails the whole cell before any
//!   of it runs, as its body is not Python;
//! - `!cmd`, `x = !cmd` (names as targets), `obj?` / `obj??` (a dotted name).

use crate::positions;

/// Line magics (`%name args`), as in `SUPPORTED["line_magics"]`.
pub const LINE_MAGICS: &[&str] = &[
    "autoawait",
    "cd",
    "env",
    "matplotlib",
    "pip",
    "time",
    "timeit",
    "who",
];

/// Cell magics (`%%name` on the cell's first line), as in `SUPPORTED["cell_magics"]`.
pub const CELL_MAGICS: &[&str] = &["time"];

/// Escapes other than `%`, as in `SUPPORTED["escapes"]`.
pub const ESCAPES: &[&str] = &["!", "?", "??"];

/// What the host supports, as its error messages list it (`supported_text()` in
/// magics.py): `%autoawait, %cd, ..., %%time, !cmd, obj?, obj??`.
pub fn supported_text() -> String {
    let mut names: Vec<String> = LINE_MAGICS.iter().map(|name| format!("%{name}")).collect();
    names.extend(CELL_MAGICS.iter().map(|name| format!("%%{name}")));
    names.extend(["!cmd", "obj?", "obj??"].map(str::to_string));
    names.join(", ")
}

pub fn is_line_magic(name: &str) -> bool {
    LINE_MAGICS.contains(&name)
}

pub fn is_cell_magic(name: &str) -> bool {
    CELL_MAGICS.contains(&name)
}

/// The magic's name at the start of what follows its `%`, as the host reads it (an
/// identifier: `time` of `time x = 1`); `None` when it does not start with one (`%1`),
/// which the host cannot run at all.
pub fn magic_name(after_percent: &str) -> Option<&str> {
    let end = after_percent
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
        .map_or(after_percent.len(), |(at, _)| at);
    let name = &after_percent[..end];
    name.starts_with(|c: char| c.is_alphabetic() || c == '_')
        .then_some(name)
}

/// Whether `obj?` can inspect this: a dotted name (`[A-Za-z_][\w.]*`, as the host's
/// pattern).
pub fn is_inspectable(name: &str) -> bool {
    name.starts_with(|c: char| c.is_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
}

/// Where the cell's first line of code starts, as the host finds a cell magic: after a
/// leading `# %%` marker line (the host is sent the cell with it blanked) and blank
/// lines, at its first non-blank character.
pub fn first_line_start(cell: &str) -> usize {
    for (offset, line) in positions::lines(cell) {
        let trimmed = line.trim_start();
        let content = trimmed.trim_end();
        let is_marker = offset == 0 && super::percent::is_marker(content);
        if !content.is_empty() && !is_marker {
            return offset + (line.len() - trimmed.len());
        }
    }
    cell.len()
}

/// For a cell whose first line is a cell magic the host does not run (`%%bash`): where
/// that line ends. Its body is not Python (the host never compiles it), so the parser is
/// given the cell with the body blanked out.
pub fn unknown_cell_magic_body(cell: &str) -> Option<usize> {
    let start = first_line_start(cell);
    let rest = cell.get(start..)?.strip_prefix("%%")?;
    let line_end = positions::line_end(rest, 0);
    // The host takes the name as the first word (`%%time?` is not `%%time`).
    let name = rest[..line_end].split_whitespace().next().unwrap_or("");
    (!is_cell_magic(name)).then_some(start + 2 + line_end)
}

/// The cell with every character after `from` but line breaks turned into spaces, so
/// offsets and line numbers stay the same.
pub fn blank_after(cell: &str, from: usize) -> String {
    let mut bytes = cell.as_bytes().to_vec();
    for byte in bytes.iter_mut().skip(from) {
        if !positions::is_line_break(*byte) {
            *byte = b' ';
        }
    }
    // Every byte of a multi-byte character became an ASCII space: still UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

/// Whether a text may hold a magic or escape line: a line starting with one of IPython's
/// escape characters, ending in `?`, or assigning one (`x = !ls`). A cheap over-estimate
/// for the relevance filter; the parser decides.
pub fn may_have_escape_line(text: &str) -> bool {
    positions::lines(text).any(|(_, line)| {
        let line = line.trim();
        line.starts_with(['%', '!', '?', ',', ';', '/'])
            || line.ends_with('?')
            || line.contains("=!")
            || line.contains("= !")
            || line.contains("=%")
            || line.contains("= %")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supported_text_names_every_magic_as_the_host_does() {
        assert_eq!(
            supported_text(),
            "%autoawait, %cd, %env, %matplotlib, %pip, %time, %timeit, %who, %%time, \
             !cmd, obj?, obj??"
        );
    }

    #[test]
    fn magic_names_are_identifiers() {
        assert_eq!(magic_name("time x = 1"), Some("time"));
        assert_eq!(magic_name("matplotlib"), Some("matplotlib"));
        assert_eq!(magic_name("1"), None);
        assert_eq!(magic_name(""), None);
        assert_eq!(magic_name("%time"), None);
        assert!(is_inspectable("trio.sleep"));
        assert!(!is_inspectable("x[0]"));
    }

    #[test]
    fn the_first_line_skips_a_marker_and_blank_lines() {
        assert_eq!(first_line_start("%%time\n"), 0);
        assert_eq!(first_line_start("# %% setup\n\n  %%time\n"), 14);
        assert_eq!(first_line_start("# comment\n%%time\n"), 0);
        assert_eq!(first_line_start("\n\n"), 2);
    }

    #[test]
    fn an_unknown_cell_magic_body_is_blanked() {
        let cell = "# %%\n%%bash\necho é\r\nls\n";
        let from = unknown_cell_magic_body(cell).unwrap();
        assert_eq!(&cell[..from], "# %%\n%%bash");
        let blanked = blank_after(cell, from);
        assert_eq!(blanked.len(), cell.len());
        assert_eq!(blanked, "# %%\n%%bash\n       \r\n  \n");
        assert_eq!(unknown_cell_magic_body("%%time\nx = 1\n"), None);
        assert_eq!(unknown_cell_magic_body("x = 1\n%%bash\n"), None);
        assert_eq!(
            unknown_cell_magic_body("%%time?\nx\n"),
            Some("%%time?".len())
        );
    }

    #[test]
    fn escape_lines_are_noticed() {
        for text in ["%time x", "  !ls", "x?", "y = !ls", "z = %env HOME", ",f a"] {
            assert!(may_have_escape_line(text), "{text}");
        }
        assert!(!may_have_escape_line("x = 1\n# %% cell\nprint('%d' % 2)\n"));
    }
}
