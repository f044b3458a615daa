//! What `asyncell run` says before it runs a file: the findings of error severity (code
//! that fails when it runs: a SyntaxError, `asyncio.run()` on the running loop, a removed
//! API), found as the cells will run. A plain script runs as one cell on a running loop,
//! so it is checked as one: `asyncio.run(main())` at its end is a finding here, though
//! `check` (which judges it as a script) rightly accepts it.

use std::path::Path;

use super::concise;
use super::finding::Finding;
use super::style::Palette;
use crate::analysis::document::CellInput;
use crate::analysis::{check_document, Document, Settings, Severity, SourceKind, Target};

/// One concise line per error-severity finding (`path:row:col: CODE message`, with
/// `cell N:` in a notebook), in document order.
pub fn run_time_findings(
    path: &Path,
    text: &str,
    kind: SourceKind,
    settings: &Settings,
) -> Vec<String> {
    let settings = as_run(settings);
    let is_script = kind == SourceKind::Script;
    let mut document = match kind {
        SourceKind::Script => Document::from_cells(
            vec![CellInput {
                is_code: true,
                text: text.to_string(),
            }],
            &settings,
        ),
        SourceKind::CellFile => Document::from_python(text.to_string(), &settings),
        SourceKind::Notebook => return Vec::new(),
    };
    lines(path, &mut document, is_script)
}

/// The same for a notebook's cells.
pub fn run_time_findings_in_cells(
    path: &Path,
    cells: Vec<CellInput>,
    settings: &Settings,
) -> Vec<String> {
    let settings = as_run(settings);
    let mut document = Document::from_cells(cells, &settings);
    lines(path, &mut document, false)
}

/// `run` runs every cell on one loop: asyncell's semantics, whatever `target` says.
fn as_run(settings: &Settings) -> Settings {
    Settings {
        target: Target::Asyncell,
        ..settings.clone()
    }
}

fn lines(path: &Path, document: &mut Document, script_as_cell: bool) -> Vec<String> {
    let diagnostics = check_document(document);
    document
        .slots()
        .iter()
        .zip(&diagnostics)
        .flat_map(|(slot, found)| found.iter().map(move |d| (slot, d)))
        .filter(|(_, diagnostic)| diagnostic.severity == Severity::Error)
        .map(|(slot, diagnostic)| {
            let mut finding = Finding::new(path, slot, diagnostic, None, false);
            if script_as_cell {
                // One cell that is the whole file: its rows are the file's.
                finding.cell = None;
            }
            concise::line(&finding, Palette::PLAIN)
        })
        .collect()
}
