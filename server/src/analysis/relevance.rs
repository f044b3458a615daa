//! Which files can have findings at all, decided from their bytes before any parsing.
//!
//! Most of a large project's files have no async code in them: no `async`/`await`, no
//! import of a loop library. No rule can report anything in such a file, except E999 (a
//! syntax error) and the two flake8-async rules about exception groups, which look at
//! synchronous code. `asyncell check` skips parsing those files, which is most of what a
//! cold run over a big tree costs (see docs/benchmarks.md). The language server does not
//! use this: a document being edited is parsed anyway, and its syntax errors are shown.
//!
//! The words are what every rule needs to see in the source to fire:
//! - `async` and `await`: async functions, loops, context managers and comprehensions,
//!   top-level await, and every import of `asyncio` and `asyncell`;
//! - `trio` and `anyio`: the libraries' own names, without which no name resolves to them
//!   (`trio_websocket` and `import trio as t` included);
//! - `ExceptionGroup` (ASYNC401, `BaseExceptionGroup` included) and `except*`
//!   (ASYNC400, with any spaces before the star);
//! - `get_cancelled_exc_class` (ASYNC118 matches it by name, as flake8-async does);
//! - `httpx` (ASYNC127 flags every import of it);
//! - in a `# %%` cell file, a line that may be an IPython magic or escape (LOOP102).
//!
//! `tests/relevance_soundness.rs` holds every rule to it: each top-level statement of
//! each rule fixture that has a finding on its own must pass this filter.

use std::sync::OnceLock;

use memchr::memmem::Finder;

use super::{magics, percent};

/// Whether a `.py` file with this text can have a finding other than E999. `false` is a
/// promise: checking the file would report nothing but possibly a syntax error.
pub fn may_have_findings(text: &str) -> bool {
    may_have_async_findings(text) || may_have_magic_findings(text)
}

/// LOOP102 needs no word, only a magic or escape line in a `# %%` cell (in a plain script
/// a magic is a syntax error, nothing more).
fn may_have_magic_findings(text: &str) -> bool {
    percent::has_markers(text) && magics::may_have_escape_line(text)
}

fn may_have_async_findings(text: &str) -> bool {
    static WORDS: OnceLock<Vec<Finder<'static>>> = OnceLock::new();
    let words = WORDS.get_or_init(|| {
        [
            "async",
            "await",
            "trio",
            "anyio",
            "ExceptionGroup",
            "get_cancelled_exc_class",
            "httpx",
        ]
        .into_iter()
        .map(Finder::new)
        .collect()
    });
    let bytes = text.as_bytes();
    words.iter().any(|word| word.find(bytes).is_some()) || has_except_star(bytes)
}

/// `except*`, `except *` or `except\t*` anywhere.
fn has_except_star(bytes: &[u8]) -> bool {
    static EXCEPT: OnceLock<Finder<'static>> = OnceLock::new();
    let except = EXCEPT.get_or_init(|| Finder::new("except"));
    except.find_iter(bytes).any(|at| {
        bytes[at + "except".len()..]
            .iter()
            .find(|&&b| b != b' ' && b != b'\t')
            == Some(&b'*')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn async_code_and_loop_libraries_are_relevant() {
        for text in [
            "async def f():\n    pass\n",
            "x = await y\n",
            "import asyncio\n",
            "import trio as t\nt.run(main)\n",
            "from anyio import run\n",
            "from asyncell import background\n",
            "try:\n    pass\nexcept* ValueError as eg:\n    eg.foo\n",
            "try:\n    pass\nexcept  *ValueError:\n    pass\n",
            "with pytest.raises(ExceptionGroup):\n    pass\n",
            "exc = get_cancelled_exc_class()\n",
            "import httpx\n",
            "# %%\n%load_ext autoreload\n",
            "# %%\n!!ls\n",
            "# %%\nx[0]?\n",
        ] {
            assert!(may_have_findings(text), "{text}");
        }
    }

    #[test]
    fn plain_synchronous_code_is_not() {
        for text in [
            "",
            "import time\ntime.sleep(1)\n",
            "try:\n    pass\nexcept ValueError:\n    pass\n",
            "x = 2 * 3  # except that\n",
            "def f(*args):\n    return args\n",
            "%load_ext autoreload\n",
            "# %%\nx = '%d' % 2\n",
        ] {
            assert!(!may_have_findings(text), "{text}");
        }
    }
}
