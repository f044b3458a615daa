//! ASYNC111 variable-outlived-by-task.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC111");
}

#[test]
fn the_message_names_both_context_managers() {
    let checked = python(
        r#"
        import trio

        async def main(path):
            async with trio.open_nursery() as nursery:
                with open(path) as f:
                    nursery.start_soon(consume, f)
        "#,
    );
    let message = &checked.only("ASYNC111").message;
    assert!(
        message
            .starts_with("`f` comes from `open(path)`, which closes before `trio.open_nursery()`"),
        "{message}"
    );
}
