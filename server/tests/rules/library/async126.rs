//! ASYNC126 exception-group-missing-derive.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC126");
}

#[test]
fn an_async_derive_counts_too() {
    let checked =
        python("class G(ExceptionGroup):\n    async def derive(self, excs):\n        ...\n");
    assert!(!checked.has("ASYNC126"));
}

#[test]
fn the_message_names_the_class() {
    let checked = python("class Errors(ExceptionGroup):\n    pass\n");
    assert!(checked.only("ASYNC126").message.contains("`Errors`"));
}
