//! ASYNC110 async-busy-wait.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC110");
}

#[test]
fn the_message_names_the_event_of_the_library_that_sleeps() {
    let checked = python(
        r#"
        import anyio

        async def wait(state):
            while not state.ready:
                await anyio.sleep(1)
        "#,
    );
    let diagnostic = checked.only("ASYNC110");
    assert!(
        diagnostic.message.contains("`anyio.Event`"),
        "{}",
        diagnostic.message
    );
    assert!(diagnostic.message.contains("anyio.sleep()"));
}

#[test]
fn in_a_notebook_cell_at_top_level() {
    let checked = notebook(&["import trio", "while not done:\n    await trio.sleep(1)"]);
    assert_eq!(checked.cell_findings(), [("ASYNC110", 2, 1)]);
}
