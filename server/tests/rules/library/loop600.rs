//! LOOP600 wrong-loop-library.

use crate::common::*;
use asyncell::analysis::LoopMode;

#[test]
fn fixture() {
    assert_fixture("LOOP600");
}

#[test]
fn the_fix_wraps_in_aio_as_trio_when_trio_asyncio_is_imported() {
    let checked = notebook(&[
        "%autoawait trio\nimport asyncio\nimport trio_asyncio",
        "await asyncio.sleep(1)",
    ]);
    assert_eq!(checked.cell_findings(), [("LOOP600", 2, 1)]);
    assert_eq!(
        checked.fixed_cells("LOOP600")[1],
        "await trio_asyncio.aio_as_trio(asyncio.sleep)(1)"
    );
    assert!(checked
        .first("LOOP600")
        .message
        .contains("trio.run received unrecognized yield message"));
}

#[test]
fn a_from_import_of_aio_as_trio_is_used_by_the_fix() {
    let checked = python_with(
        "import asyncio\nfrom trio_asyncio import aio_as_trio\n\nasync def f():\n    await asyncio.sleep(1)\n",
        &with_loop(LoopMode::Trio),
    );
    assert!(checked
        .fixed("LOOP600")
        .ends_with("    await aio_as_trio(asyncio.sleep)(1)\n"));
}

#[test]
fn no_fix_without_trio_asyncio() {
    let checked = python_with(
        "import asyncio\n\nasync def f():\n    await asyncio.sleep(1)\n",
        &with_loop(LoopMode::Trio),
    );
    let diagnostic = checked.only("LOOP600");
    assert!(diagnostic.fix.is_none());
    assert!(diagnostic.message.contains("trio.sleep"));
}

#[test]
fn trio_apis_on_asyncio_fire() {
    let checked = python_with(
        r#"
        import trio

        async def f():
            await trio.sleep(1)
            async with trio.open_nursery() as n:
                pass
        "#,
        &with_loop(LoopMode::Asyncio),
    );
    assert_eq!(checked.findings(), [("LOOP600", 4), ("LOOP600", 5)]);
    assert!(checked
        .first("LOOP600")
        .message
        .contains("Task got bad yield"));
}

#[test]
fn anyio_and_unknown_loops_are_never_flagged() {
    let checked = python_with(
        "import anyio\n\nasync def f():\n    await anyio.sleep(1)\n",
        &with_loop(LoopMode::Trio),
    );
    assert!(!checked.has("LOOP600"));
    let checked = python("import asyncio\nimport trio\n\nasync def f():\n    await asyncio.sleep(1)\n    await trio.sleep(1)\n");
    assert!(!checked.has("LOOP600"));
}

#[test]
fn an_asyncio_object_from_an_earlier_cell_is_followed() {
    let checked = notebook(&[
        "%autoawait trio\nimport asyncio\nqueue = asyncio.Queue()\nlock = asyncio.Lock()",
        "item = await queue.get()\nasync with lock:\n    pass",
    ]);
    assert_eq!(
        checked.cell_findings_for(&["LOOP600"]),
        [("LOOP600", 2, 1), ("LOOP600", 2, 2)]
    );
    let messages: Vec<_> = checked
        .diagnostics("LOOP600")
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert!(
        messages[0].contains("`queue.get()` of an `asyncio.Queue`"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("`async with lock` enters an `asyncio.Lock`"),
        "{messages:?}"
    );
}

#[test]
fn a_rebinding_in_between_replaces_the_asyncio_object() {
    let checked = notebook(&[
        "%autoawait trio\nimport asyncio, trio\nqueue = asyncio.Queue()",
        "queue = make_queue()",
        "await queue.get()",
    ]);
    assert!(!checked.has("LOOP600"));
    let trio_instead = notebook(&[
        "%autoawait trio\nimport asyncio, trio\nlock = asyncio.Lock()",
        "lock = trio.Lock()",
        "async with lock:\n    pass",
    ]);
    assert!(!trio_instead.has("LOOP600"));
}

#[test]
fn a_module_level_asyncio_object_is_followed_into_functions() {
    let checked = python_with(
        r#"
        import asyncio

        event = asyncio.Event()

        async def waiter():
            await event.wait()

        async def own(event):
            await event.wait()
        "#,
        &with_loop(LoopMode::Trio),
    );
    assert_eq!(checked.findings(), [("LOOP600", 6)]);
}

#[test]
fn async_for_over_as_completed_on_trio_fires() {
    let checked = python_with(
        r#"
        import asyncio

        async def f(jobs):
            async for job in asyncio.as_completed(jobs):
                print(await job)
        "#,
        &with_loop(LoopMode::Trio),
    );
    assert_eq!(checked.findings(), [("LOOP600", 4)]);
    let message = &checked.only("LOOP600").message;
    assert!(
        message.contains("`asyncio.as_completed()` is asyncio-only"),
        "{message}"
    );
    assert!(checked.only("LOOP600").fix.is_none());
}

#[test]
fn asyncio_objects_on_asyncio_are_fine() {
    let checked = notebook(&[
        "%autoawait asyncio\nimport asyncio\nqueue = asyncio.Queue()\nlock = asyncio.Lock()",
        "await queue.get()\nasync with lock:\n    pass\nasync for job in asyncio.as_completed(jobs):\n    pass",
    ]);
    assert!(!checked.has("LOOP600"));
}

#[test]
fn context_managers_are_wrapped_as_objects_in_the_advice() {
    let checked = python_with(
        "import asyncio\n\nasync def f():\n    async with asyncio.timeout(1):\n        pass\n",
        &with_loop(LoopMode::Trio),
    );
    let message = &checked.only("LOOP600").message;
    assert!(
        message.contains("`trio_asyncio.aio_as_trio(asyncio.timeout(...))`"),
        "{message}"
    );
}
