//! `# noqa` comments, and `select`/`ignore` settings.

use crate::common::first_catalogue::{notebook, python, python_with};
use crate::common::*;

const TWO_PROBLEMS: &str = "import trio\n\nasync def f():\n    trio.sleep(1)\n\nawait f()\n";

#[test]
fn bare_noqa_silences_every_code_on_its_line() {
    let checked = python(
        r#"
        import trio

        await trio.sleep(1)  # noqa
        await trio.sleep(2)
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP100", 4)]);
}

#[test]
fn noqa_with_codes_silences_only_those_codes() {
    let checked = python(
        r#"
        import trio

        async def f():
            trio.sleep(1)  # noqa: ASYNC105
            trio.sleep(2)  # noqa: LOOP300
            trio.sleep(3)  # noqa:LOOP300,ASYNC105
            trio.sleep(4)  # NOQA: LOOP100, ASYNC105
        "#,
    );
    assert_eq!(checked.findings(), [("ASYNC105", 5)]);
}

#[test]
fn noqa_only_covers_its_own_line() {
    let checked = python(
        r#"
        # noqa
        await f()
        await g()  # noqa: LOOP100
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP100", 2)]);
}

#[test]
fn noqa_works_in_notebook_cells() {
    let checked = notebook(&["import trio\ntrio.sleep(1)  # noqa: ASYNC105\ntrio.sleep(2)"]);
    assert_eq!(checked.cell_findings(), [("ASYNC105", 1, 3)]);
}

#[test]
fn noqa_on_the_first_line_of_a_multiline_call() {
    let checked = python(
        r#"
        import trio

        async def f():
            trio.sleep(  # noqa: ASYNC105
                1,
            )
            trio.sleep(
                2,
            )  # noqa: ASYNC105
        "#,
    );
    assert_eq!(checked.findings(), [("ASYNC105", 7)]);
}

#[test]
fn select_by_code_or_prefix() {
    let everything = python(TWO_PROBLEMS);
    assert_eq!(everything.findings(), [("ASYNC105", 4), ("LOOP100", 6)]);
    let by_code = python_with(TWO_PROBLEMS, &selecting(&["LOOP100"]));
    assert_eq!(by_code.findings(), [("LOOP100", 6)]);
    let by_prefix = python_with(TWO_PROBLEMS, &selecting(&["ASYNC"]));
    assert_eq!(by_prefix.findings(), [("ASYNC105", 4)]);
    let all = python_with(TWO_PROBLEMS, &selecting(&["ALL"]));
    assert_eq!(all.findings(), everything.findings());
}

#[test]
fn ignore_by_code_or_prefix() {
    let by_code = python_with(TWO_PROBLEMS, &ignoring(&["ASYNC105"]));
    assert_eq!(by_code.findings(), [("LOOP100", 6)]);
    let by_prefix = python_with(TWO_PROBLEMS, &ignoring(&["LOOP1"]));
    assert_eq!(by_prefix.findings(), [("ASYNC105", 4)]);
}

#[test]
fn a_more_specific_select_beats_a_broader_ignore() {
    let settings = asyncell::analysis::Settings {
        select: Some(vec!["ALL".into(), "LOOP100".into()]),
        ignore: vec!["LOOP".into()],
        ..Default::default()
    };
    assert_eq!(
        python_with(TWO_PROBLEMS, &settings).findings(),
        [("ASYNC105", 4), ("LOOP100", 6)]
    );
    let settings = asyncell::analysis::Settings {
        select: Some(vec!["ALL".into()]),
        ignore: vec!["LOOP".into()],
        ..Default::default()
    };
    assert_eq!(
        python_with(TWO_PROBLEMS, &settings).findings(),
        [("ASYNC105", 4)]
    );
}

#[test]
fn e999_can_be_ignored() {
    let checked = python_with("def f(:\n    pass\n", &ignoring(&["E999"]));
    assert_eq!(checked.findings(), []);
}

#[test]
fn noqa_inside_a_string_is_not_a_comment() {
    let checked = python(
        r##"
        print("# noqa"); await f()
        x = '''
        # noqa
        '''; await g()
        await h()  # a comment that ends in # noqa: LOOP100
        "##,
    );
    assert_eq!(checked.findings(), [("LOOP100", 1), ("LOOP100", 4)]);
}

#[test]
fn the_suppression_edit_adds_a_comment_or_extends_one() {
    use asyncell::analysis::noqa::suppression_edit;
    let checked = python(
        r##"
        import trio

        async def f():
            trio.sleep(1)
            trio.sleep(2)  # noqa: LOOP300
            print("# noqa: X"); trio.sleep(3)
        "##,
    );
    let unit = &checked.document.slots()[0].unit;
    let edits: Vec<String> = checked
        .diagnostics("ASYNC105")
        .iter()
        .map(|d| {
            apply_fix(
                &unit.text,
                &asyncell::analysis::Fix::new("", vec![suppression_edit(unit, d)]),
            )
        })
        .collect();
    assert!(edits[0].contains("    trio.sleep(1)  # noqa: ASYNC105\n"));
    assert!(edits[1].contains("    trio.sleep(2)  # noqa: LOOP300, ASYNC105\n"));
    assert!(edits[2].contains("trio.sleep(3)  # noqa: ASYNC105\n"));
    for fixed in edits {
        assert_eq!(python(&fixed).diagnostics("ASYNC105").len(), 2, "{fixed}");
    }
}
