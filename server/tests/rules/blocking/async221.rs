//! ASYNC221 run-process.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC221");
}

#[test]
fn the_suggestion_follows_the_library() {
    let message = |lib: &str| {
        python(&format!(
            "import subprocess\nimport {lib}\n\nasync def f(c):\n    subprocess.run(c)\n"
        ))
        .only("ASYNC221")
        .message
        .clone()
    };
    assert!(message("trio").contains("`await trio.run_process(...)`"));
    assert!(message("anyio").contains("`await anyio.run_process(...)`"));
    assert!(message("asyncio").contains("asyncio.create_subprocess_exec"));
}

#[test]
fn the_loop_mode_decides_in_a_notebook() {
    let checked = notebook(&[
        "%autoawait trio\nimport os",
        "async def f():\n    os.system('ls')",
    ]);
    assert!(checked
        .only("ASYNC221")
        .message
        .contains("trio.run_process"));
}
