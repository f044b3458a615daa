//! ASYNC122 delayed-entry-of-relative-cancelscope.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC122");
}

#[test]
fn the_message_names_the_call() {
    let checked = python(
        r#"
        import anyio

        scope = anyio.move_on_after(1)
        "#,
    );
    assert!(checked
        .only("ASYNC122")
        .message
        .starts_with("`anyio.move_on_after()` is created here but entered later"));
}

#[test]
fn across_notebook_cells() {
    let checked = notebook(&[
        "import trio\nscope = trio.fail_after(5)",
        "with scope:\n    await work()",
    ]);
    assert_eq!(checked.cell_findings(), [("ASYNC122", 1, 2)]);
}
