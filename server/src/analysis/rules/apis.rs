//! Facts about library APIs that several rules share. Lists were read off trio 0.35,
//! anyio 4 and CPython 3.11 by introspection (`inspect.iscoroutinefunction`).

/// trio's coroutine functions: calling one without `await` does nothing.
pub const TRIO_ASYNC_FUNCTIONS: &[&str] = &[
    "trio.aclose_forcefully",
    "trio.open_file",
    "trio.open_ssl_over_tcp_listeners",
    "trio.open_ssl_over_tcp_stream",
    "trio.open_tcp_listeners",
    "trio.open_tcp_stream",
    "trio.open_unix_socket",
    "trio.run_process",
    "trio.serve_listeners",
    "trio.serve_ssl_over_tcp",
    "trio.serve_tcp",
    "trio.sleep",
    "trio.sleep_forever",
    "trio.sleep_until",
    "trio.lowlevel.cancel_shielded_checkpoint",
    "trio.lowlevel.checkpoint",
    "trio.lowlevel.checkpoint_if_cancelled",
    "trio.lowlevel.open_process",
    "trio.lowlevel.permanently_detach_coroutine_object",
    "trio.lowlevel.reattach_detached_coroutine_object",
    "trio.lowlevel.temporarily_detach_coroutine_object",
    "trio.lowlevel.wait_readable",
    "trio.lowlevel.wait_task_rescheduled",
    "trio.lowlevel.wait_writable",
    "trio.to_thread.run_sync",
    "trio.socket.getaddrinfo",
    "trio.socket.getnameinfo",
    "trio.socket.getprotobyname",
    "trio.testing.wait_all_tasks_blocked",
    "trio.testing.wait_all_threads_completed",
    "trio.testing.open_stream_to_socket_listener",
];

/// asyncio and anyio coroutine functions.
pub const OTHER_ASYNC_FUNCTIONS: &[&str] = &[
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.sleep",
    "asyncio.start_server",
    "asyncio.start_unix_server",
    "asyncio.to_thread",
    "asyncio.wait",
    "asyncio.wait_for",
    "anyio.aclose_forcefully",
    "anyio.connect_tcp",
    "anyio.connect_unix",
    "anyio.create_connected_udp_socket",
    "anyio.create_tcp_listener",
    "anyio.create_udp_socket",
    "anyio.create_unix_listener",
    "anyio.getaddrinfo",
    "anyio.open_file",
    "anyio.open_process",
    "anyio.run_process",
    "anyio.sleep",
    "anyio.sleep_forever",
    "anyio.sleep_until",
    "anyio.wait_all_tasks_blocked",
    "anyio.to_thread.run_sync",
    "anyio.lowlevel.cancel_shielded_checkpoint",
    "anyio.lowlevel.checkpoint",
    "anyio.lowlevel.checkpoint_if_cancelled",
];

pub fn is_trio_async_function(qualified: &str) -> bool {
    TRIO_ASYNC_FUNCTIONS.contains(&qualified)
}

/// Whether a callee is known to be a coroutine function: a library API, or an
/// `async def` of this document called by its bare name where no parameter or local
/// variable of the same name shadows it.
pub fn is_known_async_callee(
    checker: &crate::analysis::checker::Checker,
    func: &ruff_python_ast::Expr,
    qualified: Option<&str>,
) -> bool {
    if let Some(qualified) = qualified {
        if is_trio_async_function(qualified) || OTHER_ASYNC_FUNCTIONS.contains(&qualified) {
            return true;
        }
    }
    let module_level = matches!(func, ruff_python_ast::Expr::Name(name)
        if checker.index.is_async_function(name.id.as_str())
            && !checker.is_bound_locally(name.id.as_str()));
    module_level || checker.is_local_async_def(func)
}
