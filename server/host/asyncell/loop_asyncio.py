"""asyncio mode: one long-lived event loop on the main thread.

Each cell is its own task (so ``task.cancel()`` interrupts exactly that cell, and a cell
that cancels ``asyncio.current_task()`` ends only itself), created on the same loop that cells see through ``asyncio.get_running_loop()``; tasks a cell
creates keep running across cells.  A task factory tags every task with the execution
that created it, so the loop's exception handler can attribute "Task exception was never
retrieved" to the right cell — reported like a failed background task.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from typing import Any, Callable

from .background import AsyncioBackground
from .context import ORIGIN
from .execution import Outcome, run_execution
from .tracebacks import format_lines


class Task(asyncio.Task):
    """asyncio.Task that remembers which execution/task created it (same name, so
    messages like "Task exception was never retrieved" read as usual)."""

    _asyncell_origin = None
    _asyncell_created = 0.0
    _asyncell_id = None


class AsyncioLoop:
    name = "asyncio"
    interrupt_exceptions = (asyncio.CancelledError, KeyboardInterrupt)

    def __init__(self, session):
        self.session = session
        self.loop = asyncio.new_event_loop()
        self.bridge = False
        self.shutting_down = False
        self._wake = None
        self._thread = threading.get_ident()
        self._watching = False  # reading commands on the loop thread (while idle)
        self._main_task = None
        self._plain_ids = itertools.count(1)
        self.background = AsyncioBackground(session)

    # -- thread-safe entry points ------------------------------------------------------
    def call_soon_threadsafe(self, fn: Callable, *args: Any) -> None:
        try:
            self.loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # loop closed
            pass

    def wake(self) -> None:
        if threading.get_ident() == self._thread:
            self._do_wake()  # the loop thread read the command itself (see _on_commands)
        else:
            self.call_soon_threadsafe(self._do_wake)

    def request_shutdown(self) -> None:
        self.call_soon_threadsafe(self._do_shutdown)

    # -- loop thread -------------------------------------------------------------------
    def _do_wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _do_shutdown(self) -> None:
        self.shutting_down = True
        if self._main_task is not None:
            self._main_task.cancel()

    def cancellable(self, execution) -> bool:
        """The cell's task exists and has not finished (``_guard`` only notices that a
        loop iteration later)."""
        task = execution.handle
        return task is not None and not task.done()

    def cancel_execution(self, execution) -> None:
        execution.handle.cancel()

    def interrupt_exception(self, execution):
        """What to raise into the code running right now to interrupt ``execution``.

        The cell's own task gets KeyboardInterrupt (its wrapper catches it).  A task the
        cell created (e.g. under ``gather``) gets CancelledError instead: a
        KeyboardInterrupt escaping an asyncio task would propagate out of the event loop
        itself, while CancelledError just cancels that task and reaches the cell through
        whatever awaits it.  Anything else (callbacks, background tasks, tasks of older
        cells) is never interrupted.
        """
        try:
            task = asyncio.current_task(self.loop)
        except RuntimeError:
            return None
        if task is None:
            return None
        if task is execution.handle:
            return KeyboardInterrupt
        if getattr(task, "_asyncell_origin", None) == (execution.id, None):
            return asyncio.CancelledError
        return None

    def ki_protected(self) -> bool:
        return False

    def _task_factory(self, loop, coro, **kwargs):
        task = Task(coro, loop=loop, **kwargs)
        task._asyncell_origin = ORIGIN.get()
        task._asyncell_created = time.time()
        return task

    def _exception_handler(self, loop, context: dict) -> None:
        exc = context.get("exception")
        future = context.get("future") or context.get("task")
        origin = getattr(future, "_asyncell_origin", None) or ORIGIN.get()
        message = context.get("message") or "Unhandled exception in event loop"
        if exc is not None:
            text = message + "\n" + "\n".join(format_lines(exc)) + "\n"
        else:
            text = message + "\n"
        self.session.sink.stream(origin, "stderr", text)
        if isinstance(future, asyncio.Task) and exc is not None:
            started_by = origin[0] if origin else self.session.scheduler.last_id
            task = {
                "id": "a%d" % next(self._plain_ids),
                "name": future.get_name(),
                "state": "failed",
                "startedBy": started_by,
                "startedAt": getattr(future, "_asyncell_created", 0.0) or time.time(),
            }
            self.session.sink.flush()
            self.session.channel.send({
                "ev": "task", "kind": "failed", "task": task, "traceback": text,
                "message": "%s: %s" % (type(exc).__name__, exc),
            })

    def run(self) -> None:
        loop = self.loop
        asyncio.set_event_loop(loop)
        loop.set_task_factory(self._task_factory)
        loop.set_exception_handler(self._exception_handler)
        self._main_task = loop.create_task(self._main())
        while not self._main_task.done():
            try:
                loop.run_until_complete(self._main_task)
            except asyncio.CancelledError:
                break
            except KeyboardInterrupt:  # defensive: must not happen, but never die of it
                self.session.log("KeyboardInterrupt escaped into the asyncio loop; resuming")
            except RuntimeError as exc:  # a cell called loop.stop(): keep serving
                if self._main_task.done() or loop.is_closed():
                    break
                self.session.log("event loop stopped (%s); resuming" % (exc,))
        self.background.cancel_all()
        try:
            loop.run_until_complete(asyncio.sleep(0))
        except BaseException:
            pass

    async def _main(self) -> None:
        self._wake = asyncio.Event()
        self.session.loop_ready()
        scheduler = self.session.scheduler
        while True:
            execution = scheduler.pop_next()
            if execution is None:
                self._wake.clear()
                execution = scheduler.pop_next()
                if execution is None:
                    self._watch_commands(True)
                    try:
                        await self._wake.wait()
                    except BaseException:
                        self._watch_commands(False)
                        raise
                    continue
            # While a cell runs only the reader thread reads (an interrupt of a busy cell).
            self._watch_commands(False)
            try:
                await run_execution(self.session, execution, self._guard)
            except asyncio.CancelledError:
                raise
            except BaseException as exc:
                self.session.log("host error while running %s: %r" % (execution.id, exc))
            if scheduler.has_queued():
                # Let what the cell scheduled run before the next cell starts (with
                # nothing queued, waiting for the next command yields to it anyway).
                await asyncio.sleep(0)

    # -- commands, while idle ----------------------------------------------------------
    def _watch_commands(self, on: bool) -> None:
        """While the runner is idle, read commands on the loop thread as soon as they
        arrive: an ``execute`` then starts without waiting for the reader thread to
        wake the loop.  While a cell runs, only the reader thread reads."""
        if on == self._watching or self.session.channel.eof or not self.session.loop_may_read:
            return
        fd = self.session.channel.in_fd
        try:
            if on:
                self.loop.add_reader(fd, self._on_commands)
            else:
                self.loop.remove_reader(fd)
        except (OSError, RuntimeError, ValueError):
            return
        self._watching = on
        self.session.loop_reads(on)

    def _cell_ended(self) -> None:
        """Past the cell's end nothing needs the reader thread to watch stdin: the loop
        thread reads again, so a command that arrives right after ``done`` (the next
        cell) is read here, not by the reader thread and handed over (two wake-ups)."""
        self._watch_commands(True)

    def _on_commands(self) -> None:
        if not self.session.pump_commands():
            self._watch_commands(False)

    async def _guard(self, execution, body) -> Outcome:
        async def cell() -> Outcome:
            try:
                return Outcome(value=await body())
            except BaseException as exc:  # incl. KeyboardInterrupt: never reaches the loop
                return Outcome(error=exc)

        task = self.loop.create_task(cell())
        execution.handle = task
        try:
            await asyncio.wait([task])
        except asyncio.CancelledError:  # shutdown
            task.cancel()
            raise
        finally:
            execution.handle = None  # an interrupt has nothing left to cancel
            self._cell_ended()
        if task.cancelled():
            return Outcome(cancelled=True)
        return task.result()
