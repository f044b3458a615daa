//! LOOP403 cell-waits-on-nursery.

use asyncell::analysis::Target;

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("LOOP403");
}

#[test]
fn the_message_suggests_a_background_task() {
    let checked = notebook(&[
        "import trio\nasync def tick():\n    while True:\n        await trio.sleep(1)\nasync with trio.open_nursery() as n:\n    n.start_soon(tick)",
    ]);
    assert_eq!(checked.cell_findings_for(&["LOOP403"]), [("LOOP403", 1, 6)]);
    let message = &checked.only("LOOP403").message;
    assert!(message.contains("never finishes"), "{message}");
    assert!(
        message.contains("`background.start_soon(tick)`"),
        "{message}"
    );
    assert!(
        message.contains("from asyncell import background"),
        "{message}"
    );
}

#[test]
fn under_ipython_the_suggestion_does_not_name_asyncell() {
    let checked = notebook_with(
        &["import trio\nasync def tick():\n    await trio.sleep_forever()\nasync with trio.open_nursery() as n:\n    n.start_soon(tick)"],
        &with_target(Target::Ipython),
    );
    assert!(!checked.only("LOOP403").message.contains("asyncell"));
}

#[test]
fn scripts_are_not_checked() {
    // Top-level `async with` is a syntax error in a script (LOOP100's business).
    let checked = python_with(
        "import trio\nasync def tick():\n    await trio.sleep_forever()\nasync with trio.open_nursery() as n:\n    n.start_soon(tick)\n",
        &selecting(&["LOOP403"]),
    );
    assert_eq!(checked.findings(), []);
}
