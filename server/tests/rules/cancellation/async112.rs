//! ASYNC112 useless-nursery.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC112");
}

#[test]
fn the_message_says_nursery_or_task_group() {
    let checked = python(
        r#"
        import trio
        import asyncio

        async def main():
            async with trio.open_nursery() as nursery:
                nursery.start_soon(worker)
            async with asyncio.TaskGroup() as tg:
                tg.create_task(worker())
        "#,
    );
    let messages: Vec<_> = checked
        .diagnostics("ASYNC112")
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert!(messages[0].contains("this nursery") && messages[0].contains("nursery.start_soon"));
    assert!(messages[1].contains("this task group") && messages[1].contains("tg.create_task"));
}

#[test]
fn aliased_imports_are_resolved() {
    let checked = python(
        r#"
        import trio as t

        async def main():
            async with t.open_nursery() as n:
                n.start_soon(worker)
        "#,
    );
    assert_eq!(checked.findings(), [("ASYNC112", 4)]);
}
