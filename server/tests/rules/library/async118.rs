//! ASYNC118 cancelled-class-saved.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC118");
}

#[test]
fn the_message_says_the_class_depends_on_the_backend() {
    let checked = python("import anyio\nCancelled = anyio.get_cancelled_exc_class()\n");
    assert!(checked.only("ASYNC118").message.contains("backend"));
}

#[test]
fn notebook_cells_resolve_imports_from_other_cells() {
    let checked = notebook(&["import anyio as a", "C = a.get_cancelled_exc_class()"]);
    assert_eq!(checked.cell_findings(), [("ASYNC118", 2, 1)]);
}
