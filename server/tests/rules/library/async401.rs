//! ASYNC401 pytest-raises-exception-group.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC401");
}

#[test]
fn the_message_points_to_raises_group() {
    let checked = python("import pytest\n\nwith pytest.raises(ExceptionGroup):\n    pass\n");
    assert!(checked
        .only("ASYNC401")
        .message
        .contains("pytest.RaisesGroup"));
}
