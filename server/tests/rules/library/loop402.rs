//! LOOP402 private-trio-internals.

use asyncell::analysis::Settings;

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("LOOP402");
}

#[test]
fn patching_a_nursery_mentions_the_trio_0_35_breakage_and_the_public_api() {
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
    assert!(message.contains("nursery.start_soon"), "{message}");
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

#[test]
fn trio_itself_is_not_flagged() {
    assert_named_fixture("LOOP402", "LOOP402_trio_package");
}

#[test]
fn a_subpackage_named_trio_of_another_library_is_flagged() {
    let settings = Settings {
        package: Some("websockets".to_string()),
        ..selecting(&["LOOP402"])
    };
    let checked = python_with("import trio\nx = trio._util.final\n", &settings);
    assert_eq!(checked.lines_of("LOOP402"), [2]);
}

#[test]
fn advice_in_a_module_is_trio_public_api_and_in_cells_background() {
    let module = python("import trio\nimport trio._core\n");
    let message = &module.only("LOOP402").message;
    assert!(message.contains("trio.lowlevel"), "{message}");
    assert!(!message.contains("asyncell"), "{message}");
    let cells = notebook(&["import trio", "import trio._core"]);
    let message = &cells.only("LOOP402").message;
    assert!(
        message.contains("from asyncell import background"),
        "{message}"
    );
}

#[test]
fn the_package_is_the_outermost_directory_with_an_init() {
    use asyncell::analysis::settings::package_of;
    let root = std::env::temp_dir().join(format!("asyncell-package-{}", std::process::id()));
    let core = root.join("src/trio/_core");
    let type_tests = root.join("src/trio/_tests/type_tests");
    std::fs::create_dir_all(&core).unwrap();
    std::fs::create_dir_all(&type_tests).unwrap();
    for init in ["src/trio", "src/trio/_core", "src/trio/_tests"] {
        std::fs::write(root.join(init).join("__init__.py"), "").unwrap();
    }
    assert_eq!(package_of(&core.join("_run.py")).as_deref(), Some("trio"));
    assert_eq!(
        package_of(&type_tests.join("path.py")).as_deref(),
        Some("trio")
    );
    assert_eq!(package_of(&root.join("script.py")), None);
    std::fs::remove_dir_all(&root).unwrap();
}
