//! ASYNC100: a cancel scope or timeout whose body never checkpoints.

use ruff_text_size::TextRange;

use crate::analysis::checker::Checker;
use crate::analysis::diagnostic::Fix;

rule! {
    /// ## What it does
    /// Flags a cancel scope or timeout context (`trio.move_on_after`, `trio.fail_after`,
    /// `trio.move_on_at`, `trio.fail_at`, `trio.CancelScope`, their anyio namesakes, and
    /// `asyncio.timeout` / `asyncio.timeout_at`) whose body contains no checkpoint: no
    /// `await`, `async for`, `async with`, `yield` or `raise`.
    ///
    /// ## Why is this bad?
    /// A deadline or a cancellation only takes effect at a checkpoint. Without one in
    /// the body, the timeout can never interrupt anything: the context does nothing but
    /// suggest a protection that is not there, typically because the `await` that was
    /// meant to be inside it ended up after it.
    ///
    /// ## Example
    /// ```python
    /// import trio
    ///
    /// async def fetch(url):
    ///     with trio.move_on_after(5):
    ///         request = build_request(url)
    ///     return await send(request)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import trio
    ///
    /// async def fetch(url):
    ///     with trio.move_on_after(5):
    ///         request = build_request(url)
    ///         return await send(request)
    /// ```
    ///
    /// ## Fix safety
    /// The fix removes the `with` line and moves its body out one level. It is offered
    /// when the cancel scope is the statement's only context manager and is not bound
    /// with `as` (the name may be used later), and not when the body holds a
    /// multi-line string or the header a comment, which moving would change or lose.
    /// Without a checkpoint the scope cannot cancel anything, so removing it keeps the
    /// behaviour: the fix is safe. It may still be that a checkpoint belongs inside
    /// instead.
    "ASYNC100" "cancel-scope-no-checkpoint" {
        library: "trio, anyio, asyncio",
        default: true,
        severity: Warning,
        fix: Sometimes(Safe),
    }
}

pub(crate) fn report(checker: &mut Checker, call: TextRange, name: &str, fix: Option<Fix>) {
    let checkpoint = match name.split('.').next() {
        Some("anyio") => "anyio.lowlevel.checkpoint()",
        Some("asyncio") => "asyncio.sleep(0)",
        _ => "trio.lowlevel.checkpoint()",
    };
    checker.report(
        RULE,
        call,
        format!(
            "`{name}` context contains no checkpoint, so its deadline can never interrupt \
             anything: move the `await` that should be limited into it, or remove the \
             context (add `await {checkpoint}` if it must stay)"
        ),
        fix,
    );
}
