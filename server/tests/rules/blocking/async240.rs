//! ASYNC240 blocking-path-call.

use crate::common::*;

#[test]
fn fixture() {
    assert_fixture("ASYNC240");
}

#[test]
fn the_suggestion_follows_the_library() {
    let message = |lib: &str| {
        python(&format!(
            "import os\nimport {lib}\n\nasync def f(p):\n    os.path.exists(p)\n"
        ))
        .only("ASYNC240")
        .message
        .clone()
    };
    assert!(message("trio").contains("`trio.Path`"));
    assert!(message("anyio").contains("`anyio.Path`"));
    assert!(message("asyncio").contains("asyncio.to_thread(os.path.exists"));
}
