//! ASYNC400 exception-group-invalid-attribute.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC400");
}

#[test]
fn the_message_names_the_attribute() {
    let checked = python("try:\n    f()\nexcept* OSError as e:\n    e.errno\n");
    let message = &checked.only("ASYNC400").message;
    assert!(message.contains("`.errno`"), "{message}");
    assert!(message.contains("AttributeError"), "{message}");
}
