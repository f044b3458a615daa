"""trio mode: ``trio.run`` on the main thread for the whole session.

Task tree::

    main task, inside the session cancel scope (shutdown cancels it)
    ├─ system nursery
    │  └─ bridge task: the trio_asyncio loop, if importable (cells can await asyncio code)
    ├─ background nursery (GLOBAL_NURSERY; lives for the whole session)
    │  └─ supervised background tasks
    └─ runner task: pops executions, runs each cell inline in its own CancelScope;
       while idle, it reads commands itself
       └─ nurseries the cell opens

Commands reach the loop in two ways: while idle, the runner task itself waits for stdin
and reads them, so an ``execute`` that arrives at an idle host is read and run by one
task in one scheduler pass, with no hop between threads or tasks.  While a cell runs,
the reader thread reads them and reaches the loop only through the TrioToken
(``run_sync_soon``); its ``wake`` cancels the runner's idle wait.

The trio-asyncio bridge is not on the start-up path: importing trio_asyncio (and asyncio
with it) costs 30-50 ms, about a tenth of a host's start, and most first cells don't
need it.  ``hello`` says whether it is available; it is opened

* in the background (the import in a worker thread) as soon as the runner is idle after
  a first cell, or has been idle for ``BRIDGE_IDLE`` seconds before any, and
* at once, by the cell itself, before any cell that may need it runs: one that imports a
  module not loaded yet, or could import dynamically (``cells.may_import``).  Such a
  cell waits for the bridge inside its cancel scope, so an interrupt still stops it.

A cell that imports nothing new can only reach code that was loaded at start-up or that
earlier cells defined, and those cells, having imported their libraries, waited for the
bridge.  The runner then puts the loop in its own context (``current_loop``, where
trio-asyncio looks for it), so every cell and the tasks cells start see it, as when the
loop was opened around everything.
"""

from __future__ import annotations

import importlib.util
import threading
from typing import Any, Callable

import trio

from . import cells
from .background import TrioBackground
from .execution import Outcome, run_execution

#: Seconds the runner must be idle before it opens the trio-asyncio bridge on its own.
BRIDGE_IDLE = 0.05


class TrioLoop:
    name = "trio"
    interrupt_exceptions = (trio.Cancelled, KeyboardInterrupt)

    def __init__(self, session):
        self.session = session
        self.token = None
        # What hello reports: cells can use trio_asyncio (the loop opens shortly after).
        self.bridge = _importable("trio_asyncio")
        self._bridge_loop = None  # the open TrioEventLoop
        self._bridge_ready = None  # trio.Event: the bridge is open, or failed to open
        self._bridge_nursery = None
        self._bridge_applied = False  # the runner's context has the loop
        self._ran = False  # a cell ran (its result is out: the bridge may open)
        self.shutting_down = False
        self.crash = None  # a system task raised: the run is ending (system_tasks.Crash)
        self._woken = False  # wake() since the runner last looked at the queue
        self._idle_wait = None  # how the runner waits while idle: "fd" or a CancelScope
        self._thread = threading.get_ident()
        self._scope = trio.CancelScope()
        self.background = TrioBackground(session)

    # -- thread-safe entry points ------------------------------------------------------
    def call_soon_threadsafe(self, fn: Callable, *args: Any) -> None:
        try:
            self.token.run_sync_soon(fn, *args)
        except trio.RunFinishedError:
            pass

    def wake(self) -> None:
        if threading.get_ident() == self._thread:
            self._do_wake()  # the loop thread read the command itself (_wait_for_work)
        else:
            self.call_soon_threadsafe(self._do_wake)

    def request_shutdown(self) -> None:
        self.call_soon_threadsafe(self._do_shutdown)

    # -- loop thread -------------------------------------------------------------------
    def _do_wake(self) -> None:
        self._woken = True
        waiting = self._idle_wait
        if waiting == "fd":
            # Wakes the runner's wait_readable (ClosedResourceError) without the cost of
            # a cancel scope around every idle wait; the fd stays open and is simply
            # registered again by the next wait.
            self._idle_wait = None
            trio.lowlevel.notify_closing(self.session.channel.in_fd)
        elif waiting is not None:
            waiting.cancel()

    def _do_shutdown(self) -> None:
        self.shutting_down = True
        self._scope.cancel()

    def cancellable(self, execution) -> bool:
        """Inside the cell's cancel scope (``_guard`` clears the handle on the way out,
        with no checkpoint in between)."""
        return execution.handle is not None

    def cancel_execution(self, execution) -> None:
        execution.handle.cancel()

    def interrupt_exception(self, execution):
        """What to raise into the code running right now to interrupt ``execution``.

        Only the cell's own task or a task in a nursery it opened (KeyboardInterrupt
        propagates out of the nursery into the cell); None for anything else — the
        scheduler, background tasks, the trio-asyncio loop.
        """
        try:
            task = trio.lowlevel.current_task()
        except RuntimeError:
            return None
        target = execution.task
        while task is not None:
            if task is target:
                return KeyboardInterrupt
            nursery = task.parent_nursery
            task = nursery.parent_task if nursery is not None else None
        return None

    def ki_protected(self) -> bool:
        try:
            return trio.lowlevel.currently_ki_protected()
        except Exception:
            return True

    def run(self) -> None:
        from . import system_tasks

        system_tasks.install(trio, self.session)
        trio.run(self._main)

    async def _main(self) -> None:
        self.token = trio.lowlevel.current_trio_token()
        self._bridge_ready = trio.Event()
        if not self.bridge:
            self._bridge_ready.set()
        with self._scope:
            async with trio.open_nursery() as system:
                if self.bridge:
                    self._bridge_nursery = system  # cleared once the bridge task is started
                async with trio.open_nursery() as background:
                    self.background.attach(background)
                    self.session.loop_ready()
                    # The runner gets its own task: it must not be an ancestor of the
                    # background tasks, or interrupting a cell could hit them.
                    async with trio.open_nursery() as cells:
                        cells.start_soon(self._runner, name="asyncell-runner")
                    background.cancel_scope.cancel()
                system.cancel_scope.cancel()

    # -- the trio-asyncio bridge -------------------------------------------------------
    def _open_bridge_soon(self, in_thread: bool) -> None:
        """Start opening the bridge (once)."""
        if self._bridge_nursery is not None:
            self._bridge_nursery.start_soon(self._bridge, in_thread, name="asyncell-trio-asyncio")
            self._bridge_nursery = None

    async def _bridge(self, in_thread: bool) -> None:
        """Opens the trio_asyncio loop and keeps it open for the whole session."""
        try:
            if in_thread:
                # Nobody waits: import without blocking the loop (it only takes turns
                # for the GIL with whatever runs meanwhile).
                trio_asyncio = await trio.to_thread.run_sync(importlib.import_module, "trio_asyncio")
            else:
                import trio_asyncio
        except Exception as exc:
            self.session.log("cannot import trio_asyncio, bridge disabled: %r" % (exc,))
            self._bridge_ready.set()
            return
        try:
            async with trio_asyncio.open_loop() as loop:
                self._bridge_loop = loop
                self._bridge_ready.set()
                await trio.sleep_forever()
        except Exception as exc:
            self.session.log("trio_asyncio.open_loop() failed, bridge disabled: %r" % (exc,))
        finally:
            self._bridge_ready.set()

    async def before_cell(self, prepared) -> None:
        """Runs first thing inside the cell's cancel scope (see execution._execute):
        makes sure the bridge is there if the cell may need it, and puts it in the
        runner's context once it is open."""
        if self._bridge_applied:
            return
        if not self._bridge_ready.is_set():
            if not cells.may_import(prepared):
                return
            self._open_bridge_soon(in_thread=False)
            await self._bridge_ready.wait()
        if not self._bridge_applied and self._bridge_loop is not None:
            self._bridge_applied = True
            import trio_asyncio

            # The runner's own context (cells run inline in this task; tasks they
            # start copy it): trio-asyncio finds its loop through this variable.
            trio_asyncio.current_loop.set(self._bridge_loop)

    # -- the runner --------------------------------------------------------------------
    async def _runner(self) -> None:
        session = self.session
        scheduler = session.scheduler
        ran = False  # a cell ran since the runner last yielded
        while True:
            if ran:
                ran = False
                if scheduler.has_queued():
                    await trio.lowlevel.checkpoint()  # other tasks run between two cells
            execution = scheduler.pop_next()
            if execution is None:
                if self._bridge_nursery is not None:
                    # Nothing to do: open the bridge now if a first result is out, else
                    # if nothing arrives for a moment (the first cell is on its way).
                    if self._ran:
                        self._open_bridge_soon(in_thread=True)
                        continue
                    work = await self._wait_for_work(BRIDGE_IDLE)
                    if work is None:
                        self._open_bridge_soon(in_thread=True)
                    if work is not False:
                        continue
                elif await self._wait_for_work():
                    continue
                await trio.sleep_forever()  # stdin is closed: the session shuts down
            session.loop_reads(False)  # a cell runs: the reader thread reads commands
            self._ran = ran = True
            try:
                await run_execution(session, execution, self._guard)
            except trio.Cancelled:
                raise
            except BaseException as exc:  # a host bug must not kill the session
                session.log("host error while running %s: %r" % (execution.id, exc))

    async def _wait_for_work(self, timeout=None):
        """The runner is idle: wait until a command may have queued a cell.

        The loop thread reads commands itself (``loop_reads(True)``): the wait is for
        stdin to be readable, or for ``wake`` (the reader thread queued a cell it read
        before it stopped watching stdin).  True: look at the queue again; False: stdin
        is at EOF; None: ``timeout`` seconds passed first."""
        session = self.session
        session.loop_reads(True)
        if self._woken:
            self._woken = False
            return True
        if timeout is None and session.loop_may_read:
            self._idle_wait = "fd"
            try:
                await trio.lowlevel.wait_readable(session.channel.in_fd)
            except trio.ClosedResourceError:  # _do_wake
                self._woken = False
                return True
            finally:
                self._idle_wait = None
        else:
            with trio.CancelScope() as scope:
                if timeout is not None:
                    scope.deadline = trio.current_time() + timeout
                self._idle_wait = scope
                try:
                    if session.loop_may_read:
                        await trio.lowlevel.wait_readable(session.channel.in_fd)
                    else:
                        await trio.sleep_forever()  # the reader thread reads every command
                finally:
                    self._idle_wait = None
            if scope.cancelled_caught:
                woken, self._woken = self._woken, False
                return True if woken else None
        reading = session.pump_commands()
        self._woken = False  # whatever it queued, the caller looks at the queue next
        return reading

    async def _guard(self, execution, body) -> Outcome:
        prepared = execution.prepared
        if prepared is not None and self._bridge_ready.is_set() and cells.never_awaits(prepared):
            # A cell that cannot suspend (no top-level await, and before_cell has nothing
            # to wait for) has nothing a cancel scope could cancel: interrupts reach it
            # as KeyboardInterrupt only (interrupt_exception needs ``task``), and
            # ``cancellable`` is False throughout.  This skips the scope's set-up, a
            # tenth of a small cell's round trip.
            execution.task = trio.lowlevel.current_task()
            try:
                return Outcome(value=await body())
            except BaseException as exc:
                return Outcome(error=exc)
            finally:
                execution.task = None
                self.session.loop_reads(True)  # as below
        with trio.CancelScope() as scope:
            execution.handle = scope
            execution.task = trio.lowlevel.current_task()
            try:
                return Outcome(value=await body())
            except BaseException as exc:  # incl. Cancelled: classified by the caller
                return Outcome(error=exc)
            finally:
                # Past this point an interrupt has nothing left to cancel or raise into.
                execution.task = None
                execution.handle = None
                # Nor does the reader thread need to watch stdin: the loop thread reads
                # again, so a command that arrives right after ``done`` (the next cell)
                # is not read by the reader thread and handed over (two wake-ups).
                self.session.loop_reads(True)
        return Outcome(cancelled=True)


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except Exception:
        return False
