//! What `asyncell run` reports before it runs a file (`cli::check::run_time_findings`):
//! the file as the host will run it. A plain script is one cell on a running loop (so
//! `asyncio.run(main())` under a main guard is LOOP200, though `check` accepts it) whose
//! magics the host runs (so only an unsupported one is a finding); cell files and
//! notebooks get LOOP102 for what the host does not run, and nothing for what it does.

use std::path::Path;

use asyncell::analysis::document::CellInput;
use asyncell::analysis::{check_document, Document, Settings, SourceKind};
use asyncell::cli::check::{run_time_findings, run_time_findings_in_cells};

const MAIN_GUARD: &str = "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(0)\n\n\nif __name__ == \"__main__\":\n    asyncio.run(main())\n";

/// What `run` prints before running a `.py` file of this kind.
fn before_run(name: &str, text: &str, kind: SourceKind) -> Vec<String> {
    run_time_findings(Path::new(name), text, kind, &Settings::default())
}

fn codes_of_check(text: &str) -> Vec<&'static str> {
    let mut document = Document::from_python(text.to_string(), &Settings::default());
    check_document(&mut document)
        .iter()
        .flat_map(|unit| unit.iter().map(|d| d.rule.code()))
        .collect()
}

#[test]
fn a_main_guard_script_passes_check_and_is_flagged_before_run() {
    assert_eq!(codes_of_check(MAIN_GUARD), Vec::<&str>::new());
    let found = before_run("main.py", MAIN_GUARD, SourceKind::Script);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("main.py:9:5: LOOP200 "), "{found:?}");
    assert!(found[0].contains("cannot be called from a running event loop"));
}

#[test]
fn a_script_run_as_a_cell_has_its_magics_run_and_only_unsupported_ones_flagged() {
    let script = "import asyncio\n%matplotlib inline\n!echo hi\n%load_ext autoreload\n";
    let found = before_run("s.py", script, SourceKind::Script);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("s.py:4:1: LOOP102 unknown magic `%load_ext`"),
        "{found:?}"
    );
}

#[test]
fn cell_files_and_notebooks_report_the_unsupported_magic_only() {
    let cells = "# %%\nimport asyncio\n%matplotlib inline\n\n# %%\n%%bash\necho hi\n";
    let found = before_run("c.py", cells, SourceKind::CellFile);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("c.py:6:1: LOOP102 unknown cell magic `%%bash`"),
        "{found:?}"
    );
    let found = run_time_findings_in_cells(
        Path::new("n.ipynb"),
        vec![
            CellInput {
                is_code: true,
                text: "%time x = 1\nx?".into(),
            },
            CellInput {
                is_code: true,
                text: "y = 2\n%who_ls".into(),
            },
        ],
        &Settings::default(),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("n.ipynb:cell 2:2:1: LOOP102 unknown magic `%who_ls`"),
        "{found:?}"
    );
}
