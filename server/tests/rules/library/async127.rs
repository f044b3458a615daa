//! ASYNC127 unmaintained-httpx.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC127");
}

#[test]
fn the_message_names_httpx2() {
    let checked = python("import httpx\n");
    assert!(checked.only("ASYNC127").message.contains("httpx2"));
}
