//! Helpers the cancellation and checkpoints families share: how decorators are named.
//! (The library a document is written for is `index::Library`, read through
//! `Checker::library`.)

use ruff_python_ast::{self as ast, Expr};

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
