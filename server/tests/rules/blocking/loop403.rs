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

#[test]
fn a_child_defined_in_an_earlier_cell_is_followed() {
    let checked = notebook(&[
        "import trio\nasync def tick():\n    while True:\n        await trio.sleep(1)",
        "async with trio.open_nursery() as n:\n    n.start_soon(tick)",
    ]);
    assert_eq!(checked.cell_findings_for(&["LOOP403"]), [("LOOP403", 2, 2)]);
    let message = &checked.only("LOOP403").message;
    assert!(
        message.contains("`tick` never returns (`while True`"),
        "{message}"
    );
}

#[test]
fn a_rebinding_between_the_definition_and_the_nursery_replaces_it() {
    let cells = [
        "import trio\nasync def tick():\n    await trio.sleep_forever()",
        "def tick():\n    pass",
        "async with trio.open_nursery() as n:\n    n.start_soon(tick)",
    ];
    assert_eq!(notebook(&cells).cell_findings_for(&["LOOP403"]), []);
    let reassigned = [
        "import trio\nasync def tick():\n    await trio.sleep_forever()",
        "tick = make_tick()",
        cells[2],
    ];
    assert_eq!(notebook(&reassigned).cell_findings_for(&["LOOP403"]), []);
    let imported = [
        "import trio\nasync def tick():\n    await trio.sleep_forever()",
        "from ticks import tick",
        cells[2],
    ];
    assert_eq!(notebook(&imported).cell_findings_for(&["LOOP403"]), []);
}

#[test]
fn a_rebinding_after_the_nursery_cell_does_not_matter() {
    let checked = notebook(&[
        "import trio\nasync def tick():\n    await trio.sleep_forever()",
        "async with trio.open_nursery() as n:\n    n.start_soon(tick)",
        "async def tick():\n    return",
    ]);
    assert_eq!(checked.cell_findings_for(&["LOOP403"]), [("LOOP403", 2, 2)]);
}

#[test]
fn an_endless_redefinition_in_a_later_cell_wins() {
    let checked = notebook(&[
        "import trio\nasync def tick():\n    return",
        "async def tick():\n    while 1:\n        await trio.sleep(1)",
        "async with trio.open_nursery() as n:\n    n.start_soon(tick)",
    ]);
    assert_eq!(checked.cell_findings_for(&["LOOP403"]), [("LOOP403", 3, 2)]);
}

#[test]
fn sleep_forever_is_resolved_through_the_imports() {
    let imported = notebook(&[
        "import anyio\nfrom anyio import sleep_forever\nasync def idle():\n    await sleep_forever()",
        "async with anyio.create_task_group() as tg:\n    tg.start_soon(idle)",
    ]);
    assert_eq!(
        imported.cell_findings_for(&["LOOP403"]),
        [("LOOP403", 2, 2)]
    );
    assert!(imported.only("LOOP403").message.contains("sleep_forever()"));
    let own = notebook(&[
        "import trio\nasync def sleep_forever():\n    await trio.sleep(1)\nasync def idle():\n    await sleep_forever()",
        "async with trio.open_nursery() as n:\n    n.start_soon(idle)",
    ]);
    assert_eq!(own.cell_findings_for(&["LOOP403"]), []);
}

#[test]
fn a_cell_file_follows_earlier_cells_too() {
    let checked = python_with(
        r#"
        # %%
        import asyncio

        async def pump():
            while True:
                await asyncio.sleep(1)

        # %%
        async with asyncio.TaskGroup() as tg:
            tg.create_task(pump())
        "#,
        &selecting(&["LOOP403"]),
    );
    assert_eq!(checked.findings(), [("LOOP403", 10)]);
}
