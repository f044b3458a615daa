"""A raising trio system task ends the session loudly, not as a mystery "Cancelled".

trio ends the whole run when a system task (``trio.lowlevel.spawn_system_task``) raises:
every task is cancelled and ``trio.run`` raises TrioInternalError.  Without help the
user saw the running cell fail with ``Cancelled`` and then "the host died (exit code 0)",
with the system task's traceback nowhere.  So the host wraps ``spawn_system_task``:

* the wrapper records the first exception a system task raises (``Crash``) and lets it
  propagate, so trio's semantics are unchanged;
* the running cell, cancelled by trio, reports ``SystemTaskFailed`` with that traceback
  instead of ``Cancelled`` (execution.py); with no cell running, the traceback goes to
  the cell that spawned the task, as stderr, like a failed background task's;
* ``host.main`` then says ``fatal`` (``reason: "system-task-failed"``), writes the
  traceback to the host's stderr (the server shows its last lines with HostDied) and
  exits with EXIT_LOOP_CRASHED instead of 0.
"""

from __future__ import annotations

import functools
from typing import Any, Optional

from .context import ORIGIN, Origin
from .tracebacks import format_lines


class Crash:
    """The first system task exception of the session."""

    def __init__(self, name: str, exc: BaseException, origin: Optional[Origin]):
        self.name = name
        self.exc = exc
        self.origin = origin
        self.traceback = "\n".join(format_lines(exc)) + "\n"
        summary = "%s: %s" % (type(exc).__name__, exc) if str(exc) else type(exc).__name__
        self.message = ("trio system task %r raised %s; trio ends the whole run when a "
                        "system task fails, so this host stops (its state is lost)"
                        % (name, summary))

    def error_output(self) -> dict:
        """The nbformat error of the cell that was running when the loop went down."""
        return {"output_type": "error", "ename": "SystemTaskFailed", "evalue": self.message,
                "traceback": format_lines(self.exc) + ["SystemTaskFailed: " + self.message]}


def install(trio: Any, session) -> None:
    """Wrap ``trio.lowlevel.spawn_system_task`` for this session (trio mode only)."""
    original = trio.lowlevel.spawn_system_task
    if getattr(original, "_asyncell_wrapped", False):
        return

    @functools.wraps(original)
    def spawn_system_task(async_fn, *args, name=None, **kwargs):
        origin = ORIGIN.get()
        label = name or getattr(async_fn, "__qualname__", None) or repr(async_fn)

        async def reporting(*call_args):
            try:
                return await async_fn(*call_args)
            except trio.Cancelled:
                raise
            except BaseException as exc:
                _failed(session, Crash(str(label), exc, origin))
                raise

        return original(reporting, *args, name=name or async_fn, **kwargs)

    spawn_system_task._asyncell_wrapped = True
    trio.lowlevel.spawn_system_task = spawn_system_task


def _failed(session, crash: Crash) -> None:
    loop = session.loop
    if loop.crash is not None:
        return  # the first one is the cause; the rest are fallout
    loop.crash = crash
    if session.scheduler.running_id() is None and crash.origin is not None:
        header = "System task %r failed:\n" % (crash.name,)
        session.sink.stream(crash.origin, "stderr", header + crash.traceback)
