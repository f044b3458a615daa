//! ASYNC220 create-subprocess.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC220");
}

#[test]
fn the_suggestion_follows_the_library() {
    let source = |lib: &str| {
        format!("import subprocess\nimport {lib}\n\nasync def f(c):\n    subprocess.Popen(c)\n")
    };
    let message = |lib: &str| python(&source(lib)).only("ASYNC220").message.clone();
    assert!(message("trio").contains("nursery.start(trio.run_process"));
    assert!(message("anyio").contains("anyio.open_process"));
    assert!(message("asyncio").contains("asyncio.create_subprocess_exec"));
}
