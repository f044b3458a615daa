//! The percent cell format (`# %%` markers), used by VS Code, Spyder, Jupytext and
//! Neovim plugins.

use ruff_text_size::{TextRange, TextSize};

use crate::positions;

/// One cell of a percent-format file: its byte range in the file (marker line included,
/// so cell-relative positions and file positions differ only by a line offset) and
/// whether it holds code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PercentCell {
    pub range: TextRange,
    pub is_code: bool,
}

/// Whether a line is a cell marker: `# %%` or `#%%`, optionally followed by a title or a
/// `[markdown]` tag.
pub fn is_marker(line: &str) -> bool {
    let line = line.trim_start();
    line.strip_prefix('#')
        .map(str::trim_start)
        .is_some_and(|rest| rest.starts_with("%%"))
}

fn is_markdown_marker(line: &str) -> bool {
    let rest = line.trim_start().trim_start_matches('#').trim_start();
    let rest = rest.trim_start_matches('%').trim();
    rest.contains("[markdown]") || rest.contains("[md]") || rest.contains("[raw]")
}

/// Whether a text uses cell markers at all.
pub fn has_markers(text: &str) -> bool {
    marker_candidates(text).any(|(_, line)| is_marker(line))
}

/// Splits a percent-format file into cells. Text before the first marker is a cell of
/// its own when it holds anything but blank lines.
pub fn split(text: &str) -> Vec<PercentCell> {
    let mut cells = Vec::new();
    let mut current_start = 0usize;
    let mut current_is_code = true;
    let mut seen_marker = false;
    for (start, line) in marker_candidates(text) {
        if !is_marker(line) {
            continue;
        }
        if start > current_start || seen_marker {
            let body = &text[current_start..start];
            if seen_marker || !body.trim().is_empty() {
                cells.push(cell(current_start, start, current_is_code));
            }
        }
        seen_marker = true;
        current_start = start;
        current_is_code = !is_markdown_marker(line);
    }
    if seen_marker || !text[current_start..].trim().is_empty() || cells.is_empty() {
        cells.push(cell(current_start, text.len(), current_is_code));
    }
    cells
}

fn cell(start: usize, end: usize, is_code: bool) -> PercentCell {
    PercentCell {
        range: TextRange::new(size(start), size(end)),
        is_code,
    }
}

fn size(n: usize) -> TextSize {
    TextSize::try_from(n).unwrap_or(TextSize::new(u32::MAX))
}

/// The lines that may be markers, in order, with their starting byte offsets, line
/// breaks excluded: the lines holding `%%`, which every marker does. This runs on every
/// keystroke in a cell file, so it jumps from `%` to `%` (memchr) instead of walking
/// every line; [`lines`] is the plain definition it must agree with.
fn marker_candidates(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut from = 0usize;
    std::iter::from_fn(move || loop {
        let at = from + text.get(from..)?.find('%')?;
        if bytes.get(at + 1) != Some(&b'%') {
            from = at + 1;
            continue;
        }
        let start = positions::line_start(text, at);
        let end = positions::line_end(text, at);
        from = positions::next_line_start(text, at).unwrap_or(text.len());
        return Some((start, &text[start..end]));
    })
}

/// Lines with their starting byte offsets, line breaks excluded.
#[cfg(test)]
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    positions::lines(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_split_cells_and_keep_the_marker_line() {
        let text = "import trio\n# %% first\nx = 1\n#%% [markdown]\n# hi\n# %%\ny\n";
        let cells = split(text);
        let bodies: Vec<_> = cells.iter().map(|c| &text[c.range]).collect();
        assert_eq!(
            bodies,
            [
                "import trio\n",
                "# %% first\nx = 1\n",
                "#%% [markdown]\n# hi\n",
                "# %%\ny\n"
            ]
        );
        assert_eq!(
            cells.iter().map(|c| c.is_code).collect::<Vec<_>>(),
            [true, true, false, true]
        );
    }

    #[test]
    fn a_blank_preamble_is_not_a_cell() {
        let cells = split("\n\n# %%\nx\n");
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].range.start(), TextSize::new(2));
    }

    #[test]
    fn marker_candidates_are_every_marker_line() {
        let texts = [
            "",
            "%",
            "%%",
            "# %%",
            "x = 1\n# %%",
            "a\n#%% [markdown]\r\n%% x\n  # %% t %%\nb = '%%' # %%\n# %%\r\r\n%\n",
            "\n\n# %%\n\n%",
            "s = '%d%%' % 5\n# %autoawait trio\n#%%\ny\n",
            "# é %%\n# %% ü\n",
            "# %%\rx = '%%'\r# %% two\r\ny\r",
        ];
        for text in texts {
            let markers: Vec<_> = lines(text).filter(|(_, l)| is_marker(l)).collect();
            let found: Vec<_> = marker_candidates(text)
                .filter(|(_, l)| is_marker(l))
                .collect();
            assert_eq!(found, markers, "{text:?}");
            let candidates: Vec<_> = marker_candidates(text).collect();
            let expected: Vec<_> = lines(text).filter(|(_, l)| l.contains("%%")).collect();
            assert_eq!(candidates, expected, "{text:?}");
        }
    }

    #[test]
    fn a_lone_carriage_return_ends_a_marker_line() {
        let text = "# %%\rimport trio\r# %% two\rx = 1\r";
        let bodies: Vec<_> = split(text).iter().map(|c| &text[c.range]).collect();
        assert_eq!(bodies, ["# %%\rimport trio\r", "# %% two\rx = 1\r"]);
    }

    #[test]
    fn percent_magics_are_not_markers() {
        assert!(!is_marker("# %autoawait trio"));
        assert!(is_marker("  # %% indented"));
        assert!(!has_markers("x = '# %%'\n"));
    }
}
