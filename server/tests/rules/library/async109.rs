//! ASYNC109 async-function-with-timeout.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC109");
}

#[test]
fn trio_documents_are_pointed_to_fail_after() {
    let checked = python("import trio\n\nasync def f(timeout):\n    ...\n");
    let message = &checked.only("ASYNC109").message;
    assert!(message.contains("trio.fail_after"), "{message}");
}

#[test]
fn anyio_documents_are_pointed_to_anyio() {
    let checked = python("import anyio\nimport trio\n\nasync def f(timeout):\n    ...\n");
    let message = &checked.only("ASYNC109").message;
    assert!(message.contains("anyio.fail_after"), "{message}");
}

#[test]
fn asyncio_documents_are_pointed_to_asyncio_timeout() {
    let checked = python("import asyncio\n\nasync def f(timeout):\n    ...\n");
    let message = &checked.only("ASYNC109").message;
    assert!(message.contains("asyncio.timeout"), "{message}");
}

#[test]
fn it_lands_on_the_parameter() {
    let checked = python("import trio\n\nasync def f(\n    url,\n    timeout=3,\n):\n    ...\n");
    assert_eq!(checked.findings(), [("ASYNC109", 5)]);
}
