//! ASYNC121 control-flow-in-taskgroup.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC121");
}

#[test]
fn messages_name_the_statement_and_the_construct() {
    let checked = python(
        r#"
        import anyio

        async def main(items):
            for item in items:
                async with anyio.create_task_group() as tg:
                    break
            async with anyio.create_task_group() as tg:
                return 1
        "#,
    );
    let diagnostics = checked.diagnostics("ASYNC121");
    assert!(diagnostics[0]
        .message
        .starts_with("`break` inside a task group"));
    assert!(diagnostics[1]
        .message
        .starts_with("`return` inside a task group"));
}

#[test]
fn sync_with_blocks_do_not_count() {
    // Only `async with` opens a nursery; a sync `with` of one is a TypeError elsewhere.
    let checked = python(
        r#"
        import trio

        async def main():
            with trio.open_nursery() as nursery:
                return 1
        "#,
    );
    assert!(!checked.has("ASYNC121"));
}

#[test]
fn at_notebook_top_level_a_loop_around_the_nursery_counts() {
    let checked = notebook(&[
        "import trio",
        "for item in items:\n    async with trio.open_nursery() as nursery:\n        break",
    ]);
    assert_eq!(checked.cell_findings(), [("ASYNC121", 2, 3)]);
}
