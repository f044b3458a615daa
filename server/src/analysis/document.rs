//! A document as analysis sees it: an ordered list of units plus the cross-unit index.
//!
//! Updates are incremental. A percent file or notebook reuses every unit whose text did
//! not change (matched by content, so inserting a cell re-parses nothing else). A large
//! plain script is split into segments at top-level statements; an edit re-parses only
//! the segments it touches, and falls back to a full parse when the touched region does
//! not parse cleanly on its own (an unclosed bracket or string can change what follows).

use std::sync::Arc;

use ruff_python_ast::Stmt;
use ruff_text_size::{Ranged, TextSize};
use rustc_hash::FxHashMap;

use super::diagnostic::Diagnostic;
use super::index::DocumentIndex;
use super::percent;
use super::settings::Settings;
use super::unit::{Syntax, Unit};
use crate::positions::{self, Encoding, LineCol, LineIndex};

/// The three kinds of file asyncell understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// A `.py` file without cell markers.
    Script,
    /// A `.py` file with `# %%` cell markers.
    CellFile,
    /// A Jupyter notebook.
    Notebook,
}

impl SourceKind {
    /// Whether top-level code runs inside a cell (where top-level `await` is legal).
    pub fn has_cells(self) -> bool {
        !matches!(self, SourceKind::Script)
    }
}

/// A unit in its place in the document.
#[derive(Clone, Debug)]
pub struct UnitSlot {
    pub unit: Arc<Unit>,
    /// 0-based index of the cell among all cells of the document (markdown included, as
    /// Ruff numbers notebook cells); `None` for script segments.
    pub cell: Option<usize>,
    /// Where the unit starts in its text document. For notebooks each cell is its own
    /// text document, so these are zero.
    pub offset: TextSize,
    pub start_line: u32,
    /// Diagnostics from the last check and the index fingerprint they were computed with.
    pub(crate) cached: Option<(u64, Arc<Vec<Diagnostic>>)>,
}

impl UnitSlot {
    /// The position of a unit-relative offset in the unit's text document.
    pub fn line_col(&self, offset: TextSize, encoding: Encoding) -> LineCol {
        let within = self.unit.lines.line_col(&self.unit.text, offset, encoding);
        LineCol {
            line: self.start_line + within.line,
            col: within.col,
        }
    }

    /// The unit-relative offset of a position in the unit's text document, clamped to
    /// the unit.
    pub fn offset_of(&self, position: LineCol, encoding: Encoding) -> TextSize {
        let line = position.line.saturating_sub(self.start_line);
        self.unit.lines.offset(
            &self.unit.text,
            LineCol {
                line,
                col: position.col,
            },
            encoding,
        )
    }

    fn new(unit: Arc<Unit>, cell: Option<usize>, offset: TextSize, start_line: u32) -> Self {
        UnitSlot {
            unit,
            cell,
            offset,
            start_line,
            cached: None,
        }
    }
}

/// A notebook cell as handed over by a client or read from an .ipynb file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellInput {
    pub is_code: bool,
    pub text: String,
}

/// Scripts shorter than this are one unit: parsing them whole is cheaper than splitting.
const SEGMENT_THRESHOLD_LINES: usize = 400;

#[derive(Debug)]
pub struct Document {
    kind: SourceKind,
    /// The full text for `.py` documents; empty for notebooks.
    text: String,
    slots: Vec<UnitSlot>,
    index: DocumentIndex,
    settings: Settings,
    /// Whether script segments came from a clean parse (else the script is one unit).
    segmented: bool,
}

impl Document {
    /// A `.py` document: a cell file if it has `# %%` markers, else a script.
    pub fn from_python(text: String, settings: &Settings) -> Document {
        let mut document = Document::empty(SourceKind::Script, settings);
        document.update_python(text);
        document
    }

    pub fn from_cells(cells: Vec<CellInput>, settings: &Settings) -> Document {
        let mut document = Document::empty(SourceKind::Notebook, settings);
        document.update_cells(cells);
        document
    }

    fn empty(kind: SourceKind, settings: &Settings) -> Document {
        Document {
            kind,
            text: String::new(),
            slots: Vec::new(),
            index: DocumentIndex::build(kind, &[], settings),
            settings: settings.clone(),
            segmented: false,
        }
    }

    pub fn kind(&self) -> SourceKind {
        self.kind
    }

    pub fn slots(&self) -> &[UnitSlot] {
        &self.slots
    }

    pub fn index(&self) -> &DocumentIndex {
        &self.index
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The full text of a `.py` document.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The slot holding a line of a `.py` document: the last unit starting at or above it.
    pub fn slot_at_line(&self, line: u32) -> Option<usize> {
        let after = self.slots.partition_point(|slot| slot.start_line <= line);
        after.checked_sub(1)
    }

    /// The slots to check, with the index and settings they are checked against.
    pub(crate) fn for_checking(&mut self) -> (&mut [UnitSlot], &DocumentIndex, &Settings) {
        (&mut self.slots, &self.index, &self.settings)
    }

    pub fn set_settings(&mut self, settings: &Settings) {
        if &self.settings != settings {
            self.settings = settings.clone();
            self.rebuild_index();
        }
    }

    /// Replaces a `.py` document's text.
    pub fn update_python(&mut self, text: String) {
        if percent::has_markers(&text) {
            let cells = percent::split(&text);
            let mut reuse = Reuse::new(std::mem::take(&mut self.slots));
            let mut slots = Vec::with_capacity(cells.len());
            // Blank lines before the first marker belong to no cell but still count.
            let preamble = &text[..usize::from(cells[0].range.start())];
            let mut line = u32::try_from(LineIndex::new(preamble).line_count() - 1).unwrap_or(0);
            for (position, cell) in cells.iter().enumerate() {
                let body = &text[cell.range];
                if !cell.is_code {
                    // Markdown cells are never analysed: count their lines, don't parse them.
                    line += u32::try_from(LineIndex::new(body).line_count() - 1).unwrap_or(0);
                    continue;
                }
                // Cells run as notebook cells do, magics included (the host runs them).
                let (unit, cached) = reuse.take(slots.len(), body, Syntax::Ipython);
                let breaks = unit.line_breaks();
                let mut slot = UnitSlot::new(unit, Some(position), cell.range.start(), line);
                slot.cached = cached;
                slots.push(slot);
                line += breaks;
            }
            self.kind = SourceKind::CellFile;
            self.slots = slots;
            self.segmented = false;
        } else {
            let was_script = self.kind == SourceKind::Script && !self.slots.is_empty();
            self.kind = SourceKind::Script;
            if !(was_script && self.segmented && self.reparse_touched_segments(&text)) {
                // Segmenting costs a second parse, which pays off only for a document that
                // is being edited: the first edit segments it, later edits reuse segments.
                self.parse_script(&text, was_script);
            }
        }
        self.text = text;
        self.rebuild_index();
    }

    /// Replaces a notebook's cells.
    pub fn update_cells(&mut self, cells: Vec<CellInput>) {
        let mut reuse = Reuse::new(std::mem::take(&mut self.slots));
        let mut slots = Vec::with_capacity(cells.len());
        for (position, cell) in cells.into_iter().enumerate().filter(|(_, c)| c.is_code) {
            let (unit, cached) = reuse.take(slots.len(), &cell.text, Syntax::Ipython);
            let mut slot = UnitSlot::new(unit, Some(position), TextSize::new(0), 0);
            slot.cached = cached;
            slots.push(slot);
        }
        self.slots = slots;
        self.kind = SourceKind::Notebook;
        self.rebuild_index();
    }

    fn rebuild_index(&mut self) {
        self.index = DocumentIndex::build(self.kind, &self.slots, &self.settings);
    }

    /// Parses a whole script; with `segment`, splits a large clean one into segments.
    fn parse_script(&mut self, text: &str, segment: bool) {
        let whole = Unit::new(text.to_string(), Syntax::Python);
        let lines = whole.lines.line_count();
        let boundaries =
            if segment && lines >= SEGMENT_THRESHOLD_LINES && !whole.has_syntax_errors() {
                segment_boundaries(&whole.parsed.syntax().body, &whole.lines, text)
            } else {
                Vec::new()
            };
        if boundaries.len() < 2 {
            self.slots = vec![UnitSlot::new(whole, None, TextSize::new(0), 0)];
            self.segmented = false;
            return;
        }
        let mut slots = Vec::with_capacity(boundaries.len());
        let mut line = 0;
        for (i, start) in boundaries.iter().enumerate() {
            let end = boundaries.get(i + 1).copied().unwrap_or(text.len());
            let unit = Unit::new(text[*start..end].to_string(), Syntax::Python);
            if unit.has_syntax_errors() {
                // A segment that does not parse on its own (a line of just `\` joins the
                // next statement's line) would report errors the script does not have.
                self.slots = vec![UnitSlot::new(whole, None, TextSize::new(0), 0)];
                self.segmented = false;
                return;
            }
            let breaks = unit.line_breaks();
            slots.push(UnitSlot::new(unit, None, size(*start), line));
            line += breaks;
        }
        self.slots = slots;
        self.segmented = true;
    }

    /// Re-parses only the segments an edit touched. Returns false when the caller must
    /// parse the whole script instead.
    fn reparse_touched_segments(&mut self, new_text: &str) -> bool {
        let old = self.text.as_bytes();
        let new = new_text.as_bytes();
        let prefix = common_prefix_len(old, new);
        let suffix = common_suffix_len(&old[prefix..], &new[prefix..]);
        if prefix == old.len() && prefix == new.len() {
            return true;
        }
        let old_changed_end = old.len() - suffix;
        let starts: Vec<usize> = self.slots.iter().map(|s| usize::from(s.offset)).collect();
        let segment_of = |offset: usize| match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let first = segment_of(prefix.min(old.len().saturating_sub(1)));
        let last = segment_of(
            old_changed_end
                .saturating_sub(1)
                .max(prefix)
                .min(old.len().saturating_sub(1)),
        );
        let region_start = starts[first];
        let old_region_end = starts.get(last + 1).copied().unwrap_or(old.len());
        let new_region_end = old_region_end + new.len() - old.len();
        // A boundary between CR and LF would count that one line break in two units.
        let splits_crlf = |at: usize| positions::splits_crlf(new, at);
        if new_region_end < region_start
            || !new_text.is_char_boundary(region_start)
            || !new_text.is_char_boundary(new_region_end)
            || splits_crlf(region_start)
            || splits_crlf(new_region_end)
        {
            return false;
        }
        let region = &new_text[region_start..new_region_end];
        let mut replacement = Vec::new();
        if !region.is_empty() {
            let unit = Unit::new(region.to_string(), Syntax::Python);
            if unit.has_syntax_errors() || !(region.ends_with('\n') || new_region_end == new.len())
            {
                return false;
            }
            replacement.push(UnitSlot::new(unit, None, size(region_start), 0));
        }
        let delta = new.len() as i64 - old.len() as i64;
        let tail: Vec<UnitSlot> = self.slots.drain(last + 1..).collect();
        self.slots.truncate(first);
        self.slots.extend(replacement);
        for mut slot in tail {
            slot.offset = size((usize::from(slot.offset) as i64 + delta) as usize);
            self.slots.push(slot);
        }
        let mut line = 0;
        for slot in &mut self.slots {
            slot.start_line = line;
            line += slot.unit.line_breaks();
        }
        true
    }
}

/// Byte offsets of the line starts where top-level statements begin (deduplicated, so
/// `a = 1; b = 2` stays in one segment). The first boundary is always 0, so leading
/// comments belong to the first segment.
fn segment_boundaries(body: &[Stmt], lines: &LineIndex, text: &str) -> Vec<usize> {
    let mut boundaries = vec![0usize];
    for stmt in body.iter().skip(1) {
        let line_start = usize::from(lines.line_start(lines.line_of(stmt.start())));
        // A statement that doesn't start its line (after `;`) can't start a segment.
        if !text[line_start..usize::from(stmt.start())]
            .trim()
            .is_empty()
        {
            continue;
        }
        if boundaries.last() != Some(&line_start) {
            boundaries.push(line_start);
        }
    }
    boundaries
}

/// Bytes to compare at once: equal blocks are skipped with one `memcmp` each, so the
/// prefix and suffix of a large script cost microseconds per keystroke, not a byte loop.
const COMPARE_BLOCK: usize = 256;

/// Length of the longest common prefix of two byte strings.
fn common_prefix_len(a: &[u8], b: &[u8]) -> usize {
    let limit = a.len().min(b.len());
    let mut n = 0;
    while n + COMPARE_BLOCK <= limit && a[n..n + COMPARE_BLOCK] == b[n..n + COMPARE_BLOCK] {
        n += COMPARE_BLOCK;
    }
    n + a[n..limit]
        .iter()
        .zip(&b[n..limit])
        .take_while(|(x, y)| x == y)
        .count()
}

/// Length of the longest common suffix of two byte strings.
fn common_suffix_len(a: &[u8], b: &[u8]) -> usize {
    let limit = a.len().min(b.len());
    let mut n = 0;
    while n + COMPARE_BLOCK <= limit
        && a[a.len() - n - COMPARE_BLOCK..a.len() - n]
            == b[b.len() - n - COMPARE_BLOCK..b.len() - n]
    {
        n += COMPARE_BLOCK;
    }
    n + a[..a.len() - n]
        .iter()
        .rev()
        .zip(b[..b.len() - n].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

type Cached = Option<(u64, Arc<Vec<Diagnostic>>)>;

/// The previous units of a document, offered for reuse by the next version. Most edits
/// touch one cell, so units are matched by position first (one string comparison); only
/// when that fails is a map of text hashes built, to find cells that moved.
struct Reuse {
    previous: Vec<Option<UnitSlot>>,
    by_hash: Option<FxHashMap<u64, Vec<usize>>>,
}

impl Reuse {
    fn new(previous: Vec<UnitSlot>) -> Self {
        Reuse {
            previous: previous.into_iter().map(Some).collect(),
            by_hash: None,
        }
    }

    /// The unit (and its cached diagnostics) for the `ordinal`-th code cell with `text`:
    /// a previous unit with the same text when there is one, else a fresh parse.
    fn take(&mut self, ordinal: usize, text: &str, syntax: Syntax) -> (Arc<Unit>, Cached) {
        let same = |slot: &UnitSlot| slot.unit.syntax == syntax && slot.unit.text == text;
        if self
            .previous
            .get(ordinal)
            .and_then(Option::as_ref)
            .is_some_and(same)
        {
            if let Some(slot) = self.previous[ordinal].take() {
                return (slot.unit, slot.cached);
            }
        }
        let previous = &self.previous;
        let by_hash = self.by_hash.get_or_insert_with(|| {
            let mut map: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
            for (index, slot) in previous.iter().enumerate() {
                if let Some(slot) = slot {
                    map.entry(text_hash(&slot.unit.text))
                        .or_default()
                        .push(index);
                }
            }
            map
        });
        let candidates = by_hash.get(&text_hash(text)).cloned().unwrap_or_default();
        for index in candidates {
            if self.previous[index].as_ref().is_some_and(same) {
                if let Some(slot) = self.previous[index].take() {
                    return (slot.unit, slot.cached);
                }
            }
        }
        (Unit::new(text.to_string(), syntax), None)
    }
}

fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    text.hash(&mut hasher);
    hasher.finish()
}

fn size(n: usize) -> TextSize {
    TextSize::try_from(n).unwrap_or(TextSize::new(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big_script() -> String {
        (0..500)
            .map(|i| format!("def f{i}(x):\n    return x + {i}\n\n"))
            .collect()
    }

    fn unit_texts(document: &Document) -> String {
        document
            .slots()
            .iter()
            .map(|s| s.unit.text.as_str())
            .collect()
    }

    #[test]
    fn a_script_checked_once_is_parsed_once_and_segmented_on_its_first_edit() {
        let mut document = Document::from_python(big_script(), &Settings::default());
        assert_eq!(document.slots().len(), 1);
        document.update_python(big_script());
        assert!(document.slots().len() > 100);
    }

    #[test]
    fn an_edit_inside_one_segment_reparses_only_that_segment() {
        let mut document = Document::from_python(big_script(), &Settings::default());
        document.update_python(big_script());
        assert!(document.slots().len() > 100);
        let before: Vec<_> = document
            .slots()
            .iter()
            .map(|s| Arc::as_ptr(&s.unit))
            .collect();
        let edited = big_script().replacen("x + 250", "x + 2500", 1);
        document.update_python(edited.clone());
        let after: Vec<_> = document
            .slots()
            .iter()
            .map(|s| Arc::as_ptr(&s.unit))
            .collect();
        assert_eq!(unit_texts(&document), edited);
        assert_eq!(before.len(), after.len());
        let changed = before.iter().zip(&after).filter(|(a, b)| a != b).count();
        assert_eq!(changed, 1);
        let line_of_edit = edited[..edited.find("2500").unwrap()].matches('\n').count() as u32;
        let slot = document
            .slots()
            .iter()
            .rev()
            .find(|s| s.start_line <= line_of_edit)
            .unwrap();
        assert!(slot.unit.text.contains("2500"));
    }

    #[test]
    fn common_prefix_and_suffix_agree_with_a_byte_walk() {
        fn walk_prefix(a: &[u8], b: &[u8]) -> usize {
            a.iter().zip(b).take_while(|(x, y)| x == y).count()
        }
        fn walk_suffix(a: &[u8], b: &[u8]) -> usize {
            a.iter()
                .rev()
                .zip(b.iter().rev())
                .take_while(|(x, y)| x == y)
                .count()
        }
        let base = big_script().into_bytes();
        let mut cases: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (Vec::new(), Vec::new()),
            (Vec::new(), b"x".to_vec()),
            (b"abc".to_vec(), b"abc".to_vec()),
            (b"abc".to_vec(), b"abd".to_vec()),
            (b"aaaa".to_vec(), b"aa".to_vec()),
            (base.clone(), base.clone()),
        ];
        for at in [
            0,
            1,
            255,
            256,
            257,
            511,
            512,
            4000,
            base.len() - 300,
            base.len() - 1,
        ] {
            let mut inserted = base.clone();
            inserted.insert(at, b'#');
            cases.push((base.clone(), inserted.clone()));
            cases.push((inserted, base.clone()));
            let mut replaced = base.clone();
            replaced[at] = b'#';
            cases.push((base.clone(), replaced));
        }
        for (a, b) in &cases {
            assert_eq!(common_prefix_len(a, b), walk_prefix(a, b));
            assert_eq!(common_suffix_len(a, b), walk_suffix(a, b));
        }
    }

    #[test]
    fn an_unclosed_bracket_falls_back_to_one_unit() {
        let mut document = Document::from_python(big_script(), &Settings::default());
        document.update_python(big_script());
        let broken = big_script().replacen("x + 250", "(x + 250", 1);
        document.update_python(broken.clone());
        assert_eq!(document.slots().len(), 1);
        assert_eq!(unit_texts(&document), broken);
        document.update_python(big_script());
        assert!(document.slots().len() > 100);
    }

    #[test]
    fn percent_cells_reuse_unchanged_units() {
        let text = "# %%\nimport trio\n# %%\nx = 1\n# %%\ny = 2\n";
        let mut document = Document::from_python(text.into(), &Settings::default());
        assert_eq!(document.kind(), SourceKind::CellFile);
        let first = Arc::as_ptr(&document.slots()[0].unit);
        document.update_python(text.replace("x = 1", "x = 10"));
        assert_eq!(Arc::as_ptr(&document.slots()[0].unit), first);
        assert_eq!(document.slots()[1].start_line, 2);
        assert_eq!(document.slots()[2].start_line, 4);
    }
}
