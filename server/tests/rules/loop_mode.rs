//! Which loop a document runs on: `%autoawait` beats configuration beats imports.

use asyncell::analysis::index::{Loop, LoopSource};
use asyncell::analysis::{Document, LoopMode, Settings};

use crate::common::first_catalogue::{notebook, notebook_with, python, python_with};
use crate::common::*;

fn loop_of(checked: &Checked) -> (Loop, LoopSource) {
    let index = checked.document.index();
    (index.loop_, index.loop_source)
}

#[test]
fn trio_imports_alone_mean_trio() {
    let checked = notebook(&["import trio", "from trio import sleep"]);
    assert_eq!(loop_of(&checked), (Loop::Trio, LoopSource::Imports));
}

#[test]
fn asyncio_imports_alone_mean_asyncio() {
    let checked = python("import asyncio\n");
    assert_eq!(loop_of(&checked), (Loop::Asyncio, LoopSource::Imports));
}

#[test]
fn both_or_neither_is_unknown() {
    assert_eq!(
        loop_of(&notebook(&["import trio", "import asyncio"])),
        (Loop::Unknown, LoopSource::Default)
    );
    assert_eq!(
        loop_of(&notebook(&["x = 1"])),
        (Loop::Unknown, LoopSource::Default)
    );
}

#[test]
fn configuration_beats_imports() {
    let checked = notebook_with(&["import trio"], &with_loop(LoopMode::Asyncio));
    assert_eq!(
        loop_of(&checked),
        (Loop::Asyncio, LoopSource::Configuration)
    );
}

#[test]
fn autoawait_in_a_notebook_cell_beats_configuration() {
    let checked = notebook_with(
        &["import asyncio", "%autoawait trio"],
        &with_loop(LoopMode::Asyncio),
    );
    assert_eq!(loop_of(&checked), (Loop::Trio, LoopSource::Autoawait));
}

#[test]
fn commented_autoawait_in_a_percent_cell_beats_configuration() {
    let checked = python_with(
        "# %%\n# %autoawait asyncio\nimport trio\n",
        &with_loop(LoopMode::Trio),
    );
    assert_eq!(loop_of(&checked), (Loop::Asyncio, LoopSource::Autoawait));
}

#[test]
fn autoawait_without_a_known_loop_is_ignored() {
    let checked = notebook(&["%autoawait", "%autoawait curio", "import trio"]);
    assert_eq!(loop_of(&checked), (Loop::Trio, LoopSource::Imports));
}

#[test]
fn the_loop_changes_what_rules_report() {
    // The same cell, checked in trio mode then asyncio mode (LOOP301 only fires in the
    // latter), and the cached diagnostics follow the settings change.
    let cells = vec![asyncell::analysis::document::CellInput {
        is_code: true,
        text: "import trio\nnow = trio.current_time()\n".into(),
    }];
    let mut document = Document::from_cells(cells, &Settings::default());
    let codes = |document: &mut Document| -> Vec<&'static str> {
        asyncell::analysis::check_document(document)
            .iter()
            .flat_map(|ds| ds.iter().map(|d| d.rule.code()).collect::<Vec<_>>())
            .collect()
    };
    assert_eq!(codes(&mut document), Vec::<&str>::new());
    document.set_settings(&with_loop(LoopMode::Asyncio));
    assert_eq!(codes(&mut document), ["LOOP301"]);
    document.set_settings(&Settings::default());
    assert_eq!(codes(&mut document), Vec::<&str>::new());
}
