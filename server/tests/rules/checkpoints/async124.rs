//! ASYNC124 async-function-could-be-sync.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC124");
}

#[test]
fn on_by_default_as_in_flake8_async_with_a_message_naming_the_function() {
    let source = "async def total(prices):\n    return sum(prices)\n";
    assert!(python(source).only("ASYNC124").message.contains("`total`"));
    let stub = "async def total(prices):\n    ...\n";
    assert!(!python(stub).has("ASYNC124"));
}

#[test]
fn no_checkpoint_warning_decorators_exempt_it() {
    let mut settings = selecting(&["ASYNC124"]);
    settings.options.no_checkpoint_warning_decorators = vec!["app.route".to_string()];
    let checked = python_with(
        "import app\n\n@app.route('/')\nasync def index():\n    return 'hi'\n",
        &settings,
    );
    assert!(!checked.has("ASYNC124"));
}

#[test]
fn notebook_cells_are_checked() {
    let checked = notebook_with(
        &["import trio", "async def f():\n    return 1"],
        &selecting(&["ASYNC124"]),
    );
    assert_eq!(checked.cell_findings(), [("ASYNC124", 2, 1)]);
}
