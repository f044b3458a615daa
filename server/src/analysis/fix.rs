//! Applying fixes to a document until none is left: what `asyncell check --fix` and the
//! editor's "fix all" both do.
//!
//! One pass applies every fix of the wanted applicability whose edits do not touch an
//! edit already taken in that pass; a fix that would is left for the next pass, which
//! re-checks the new text (the conflicting finding may be gone, or its fix may now
//! apply cleanly). Passes stop when one changes nothing, or after [`MAX_PASSES`]: two
//! fixes that undo each other must not loop forever.

use std::collections::BTreeMap;
use std::sync::Arc;

use ruff_text_size::TextSize;

use super::check::check_document;
use super::diagnostic::{Applicability, Diagnostic, Edit};
use super::document::{CellInput, Document};
use super::settings::Settings;

/// Ruff's bound: far above what real code needs (each pass usually fixes everything).
pub const MAX_PASSES: usize = 100;

/// What a document is made of: one `.py` text, or a notebook's cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sources {
    Python(String),
    Cells(Vec<CellInput>),
}

impl Sources {
    fn document(&self, settings: &Settings) -> Document {
        match self {
            Sources::Python(text) => Document::from_python(text.clone(), settings),
            Sources::Cells(cells) => Document::from_cells(cells.clone(), settings),
        }
    }
}

/// The outcome of fixing one document.
pub struct Fixed {
    /// The text after every pass.
    pub sources: Sources,
    /// How many findings each rule's fixes removed, by code.
    pub counts: BTreeMap<&'static str, usize>,
    /// The fixed document and its findings, as the last pass left them (those are what
    /// is still to report).
    pub document: Document,
    pub diagnostics: Vec<Arc<Vec<Diagnostic>>>,
    /// Whether fixing stopped early: [`MAX_PASSES`] ran out, or a pass broke the syntax
    /// (and was undone).
    pub gave_up: bool,
}

impl Fixed {
    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }
}

/// Applies every fix at least as trusted as `at_least` until a fixed point.
pub fn fix_document(sources: Sources, settings: &Settings, at_least: Applicability) -> Fixed {
    let mut sources = sources;
    let mut counts = BTreeMap::new();
    let mut document = sources.document(settings);
    let mut diagnostics = check_document(&mut document);
    for _ in 0..MAX_PASSES {
        let counts_before = counts.clone();
        let Some(next) = apply_pass(&sources, &document, &diagnostics, at_least, &mut counts)
        else {
            return Fixed {
                sources,
                counts,
                document,
                diagnostics,
                gave_up: false,
            };
        };
        let broken_before = units_with_syntax_errors(&document);
        // The same document is updated rather than rebuilt, so units the pass did not
        // touch keep their parse and their findings.
        match &next {
            Sources::Python(text) => document.update_python(text.clone()),
            Sources::Cells(cells) => document.update_cells(cells.clone()),
        }
        if units_with_syntax_errors(&document) > broken_before {
            // A fix that breaks the syntax is a rule's bug; never write its result.
            tracing::error!("a fix pass introduced a syntax error; its fixes were dropped");
            counts = counts_before;
            match &sources {
                Sources::Python(text) => document.update_python(text.clone()),
                Sources::Cells(cells) => document.update_cells(cells.clone()),
            }
            diagnostics = check_document(&mut document);
            return Fixed {
                sources,
                counts,
                document,
                diagnostics,
                gave_up: true,
            };
        }
        sources = next;
        diagnostics = check_document(&mut document);
    }
    tracing::warn!("fixes still changed the document after {MAX_PASSES} passes; stopped");
    Fixed {
        sources,
        counts,
        document,
        diagnostics,
        gave_up: true,
    }
}

fn units_with_syntax_errors(document: &Document) -> usize {
    document
        .slots()
        .iter()
        .filter(|slot| slot.unit.has_syntax_errors())
        .count()
}

/// One pass: the new sources, or `None` when no fix applies.
fn apply_pass(
    sources: &Sources,
    document: &Document,
    diagnostics: &[Arc<Vec<Diagnostic>>],
    at_least: Applicability,
    counts: &mut BTreeMap<&'static str, usize>,
) -> Option<Sources> {
    // (which text, its fix's edits in that text's coordinates, the rule)
    let mut candidates: Vec<(usize, Vec<Edit>, &'static str)> = Vec::new();
    for (slot, found) in document.slots().iter().zip(diagnostics) {
        let text_index = match sources {
            Sources::Python(_) => 0,
            Sources::Cells(_) => slot.cell.unwrap_or(0),
        };
        for diagnostic in found.iter() {
            let Some(fix) = &diagnostic.fix else { continue };
            if fix.applicability < at_least || fix.edits.is_empty() {
                continue;
            }
            let edits = fix
                .edits
                .iter()
                .map(|edit| Edit {
                    range: edit.range + slot.offset,
                    content: edit.content.clone(),
                })
                .collect();
            candidates.push((text_index, edits, diagnostic.rule.code()));
        }
    }
    if candidates.is_empty() {
        return None;
    }
    candidates
        .sort_by(|(a, x, _), (b, y, _)| (a, x[0].range.start()).cmp(&(b, y[0].range.start())));

    let mut taken: BTreeMap<usize, Vec<Edit>> = BTreeMap::new();
    let mut last: Option<(usize, &[Edit])> = None;
    for (text_index, edits, code) in &candidates {
        if let Some((last_text, last_edits)) = last {
            if last_text == *text_index {
                // The same fix offered by two findings (two `await`s in one sync
                // function both make it `async def`) removes both.
                if last_edits == edits.as_slice() {
                    *counts.entry(code).or_default() += 1;
                    continue;
                }
                let end = last_edits
                    .last()
                    .map_or(TextSize::new(0), |e| e.range.end());
                if edits[0].range.start() <= end {
                    continue;
                }
            }
        }
        taken
            .entry(*text_index)
            .or_default()
            .extend(edits.iter().cloned());
        *counts.entry(code).or_default() += 1;
        last = Some((*text_index, edits));
    }

    Some(match sources {
        Sources::Python(text) => Sources::Python(apply_edits(text, &taken[&0])),
        Sources::Cells(cells) => Sources::Cells(
            cells
                .iter()
                .enumerate()
                .map(|(index, cell)| CellInput {
                    is_code: cell.is_code,
                    text: match taken.get(&index) {
                        Some(edits) => apply_edits(&cell.text, edits),
                        None => cell.text.clone(),
                    },
                })
                .collect(),
        ),
    })
}

/// Applies sorted, non-overlapping edits. An edit out of the text's bounds or off a
/// character boundary (a rule's bug) is dropped rather than panicking on user input.
fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for edit in edits {
        let (start, end) = (
            usize::from(edit.range.start()),
            usize::from(edit.range.end()),
        );
        if start < at
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            tracing::error!(?edit, "a fix edit outside its text; skipped");
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&edit.content);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use ruff_text_size::TextRange;

    use super::*;

    fn fix(text: &str, at_least: Applicability) -> Fixed {
        fix_document(Sources::Python(text.into()), &Settings::default(), at_least)
    }

    fn text(fixed: &Fixed) -> &str {
        match &fixed.sources {
            Sources::Python(text) => text,
            Sources::Cells(_) => unreachable!(),
        }
    }

    #[test]
    fn safe_fixes_apply_and_unsafe_ones_wait_to_be_asked_for() {
        // LOOP303 (safe) and LOOP300 (unsafe) in one cell file.
        let source = "# %%\nimport trio\nasync def f(x): ...\n# %%\nf(1)\nasync def main(n):\n    n.start_soon(f(1))\n";
        let safe = fix(source, Applicability::Safe);
        assert_eq!(safe.counts, BTreeMap::from([("LOOP303", 1)]));
        assert!(
            text(&safe).contains("n.start_soon(f, 1)"),
            "{}",
            text(&safe)
        );
        assert!(text(&safe).contains("\nf(1)\n"));
        let unsafe_too = fix(source, Applicability::Unsafe);
        assert_eq!(
            unsafe_too.counts,
            BTreeMap::from([("LOOP300", 1), ("LOOP303", 1)])
        );
        assert!(text(&unsafe_too).contains("\nawait f(1)\n"));
        assert!(!unsafe_too.gave_up);
        // What is left to report is the fixed text's findings: none of the fixed kinds.
        assert!(unsafe_too
            .diagnostics
            .iter()
            .flat_map(|d| d.iter())
            .all(|d| d.rule.code() != "LOOP300" && d.rule.code() != "LOOP303"));
    }

    #[test]
    fn one_fix_offered_twice_is_applied_once_and_counted_for_both() {
        let fixed = fix(
            "def f():\n    await g()\n    await h()\n",
            Applicability::Unsafe,
        );
        assert_eq!(
            text(&fixed),
            "async def f():\n    await g()\n    await h()\n"
        );
        assert_eq!(fixed.counts, BTreeMap::from([("LOOP101", 2)]));
    }

    #[test]
    fn notebook_fixes_change_only_their_own_cells() {
        let cells = vec![
            CellInput {
                is_code: false,
                text: "# title".into(),
            },
            CellInput {
                is_code: true,
                text: "import asyncio\nasync def main(): ...".into(),
            },
            CellInput {
                is_code: true,
                text: "x = 1".into(),
            },
            CellInput {
                is_code: true,
                text: "asyncio.run(main())".into(),
            },
        ];
        let fixed = fix_document(
            Sources::Cells(cells.clone()),
            &Settings::default(),
            Applicability::Safe,
        );
        let Sources::Cells(after) = &fixed.sources else {
            unreachable!()
        };
        assert_eq!(after[..3], cells[..3]);
        assert_eq!(after[3].text, "await main()");
        assert_eq!(fixed.counts, BTreeMap::from([("LOOP200", 1)]));
    }

    #[test]
    fn edits_outside_the_text_are_dropped_not_panicking() {
        let edits = [Edit::insert(TextSize::new(99), "x")];
        assert_eq!(apply_edits("abc", &edits), "abc");
        let edits = [Edit::replace(TextRange::new(1.into(), 2.into()), "é")];
        assert_eq!(apply_edits("é", &edits), "é");
    }
}
