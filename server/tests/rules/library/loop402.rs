//! LOOP402 private-trio-internals.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("LOOP402");
}

#[test]
fn patching_a_nursery_mentions_the_trio_0_35_breakage_and_background() {
    let checked = python(
        r#"
        import trio

        async def main(handler):
            async with trio.open_nursery() as n:
                n._add_exc = handler
        "#,
    );
    let message = &checked.only("LOOP402").message;
    assert!(message.contains("reason"), "{message}");
    assert!(
        message.contains("from asyncell import background"),
        "{message}"
    );
}

#[test]
fn a_patch_through_a_private_module_is_reported_once() {
    let checked = python("import trio\ntrio._core._run.X = 1\n");
    assert_eq!(checked.findings(), [("LOOP402", 2)]);
}

#[test]
fn a_nursery_bound_in_another_cell_by_name_counts() {
    let checked = notebook(&["GLOBAL_NURSERY = None", "GLOBAL_NURSERY._add_exc = print"]);
    assert_eq!(checked.cell_findings(), [("LOOP402", 2, 1)]);
}

#[test]
fn other_objects_private_attributes_are_not_trio_internals() {
    let checked = python("import trio\nclass A:\n    pass\na = A()\na._x = 1\nprint(a._x)\n");
    assert!(!checked.has("LOOP402"));
}
