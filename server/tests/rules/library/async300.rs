//! ASYNC300 create-task-no-reference.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC300");
}

#[test]
fn tasks_dropped_in_displays_truth_tests_with_and_for_fire() {
    assert_named_fixture("ASYNC300", "ASYNC300_dropped_values");
}

#[test]
fn the_message_says_how_the_task_is_lost() {
    let message = |line: &str| {
        python(&format!(
            "import asyncio\n\nasync def main(c):\n    {line}\n        pass\n"
        ))
        .only("ASYNC300")
        .message
        .clone()
    };
    assert!(message("if asyncio.create_task(c):").contains("is only tested for truth"));
    assert!(message("with asyncio.create_task(c):").contains("used as a context manager"));
    assert!(message("for t in [asyncio.create_task(c)]:")
        .contains("only referenced while the loop iterates"));
    let generator =
        python("import asyncio\n\nasync def main(cs):\n    (asyncio.create_task(c) for c in cs)\n");
    assert!(generator
        .only("ASYNC300")
        .message
        .contains("dropped without running"));
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
