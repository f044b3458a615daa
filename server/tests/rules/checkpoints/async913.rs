//! ASYNC913 indefinite-loop-no-guaranteed-checkpoint.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC913");
}

#[test]
fn the_fix_checkpoints_at_the_top_of_the_loop() {
    let checked = python_with(
        r#"
        import trio

        async def pump(queue):
            while True:
                if queue:
                    await handle(queue.pop())
        "#,
        &selecting(&["ASYNC913"]),
    );
    assert!(checked
        .only("ASYNC913")
        .message
        .contains("await trio.lowlevel.checkpoint()"));
    assert_eq!(
        checked.fixed("ASYNC913"),
        dedent(
            r#"
            import trio

            async def pump(queue):
                while True:
                    await trio.lowlevel.checkpoint()
                    if queue:
                        await handle(queue.pop())
            "#
        )
    );
}

#[test]
fn asyncio_loops_get_asyncio_sleep() {
    let checked = python_with(
        "import asyncio\n\nasync def f(x):\n    while True:\n        x.step()\n",
        &selecting(&["ASYNC913"]),
    );
    assert_eq!(
        checked.fixed("ASYNC913"),
        "import asyncio\n\nasync def f(x):\n    while True:\n        await asyncio.sleep(0)\n        x.step()\n"
    );
}

#[test]
fn a_continue_before_the_checkpoint_counts_as_an_iteration_without_one() {
    let checked = python_with(
        "import trio\n\nasync def f(x):\n    while True:\n        if x.idle():\n            continue\n        await trio.sleep(0)\n",
        &selecting(&["ASYNC913"]),
    );
    assert_eq!(checked.lines_of("ASYNC913"), [4]);
}
