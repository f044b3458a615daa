//! ASYNC210 blocking-http-call.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC210");
}

#[test]
fn message_names_the_call_and_an_async_client() {
    let checked = python("import requests\n\nasync def f(u):\n    return requests.get(u)\n");
    let message = &checked.only("ASYNC210").message;
    assert!(message.contains("`requests.get()`"), "{message}");
    assert!(message.contains("httpx.AsyncClient"), "{message}");
    assert!(checked.only("ASYNC210").fix.is_none());
}

#[test]
fn fires_inside_async_defs_of_notebook_cells_only() {
    let checked = notebook(&[
        "import requests",
        "requests.get(u)\nasync def f():\n    requests.get(u)",
    ]);
    assert_eq!(
        checked.cell_findings_for(&["ASYNC210"]),
        [("ASYNC210", 2, 3)]
    );
}

#[test]
fn noqa_from_flake8_async_carries_over() {
    let checked =
        python("import requests\n\nasync def f(u):\n    requests.get(u)  # noqa: ASYNC210\n");
    assert_eq!(checked.findings_for(&["ASYNC210"]), []);
}
