//! ASYNC123 bad-exception-group-flattening.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC123");
}

#[test]
fn raising_from_the_group_is_fine() {
    let checked = python(
        r#"
        try:
            run()
        except* ValueError as eg:
            raise RuntimeError("failed") from eg.exceptions[0]
        "#,
    );
    assert!(!checked.has("ASYNC123"));
}

#[test]
fn the_message_says_what_is_lost() {
    let checked =
        python("try:\n    run()\nexcept* ValueError as eg:\n    raise eg.exceptions[0]\n");
    assert!(checked.only("ASYNC123").message.contains("traceback"));
}
