//! ASYNC211 blocking-http-call-pool.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC211");
}

#[test]
fn only_when_urllib3_is_imported() {
    let checked = python("async def f(pool, u):\n    pool.request('GET', u)\n");
    assert_eq!(checked.findings_for(&["ASYNC211"]), []);
}

#[test]
fn urllib3_imported_in_another_cell_counts() {
    let checked = notebook(&[
        "import urllib3",
        "async def f(pool, u):\n    pool.request('GET', u)",
    ]);
    assert_eq!(
        checked.cell_findings_for(&["ASYNC211"]),
        [("ASYNC211", 2, 2)]
    );
    assert!(checked.only("ASYNC211").message.contains("likely"));
}
