//! Helpers the cancellation and checkpoints families share: which async library a
//! document is written for, and how decorators are named.

use ruff_python_ast::{self as ast, Expr};

use crate::analysis::checker::Checker;
use crate::analysis::index::Loop;

/// The async library whose names the messages and fixes use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Library {
    Trio,
    Anyio,
    Asyncio,
}

impl Library {
    /// anyio when it is imported (it runs on either loop), otherwise the document's loop;
    /// trio when nothing decides, as flake8-async assumes.
    pub(crate) fn of(checker: &Checker) -> Library {
        if checker.index.imports_module("anyio") {
            return Library::Anyio;
        }
        match checker.loop_() {
            Loop::Asyncio => Library::Asyncio,
            Loop::Trio | Loop::Unknown => Library::Trio,
        }
    }

    /// The library's module name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Library::Trio => "trio",
            Library::Anyio => "anyio",
            Library::Asyncio => "asyncio",
        }
    }

    /// The expression that names the library's cancellation exception.
    pub(crate) fn cancelled(self) -> &'static str {
        match self {
            Library::Trio => "trio.Cancelled",
            Library::Anyio => "anyio.get_cancelled_exc_class()",
            Library::Asyncio => "asyncio.CancelledError",
        }
    }

    /// The cheapest call that checkpoints.
    pub(crate) fn checkpoint_call(self) -> &'static str {
        match self {
            Library::Trio => "trio.lowlevel.checkpoint()",
            Library::Anyio => "anyio.lowlevel.checkpoint()",
            Library::Asyncio => "asyncio.sleep(0)",
        }
    }
}

/// The last component of a decorator's name, with or without a call:
/// `@name`, `@mod.name`, `@pytest.fixture(scope=...)` → `fixture`.
pub(crate) fn decorator_name(decorator: &ast::Decorator) -> Option<&str> {
    let expr = match &decorator.expression {
        Expr::Call(call) => call.func.as_ref(),
        other => other,
    };
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
        _ => None,
    }
}
