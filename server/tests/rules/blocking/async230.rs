//! ASYNC230 blocking-open-call.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC230");
}

#[test]
fn the_suggestion_follows_the_library() {
    let message = |lib: &str| {
        python(&format!("import {lib}\n\nasync def f(p):\n    open(p)\n"))
            .only("ASYNC230")
            .message
            .clone()
    };
    assert!(message("trio").contains("trio.open_file"));
    assert!(message("anyio").contains("anyio.open_file"));
    assert!(message("asyncio").contains("asyncio.to_thread"));
}

#[test]
fn under_asyncio_the_message_says_there_is_no_async_file_api() {
    let message = python(
        "import asyncio

async def f(p):
    open(p)
",
    )
    .only("ASYNC230")
    .message
    .clone();
    assert_eq!(
        message,
        "`open()` does blocking file I/O on the event loop's thread; asyncio has no async \
         file API: do the whole read or write in a thread with `await asyncio.to_thread(...)`, \
         or use a library such as anyio (`anyio.open_file`) or aiofiles"
    );
    let trio = python(
        "import trio

async def f(p):
    open(p)
",
    );
    assert!(trio
        .only("ASYNC230")
        .message
        .ends_with("; use `await trio.open_file(...)` (or `trio.Path`)"));
}

#[test]
fn anyio_wrap_file_makes_it_async() {
    let checked = python("import anyio\n\nasync def f(p):\n    anyio.wrap_file(open(p))\n");
    assert_eq!(checked.findings_for(&["ASYNC230"]), []);
}
