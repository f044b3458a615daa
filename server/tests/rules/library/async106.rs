//! ASYNC106 bad-async-library-import.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC106");
}

#[test]
fn it_is_off_by_default() {
    let checked = python("from trio import sleep\nimport anyio as a\n");
    assert!(!checked.has("ASYNC106"));
}

#[test]
fn the_message_names_the_plain_import() {
    let checked = python_with("import trio as t\n", &selecting(&["ASYNC106"]));
    assert!(checked.only("ASYNC106").message.contains("`import trio`"));
}
