//! ASYNC212 blocking-http-call-httpx.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC212");
}

#[test]
fn module_level_enclosing_and_aliased_objects_are_known() {
    assert_named_fixture("ASYNC212", "ASYNC212_outer_scopes");
}

#[test]
fn message_names_the_variable_and_the_async_client() {
    let checked =
        python("import httpx\n\nasync def f(u):\n    client = httpx.Client()\n    client.get(u)\n");
    let message = &checked.only("ASYNC212").message;
    assert!(message.contains("`client.get()`"), "{message}");
    assert!(message.contains("`httpx.Client`"), "{message}");
    assert!(message.contains("httpx.AsyncClient"), "{message}");
}

#[test]
fn a_rebinding_to_something_else_clears_the_type() {
    let checked = python(
        "import httpx\n\nasync def f(u):\n    c = httpx.Client()\n    c = other()\n    c.get(u)\n",
    );
    assert_eq!(checked.findings_for(&["ASYNC212"]), []);
}

#[test]
fn a_comprehension_variable_shadows_the_client() {
    let checked = python(
        "import httpx\n\nasync def f(us, cs):\n    c = httpx.Client()\n    [c.get(u) for c in cs]\n",
    );
    assert_eq!(checked.findings_for(&["ASYNC212"]), []);
}
