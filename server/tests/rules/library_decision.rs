//! Which library a document is written for (`index::Library`, read by every rule through
//! `Checker::library`): module-level imports, then the loop setting, then asyncio in a
//! document with cells; undecided otherwise, which every suggestion reads as trio.

use asyncell::analysis::index::Library;
use asyncell::analysis::LoopMode;

use crate::common::*;

/// A blocking sleep (ASYNC251) and a function that never checkpoints (ASYNC910), so the
/// two suggestions can be compared.
const SLEEPER: &str = r#"
import time

async def tick(x):
    if x:
        return
    time.sleep(1)
    await x
"#;

/// The library ASYNC251's and ASYNC910's messages name, which must agree.
fn suggested(checked: &Checked) -> &'static str {
    let sleep = &checked.only("ASYNC251").message;
    let checkpoint = &checked.first("ASYNC910").message;
    let library = ["trio", "anyio", "asyncio"]
        .into_iter()
        .find(|lib| sleep.contains(&format!("await {lib}.sleep(...)")))
        .unwrap_or_else(|| panic!("ASYNC251 names no library: {sleep}"));
    let call = Library::checkpoint_call(match library {
        "trio" => Library::Trio,
        "anyio" => Library::Anyio,
        _ => Library::Asyncio,
    });
    assert!(
        checkpoint.contains(&format!("await {call}")),
        "ASYNC251 says {library}, ASYNC910 says: {checkpoint}"
    );
    library
}

fn selected() -> asyncell::analysis::Settings {
    selecting(&["ASYNC251", "ASYNC910"])
}

#[test]
fn a_script_that_imports_no_loop_library_is_undecided_and_reads_as_trio() {
    let checked = python_with(SLEEPER, &selected());
    assert_eq!(checked.document.index().library, Library::Undecided);
    assert_eq!(suggested(&checked), "trio");
}

#[test]
fn a_script_importing_both_trio_and_asyncio_is_undecided_too() {
    let source = format!("import trio\nimport asyncio\n{SLEEPER}");
    let checked = python_with(&source, &selected());
    assert_eq!(checked.document.index().library, Library::Undecided);
    assert_eq!(suggested(&checked), "trio");
}

#[test]
fn module_level_imports_decide_first() {
    for (import, library, name) in [
        ("import trio", Library::Trio, "trio"),
        ("import asyncio", Library::Asyncio, "asyncio"),
        ("from anyio import sleep", Library::Anyio, "anyio"),
        ("import anyio\nimport trio", Library::Anyio, "anyio"),
    ] {
        let mut settings = selected();
        // Imports outrank the loop setting.
        settings.loop_mode = LoopMode::Trio;
        let checked = python_with(&format!("{import}\n{SLEEPER}"), &settings);
        assert_eq!(checked.document.index().library, library, "{import}");
        assert_eq!(suggested(&checked), name, "{import}");
    }
}

#[test]
fn then_the_loop_setting() {
    let mut settings = selected();
    settings.loop_mode = LoopMode::Asyncio;
    let checked = python_with(SLEEPER, &settings);
    assert_eq!(checked.document.index().library, Library::Asyncio);
    assert_eq!(suggested(&checked), "asyncio");
}

#[test]
fn a_notebook_deciding_nothing_runs_on_asyncio() {
    let checked = notebook_with(
        &["import time", &SLEEPER.replace("import time", "")],
        &selected(),
    );
    assert_eq!(checked.document.index().library, Library::Asyncio);
    assert_eq!(suggested(&checked), "asyncio");
    let autoawait = notebook_with(&["%autoawait trio", SLEEPER], &selected());
    assert_eq!(autoawait.document.index().library, Library::Trio);
    assert_eq!(suggested(&autoawait), "trio");
}

#[test]
fn in_a_notebook_every_cells_top_level_imports_count() {
    let checked = notebook_with(&["import anyio", SLEEPER], &selected());
    assert_eq!(checked.document.index().library, Library::Anyio);
    assert_eq!(suggested(&checked), "anyio");
}

#[test]
fn a_function_local_import_decides_inside_that_function_only() {
    let source = r#"
        import asyncio
        import time

        async def uses_anyio():
            from anyio import to_thread
            time.sleep(1)

            async def nested():
                time.sleep(1)

            await to_thread.run_sync(print)
            return nested

        async def sibling():
            time.sleep(1)
        "#;
    let checked = python_with(source, &selecting(&["ASYNC251"]));
    assert_eq!(checked.document.index().library, Library::Asyncio);
    let messages: Vec<(u32, bool)> = checked
        .diagnostics("ASYNC251")
        .iter()
        .zip(checked.lines_of("ASYNC251"))
        .map(|(d, line)| (line, d.message.contains("anyio.sleep")))
        .collect();
    assert_eq!(messages, [(6, true), (9, true), (15, false)]);
    assert!(checked.diagnostics("ASYNC251")[2]
        .message
        .contains("await asyncio.sleep(...)"));
}
