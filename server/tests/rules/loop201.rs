//! LOOP201 nest-asyncio-patch.

use crate::common::first_catalogue::{notebook, python};

#[test]
fn nest_asyncio_apply_fires() {
    let checked = notebook(&["import nest_asyncio\nnest_asyncio.apply()"]);
    assert_eq!(checked.cell_findings(), [("LOOP201", 1, 2)]);
    let diagnostic = checked.only("LOOP201");
    assert!(diagnostic.fix.is_none());
    assert!(diagnostic.message.contains("re-entrant"));
}

#[test]
fn fires_in_scripts_and_through_aliases() {
    let checked = python(
        r#"
        import nest_asyncio as na
        from nest_asyncio import apply

        na.apply(loop)
        apply()
        "#,
    );
    assert_eq!(checked.findings(), [("LOOP201", 4), ("LOOP201", 5)]);
}

#[test]
fn other_apply_methods_do_not_fire() {
    let checked = python(
        r#"
        import pandas as pd

        df.apply(len)
        patch.apply()
        nest_asyncio_apply()
        "#,
    );
    assert_eq!(checked.findings(), []);
}
