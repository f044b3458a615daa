//! E999 syntax-error.

use crate::common::first_catalogue::{notebook, python};

#[test]
fn a_syntax_error_is_reported_on_its_line() {
    let checked = python(
        r#"
        import trio

        async def main(:
            ...
        "#,
    );
    // The parser may report one mistake as several errors; all sit on its line.
    assert!(checked.lines_of("E999").iter().all(|&line| line == 3));
    assert!(checked.first("E999").message.starts_with("SyntaxError: "));
    assert!(checked.first("E999").fix.is_none());
}

#[test]
fn rules_still_run_on_the_recovered_tree() {
    let checked = python(
        r#"
        import trio

        x = (1,

        await trio.sleep(1)

        def f():
            await g()
        "#,
    );
    assert!(checked.has("E999"));
    assert!(checked.has("LOOP100"), "{:?}", checked.findings());
    assert_eq!(checked.lines_of("LOOP101"), [8]);
}

#[test]
fn a_broken_cell_does_not_hide_other_cells() {
    let checked = notebook(&["def f(:\n    pass", "import trio\ntrio.sleep(1)"]);
    let mut findings: Vec<_> = checked.cell_findings().iter().map(|f| (f.0, f.1)).collect();
    findings.dedup();
    assert_eq!(findings, [("E999", 1), ("ASYNC105", 2)]);
}

#[test]
fn notebook_cells_accept_ipython_syntax() {
    let checked = notebook(&[
        "%autoawait trio",
        "!pip install trio\nimport trio",
        "%%time\nawait trio.sleep(0)",
        "files = !ls\nx = 1",
        "trio?",
    ]);
    assert_eq!(checked.cell_findings(), []);
}

#[test]
fn percent_cells_accept_ipython_syntax_and_scripts_do_not() {
    // `asyncell run` hands a `# %%` cell to the host as a notebook cell, magics included.
    let checked = python(
        r#"
        # %%
        # %autoawait trio
        import trio

        # %%
        %autoawait trio
        !pip --version
        "#,
    );
    assert_eq!(checked.findings(), []);
    let checked = python(
        "import trio
%autoawait trio
",
    );
    assert!(checked.has("E999"));
    assert!(checked.lines_of("E999").iter().all(|&line| line == 2));
}

#[test]
fn an_unclosed_bracket_in_a_percent_cell_is_reported_in_that_cell() {
    // Not at the end of the cell's trailing blank lines, which is the next marker line.
    let checked = python("# %%\nx = 1\n\n# %%\ny = [\n\n# %%\nz = 2\n");
    assert_eq!(checked.lines_of("E999"), [5]);
}

#[test]
fn an_unclosed_block_at_the_end_of_a_notebook_cell_is_reported_on_its_last_line() {
    let checked = notebook(&["for x in xs:\n\n\n", "y = 1"]);
    assert_eq!(checked.cell_findings(), [("E999", 1, 1)]);
}

#[test]
fn a_cell_that_crashes_the_ipython_parser_is_reported_not_fatal() {
    // ruff_python_parser panics on this IPython input (a stray `,` autocall escape after
    // mismatched brackets); the cell falls back to plain Python parsing.
    let checked = notebook(&["import trio", "l(}\n,oad()", "trio.sleep(1)"]);
    let cells: Vec<(&str, usize)> = checked.cell_findings().iter().map(|f| (f.0, f.1)).collect();
    assert!(cells.contains(&("E999", 2)), "{cells:?}");
    assert!(cells.contains(&("ASYNC105", 3)), "{cells:?}");
}

#[test]
fn return_outside_a_function_is_a_syntax_error_in_cells_and_scripts() {
    let cell = notebook(&["import trio\nawait trio.sleep(1)\nreturn 42"]);
    assert_eq!(cell.cell_findings(), [("E999", 1, 3)]);
    let message = &cell.first("E999").message;
    assert!(
        message.starts_with("SyntaxError: 'return' outside function (a cell's top level"),
        "{message}"
    );
    let script = python(
        r#"
        import trio

        class Config:
            return

        def fine():
            return 1

        async def also_fine():
            if True:
                return
        "#,
    );
    assert_eq!(script.findings(), [("E999", 4)]);
}
