//! ASYNC231 blocking-fdopen.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC231");
}

#[test]
fn the_message_suggests_wrapping() {
    let checked = python("import os\nimport trio\n\nasync def f(fd):\n    os.fdopen(fd)\n");
    assert!(checked
        .only("ASYNC231")
        .message
        .contains("`trio.wrap_file(os.fdopen(...))`"));
}
