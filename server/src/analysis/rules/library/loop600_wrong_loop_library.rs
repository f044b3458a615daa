//! Awaiting asyncio APIs on trio, or trio APIs on asyncio.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::analysis::checker::Checker;
use crate::analysis::diagnostic::{Edit, Fix};
use crate::analysis::index::Loop;
use crate::analysis::rules::apis::TRIO_ASYNC_FUNCTIONS;

rule! {
    /// ## What it does
    /// Flags awaiting an API of the other loop library:
    ///
    /// - in a trio document (`%autoawait trio`, `loop = "trio"`, or trio imported):
    ///   asyncio's coroutines and awaitables (`asyncio.sleep`, `wait_for`, `wait`,
    ///   `gather`, `shield`, `open_connection`, `start_server`, `to_thread`,
    ///   `create_subprocess_exec` ...), `async with asyncio.timeout(...)` /
    ///   `asyncio.TaskGroup()`, `async for ... in asyncio.as_completed(...)`, and, on an
    ///   `asyncio.Queue` (or `Event`, `Lock`, `Semaphore`, `Condition`, `Barrier` ...),
    ///   `await q.get()` (`put`, `join`, `wait`, `acquire`) and `async with lock:`, unless
    ///   wrapped in `trio_asyncio.aio_as_trio(...)`. The object is followed from where
    ///   the code finds it: an assignment in the same function, at the top level of the
    ///   same cell, or in an earlier cell (as the last cell to bind the name left it);
    /// - in an asyncio document: trio's coroutines (`trio.sleep`,
    ///   `trio.open_tcp_stream` ...) and `async with trio.open_nursery()`.
    ///
    /// anyio APIs work on both loops and are never flagged.
    ///
    /// ## Why is this bad?
    /// Each library's awaitables talk to their own scheduler. On trio an asyncio future
    /// fails with `RuntimeError: trio.run received unrecognized yield message`; on
    /// asyncio a trio trap fails with `RuntimeError: Task got bad yield`. Having the
    /// trio-asyncio bridge loop open is not enough: each asyncio call must cross it
    /// through `trio_asyncio.aio_as_trio`.
    ///
    /// ## Example
    /// ```python
    /// # %autoawait trio
    /// import asyncio
    ///
    /// await asyncio.sleep(1)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// # %autoawait trio
    /// import trio
    ///
    /// await trio.sleep(1)
    /// ```
    ///
    /// ## Fix safety
    /// When the document imports `trio_asyncio`, the fix wraps the asyncio function:
    /// `await trio_asyncio.aio_as_trio(asyncio.sleep)(1)`. It needs a trio-asyncio loop
    /// open around the call (`async with trio_asyncio.open_loop()`, or asyncell's bridge
    /// in cells), so it is marked unsafe. Otherwise use the other library's API, or
    /// switch the loop (`%autoawait asyncio`).
    "LOOP600" "wrong-loop-library" {
        library: "asyncio/trio",
        default: true,
        severity: Error,
        fix: Sometimes(Unsafe),
    }
}

/// asyncio callables whose results are asyncio awaitables, with the trio way to do the
/// same where there is one.
const ASYNCIO_AWAITABLES: &[(&str, &str)] = &[
    ("asyncio.sleep", "trio.sleep"),
    ("asyncio.wait_for", "`with trio.fail_after(...)`"),
    ("asyncio.wait", "a nursery"),
    ("asyncio.gather", "a nursery"),
    ("asyncio.shield", "`trio.CancelScope(shield=True)`"),
    ("asyncio.open_connection", "trio.open_tcp_stream"),
    ("asyncio.open_unix_connection", "trio.open_unix_socket"),
    ("asyncio.start_server", "trio.serve_tcp"),
    ("asyncio.start_unix_server", ""),
    ("asyncio.create_subprocess_exec", "trio.run_process"),
    ("asyncio.create_subprocess_shell", "trio.run_process"),
    ("asyncio.to_thread", "trio.to_thread.run_sync"),
    ("asyncio.create_task", "a nursery"),
    ("asyncio.ensure_future", "a nursery"),
    ("asyncio.staggered.staggered_race", ""),
];

/// asyncio async context managers.
const ASYNCIO_CONTEXTS: &[(&str, &str)] = &[
    (
        "asyncio.timeout",
        "`with trio.move_on_after(...)`/`trio.fail_after(...)`",
    ),
    (
        "asyncio.timeout_at",
        "`with trio.move_on_at(...)`/`trio.fail_at(...)`",
    ),
    ("asyncio.TaskGroup", "`trio.open_nursery()`"),
];

/// asyncio synchronization objects whose methods return asyncio awaitables.
const ASYNCIO_OBJECTS: &[&str] = &[
    "asyncio.Queue",
    "asyncio.PriorityQueue",
    "asyncio.LifoQueue",
    "asyncio.Event",
    "asyncio.Lock",
    "asyncio.Semaphore",
    "asyncio.BoundedSemaphore",
    "asyncio.Condition",
    "asyncio.Barrier",
];

/// The asyncio objects `async with` acquires.
const ASYNCIO_CONTEXT_OBJECTS: &[&str] = &[
    "asyncio.Lock",
    "asyncio.Semaphore",
    "asyncio.BoundedSemaphore",
    "asyncio.Condition",
    "asyncio.Barrier",
];

/// asyncio calls whose result is iterated with `async for`.
const ASYNCIO_ITERABLES: &[(&str, &str)] =
    &[("asyncio.as_completed", "a nursery with a memory channel")];

const OBJECT_METHODS: &[&str] = &["get", "put", "join", "wait", "acquire", "wait_for"];

/// `await <call>`.
pub(crate) fn check_await(checker: &mut Checker, await_: &ast::ExprAwait) {
    if !checker.enabled(RULE) {
        return;
    }
    let Expr::Call(call) = await_.value.as_ref() else {
        return;
    };
    match checker.loop_() {
        Loop::Trio => check_asyncio_on_trio(checker, call),
        Loop::Asyncio => {
            let qualified = checker.qualified_name(&call.func);
            if let Some(name) = qualified.filter(|q| TRIO_ASYNC_FUNCTIONS.contains(&q.as_str())) {
                report_trio_on_asyncio(checker, call.range(), &name);
            }
        }
        Loop::Unknown => {}
    }
}

/// `async with asyncio.timeout(...)` on trio, `async with trio.open_nursery()` on
/// asyncio.
pub(crate) fn check_async_with(checker: &mut Checker, with: &ast::StmtWith) {
    if !checker.enabled(RULE) || !with.is_async {
        return;
    }
    let loop_ = checker.loop_();
    for item in &with.items {
        if let (Loop::Trio, Expr::Name(held)) = (loop_, &item.context_expr) {
            check_held_asyncio_object(checker, held);
            continue;
        }
        let Expr::Call(call) = &item.context_expr else {
            continue;
        };
        let Some(qualified) = checker.qualified_name(&call.func) else {
            continue;
        };
        match loop_ {
            Loop::Trio => {
                if let Some((name, instead)) =
                    ASYNCIO_CONTEXTS.iter().find(|(name, _)| *name == qualified)
                {
                    report_asyncio_on_trio(checker, call, name, instead, false);
                }
            }
            Loop::Asyncio if qualified == "trio.open_nursery" => {
                report_trio_on_asyncio(checker, call.range(), &qualified);
            }
            _ => {}
        }
    }
}

/// `async with lock:` on an asyncio lock, semaphore, condition or barrier: entering it
/// awaits its `acquire()` (or `wait()`).
fn check_held_asyncio_object(checker: &mut Checker, held: &ast::ExprName) {
    let name = held.id.as_str();
    let Some(class) = asyncio_object_class(checker, name) else {
        return;
    };
    if !ASYNCIO_CONTEXT_OBJECTS.contains(&class.as_str()) {
        return;
    }
    checker.report(
        RULE,
        held.range(),
        format!(
            "`async with {name}` enters an `{class}`, whose acquire is an asyncio awaitable: on \
             trio it fails with RuntimeError as soon as it has to wait; use the trio \
             counterpart (`trio.Lock`, `trio.Semaphore`, `trio.Condition`) or \
             `trio_asyncio.aio_as_trio`"
        ),
        None,
    );
}

/// `async for x in asyncio.as_completed(...)` on trio: each step awaits an asyncio
/// future.
pub(crate) fn check_async_for(checker: &mut Checker, for_: &ast::StmtFor) {
    if !for_.is_async || !checker.enabled(RULE) || checker.loop_() != Loop::Trio {
        return;
    }
    let Expr::Call(call) = for_.iter.as_ref() else {
        return;
    };
    let Some(qualified) = checker.qualified_name(&call.func) else {
        return;
    };
    if let Some((name, instead)) = ASYNCIO_ITERABLES.iter().find(|(n, _)| *n == qualified) {
        report_asyncio_on_trio(checker, call, name, instead, false);
    }
}

fn check_asyncio_on_trio(checker: &mut Checker, call: &ast::ExprCall) {
    let qualified = checker.qualified_name(&call.func);
    if let Some(qualified) = qualified.as_deref() {
        if let Some((name, instead)) = ASYNCIO_AWAITABLES.iter().find(|(n, _)| *n == qualified) {
            report_asyncio_on_trio(checker, call, name, instead, true);
            return;
        }
    }
    // `await queue.get()` on an `asyncio.Queue()` made in this cell or function.
    let Expr::Attribute(method) = call.func.as_ref() else {
        return;
    };
    let Expr::Name(receiver) = method.value.as_ref() else {
        return;
    };
    if !OBJECT_METHODS.contains(&method.attr.id.as_str()) {
        return;
    }
    let Some(class) = asyncio_object_class(checker, receiver.id.as_str()) else {
        return;
    };
    let name = format!("{}.{}", receiver.id, method.attr.id);
    checker.report(
        RULE,
        call.range(),
        format!(
            "`{name}()` of an `{class}` is an asyncio awaitable: awaiting it on trio fails with \
             RuntimeError: trio.run received unrecognized yield message; use the trio \
             counterpart (`trio.open_memory_channel`, `trio.Event`, `trio.Lock`) or \
             `trio_asyncio.aio_as_trio`"
        ),
        None,
    );
}

/// The asyncio class `name` was created from: by an assignment in the enclosing
/// function's body; for a name the function does not bind, at the top level of this
/// unit; and for a name this unit does not bind at top level, by the cells above (as the
/// last of them to bind it left it).
fn asyncio_object_class(checker: &Checker, name: &str) -> Option<String> {
    let module = &checker.unit.parsed.syntax().body;
    let in_function = checker.enclosing_function();
    if let Some(def) = in_function {
        if let Some(class) = assigned_class(checker, &def.body, name) {
            return Some(class);
        }
        if checker.is_bound_locally(name) {
            return None;
        }
    }
    if let Some(class) = assigned_class(checker, module, name) {
        return Some(class);
    }
    if checker.unit.facts.binds(name) {
        return None;
    }
    let object = checker.index.object_before(name, checker.position)?;
    ASYNCIO_OBJECTS
        .contains(&object.qualified.as_str())
        .then(|| object.qualified.clone())
}

/// The asyncio class of a `name = asyncio.X()` statement directly in `body`.
fn assigned_class(checker: &Checker, body: &[Stmt], name: &str) -> Option<String> {
    body.iter().find_map(|stmt| {
        let Stmt::Assign(assign) = stmt else {
            return None;
        };
        let [Expr::Name(target)] = &assign.targets[..] else {
            return None;
        };
        let Expr::Call(call) = assign.value.as_ref() else {
            return None;
        };
        if target.id.as_str() != name {
            return None;
        }
        let class = checker.qualified_name(&call.func)?;
        ASYNCIO_OBJECTS.contains(&class.as_str()).then_some(class)
    })
}

fn report_asyncio_on_trio(
    checker: &mut Checker,
    call: &ast::ExprCall,
    name: &str,
    instead: &str,
    awaited: bool,
) {
    let counterpart = if instead.is_empty() {
        String::new()
    } else if instead.starts_with('`') || instead.starts_with('a') {
        format!("use {instead}, ")
    } else {
        format!("use `{instead}`, ")
    };
    let fix = if awaited {
        aio_as_trio(checker).map(|wrapper| {
            let function = checker.source(call.func.range());
            Fix::new(
                format!("Wrap in `{wrapper}({function})`"),
                vec![
                    Edit::insert(call.func.start(), format!("{wrapper}(")),
                    Edit::insert(call.func.end(), ")"),
                ],
            )
        })
    } else {
        None
    };
    // trio-asyncio wraps a function to call (`aio_as_trio(f)(...)`), but a context
    // manager or async iterator as the object (`aio_as_trio(cm(...))`): its `__aenter__`
    // and `__aiter__` refuse the function form.
    let wrapped = if awaited {
        format!("`trio_asyncio.aio_as_trio({name})(...)`")
    } else {
        format!("`trio_asyncio.aio_as_trio({name}(...))`")
    };
    checker.report(
        RULE,
        call.range(),
        format!(
            "`{name}()` is asyncio-only and this document runs on trio: it fails with \
             RuntimeError: trio.run received unrecognized yield message; {counterpart}wrap \
             it as {wrapped}, or switch the loop with `%autoawait asyncio`"
        ),
        fix,
    );
}

fn report_trio_on_asyncio(checker: &mut Checker, range: ruff_text_size::TextRange, name: &str) {
    checker.report(
        RULE,
        range,
        format!(
            "`{name}()` is trio-only and this document runs on asyncio: it fails with \
             RuntimeError: Task got bad yield; use the asyncio or anyio counterpart, or switch \
             the loop with `%autoawait trio`"
        ),
        None,
    );
}

/// How this document spells `trio_asyncio.aio_as_trio`, when it imports trio_asyncio.
fn aio_as_trio(checker: &Checker) -> Option<&'static str> {
    if !checker.imports_module("trio_asyncio") {
        return None;
    }
    let bare = ast::ExprName {
        node_index: ast::AtomicNodeIndex::default(),
        range: ruff_text_size::TextRange::default(),
        id: ast::name::Name::new("aio_as_trio"),
        ctx: ast::ExprContext::Load,
    };
    if checker.qualified_name(&Expr::Name(bare)).as_deref() == Some("trio_asyncio.aio_as_trio") {
        return Some("aio_as_trio");
    }
    let module = ast::ExprName {
        node_index: ast::AtomicNodeIndex::default(),
        range: ruff_text_size::TextRange::default(),
        id: ast::name::Name::new("trio_asyncio"),
        ctx: ast::ExprContext::Load,
    };
    (checker.qualified_name(&Expr::Name(module)).as_deref() == Some("trio_asyncio"))
        .then_some("trio_asyncio.aio_as_trio")
}
