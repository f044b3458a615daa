//! LOOP102 unsupported-magic: the magics and escapes asyncell's host does not run, in
//! notebook cells and `# %%` cells; the ones it runs are no finding at all.

use crate::common::first_catalogue::{notebook, python};
use crate::common::{assert_fixture, dedent};

#[test]
fn fixture() {
    assert_fixture("LOOP102");
}

/// Every magic and escape the host runs, as a notebook would hold them.
const SUPPORTED: &[&str] = &[
    "%autoawait asyncio\nimport asyncio",
    "%matplotlib inline",
    "!echo hi",
    "x = 1\n%time x",
    "%%time\nx = 2",
    "x?",
    "x??",
    "?x",
    "files = !ls",
    "home = %env HOME",
    "for i in range(2):\n    %time i\n    !echo $i",
    "%pip --version\n%cd .\n%who\n%timeit x",
];

#[test]
fn supported_magics_have_no_finding_in_notebooks_or_cell_files() {
    let checked = notebook(SUPPORTED);
    assert_eq!(checked.cell_findings(), []);
    let cells: String = SUPPORTED
        .iter()
        .map(|cell| format!("# %%\n{cell}\n"))
        .collect();
    let checked = python(&cells);
    assert_eq!(checked.findings(), []);
}

#[test]
fn an_unknown_line_magic_fails_its_line_only() {
    let checked = notebook(&["import trio\n%load_ext autoreload\nx = 1"]);
    assert_eq!(checked.cell_findings(), [("LOOP102", 1, 2)]);
    let message = &checked.only("LOOP102").message;
    assert!(
        message.starts_with("unknown magic `%load_ext`: "),
        "{message}"
    );
    assert!(message.contains("the rest of the cell runs"), "{message}");
    // It lists what is supported, as the host's UsageError does.
    assert!(
        message.contains("%autoawait, %cd, %env, %matplotlib, %pip, %time, %timeit, %who, %%time, !cmd, obj?, obj??"),
        "{message}"
    );
    assert!(checked.only("LOOP102").fix.is_none());
}

#[test]
fn an_unknown_cell_magic_fails_the_cell_and_its_body_is_not_python() {
    // Without the rule, the shell script's lines are E999 syntax errors.
    let checked = notebook(&[
        "%%bash\necho hi\nfor f in *; do echo $f; done",
        "import trio\ntrio.sleep(1)",
    ]);
    assert_eq!(
        checked.cell_findings(),
        [("LOOP102", 1, 1), ("ASYNC105", 2, 2)]
    );
    let message = &checked.only("LOOP102").message;
    assert!(
        message.starts_with("unknown cell magic `%%bash`: the cell fails"),
        "{message}"
    );
    // The body is not checked either: it never runs as Python.
    let checked = notebook(&["%%writefile x.py\nimport trio\ntrio.sleep(1)"]);
    assert_eq!(checked.cell_findings(), [("LOOP102", 1, 1)]);
}

#[test]
fn a_cell_magic_must_be_the_first_line_without_arguments() {
    let checked = notebook(&[
        "x = 1\n%%time",
        "# a comment\n%%time\nx = 1",
        "%%time -q\nx = 1",
    ]);
    assert_eq!(
        checked.cell_findings(),
        [("LOOP102", 1, 2), ("LOOP102", 2, 2), ("LOOP102", 3, 1)]
    );
    assert!(checked.diagnostics("LOOP102")[0]
        .message
        .contains("not on the cell's first line"));
    assert!(checked.diagnostics("LOOP102")[2]
        .message
        .contains("takes no arguments"));
}

#[test]
fn escapes_the_host_cannot_read_fail_the_cell() {
    let checked = notebook(&[
        "!!ls",
        ",print a b",
        "x[0]?",
        "x?  # what is x",
        "d = {}\nd['k'] = !ls",
        "(a, b) = !ls",
        "y = %%time",
        "%1",
    ]);
    let lines: Vec<(usize, u32)> = checked
        .cell_findings()
        .iter()
        .map(|&(code, cell, line)| {
            assert_eq!(code, "LOOP102");
            (cell, line)
        })
        .collect();
    assert_eq!(
        lines,
        [
            (1, 1),
            (2, 1),
            (3, 1),
            (4, 1),
            (5, 2),
            (6, 1),
            (7, 1),
            (8, 1)
        ]
    );
    let messages: Vec<&str> = checked
        .diagnostics("LOOP102")
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        messages[0].contains("use `!ls`, or `out = !ls`"),
        "{}",
        messages[0]
    );
    for message in &messages[1..] {
        assert!(
            message.contains("fails with SyntaxError before any of it runs"),
            "{message}"
        );
    }
}

#[test]
fn a_plain_script_is_python_so_a_magic_is_a_syntax_error() {
    let checked = python("import asyncio\n%matplotlib inline\n%load_ext x\n");
    assert!(checked.has("E999"));
    assert!(!checked.has("LOOP102"));
}

#[test]
fn magics_in_strings_and_brackets_are_not_magics() {
    let checked = notebook(&[&dedent(
        r#"
        s = """
        %load_ext x
        """
        "#,
    )]);
    assert_eq!(checked.cell_findings(), []);
}
