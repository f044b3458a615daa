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
