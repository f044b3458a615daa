//! ASYNC300 create-task-no-reference.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC300");
}

#[test]
fn a_dropped_task_in_a_cell_fires_once() {
    let checked = notebook(&[
        "import asyncio\nasync def poll():\n    ...",
        "asyncio.create_task(poll())",
    ]);
    let findings: Vec<_> = checked
        .cell_findings()
        .into_iter()
        .filter(|(code, _, _)| *code == "ASYNC300")
        .collect();
    assert_eq!(findings, [("ASYNC300", 2, 1)]);
    assert!(checked
        .first("ASYNC300")
        .message
        .contains("garbage-collected"));
}

#[test]
fn it_does_not_overlap_with_loop300() {
    let checked = python(
        r#"
        import asyncio

        async def poll():
            ...

        async def main():
            asyncio.create_task(poll())
        "#,
    );
    assert_eq!(
        checked.findings_for(&["ASYNC300", "LOOP300", "LOOP303"]),
        [("ASYNC300", 7)]
    );
}
