"""trio mode: ``trio.run`` on the main thread for the whole session.

Task tree::

    main task, inside the session cancel scope (shutdown cancels it)
    ├─ trio_asyncio loop, if importable (so cells can await asyncio code)
    ├─ background nursery (GLOBAL_NURSERY; lives for the whole session)
    │  └─ supervised background tasks
    └─ runner task: pops executions, runs each cell inline in its own CancelScope
       └─ nurseries the cell opens

The reader thread reaches the loop only through the TrioToken (``run_sync_soon``).
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable

import trio

from .background import TrioBackground
from .execution import Outcome, run_execution


class TrioLoop:
    name = "trio"
    interrupt_exceptions = (trio.Cancelled, KeyboardInterrupt)

    def __init__(self, session):
        self.session = session
        self.token = None
        self.bridge = False
        self.shutting_down = False
        self._wake = None
        self._scope = trio.CancelScope()
        self.background = TrioBackground(session)

    # -- thread-safe entry points ------------------------------------------------------
    def call_soon_threadsafe(self, fn: Callable, *args: Any) -> None:
        try:
            self.token.run_sync_soon(fn, *args)
        except trio.RunFinishedError:
            pass

    def wake(self) -> None:
        self.call_soon_threadsafe(self._do_wake)

    def request_shutdown(self) -> None:
        self.call_soon_threadsafe(self._do_shutdown)

    # -- loop thread -------------------------------------------------------------------
    def _do_wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

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
        trio.run(self._main)

    async def _main(self) -> None:
        self.token = trio.lowlevel.current_trio_token()
        with self._scope:
            async with contextlib.AsyncExitStack() as stack:
                await self._open_bridge(stack)
                async with trio.open_nursery() as background:
                    self.background.attach(background)
                    self.session.loop_ready()
                    # The runner gets its own task: it must not be an ancestor of the
                    # background tasks, or interrupting a cell could hit them.
                    async with trio.open_nursery() as cells:
                        cells.start_soon(self._runner, name="asyncell-runner")
                    background.cancel_scope.cancel()

    async def _open_bridge(self, stack: contextlib.AsyncExitStack) -> None:
        try:
            import trio_asyncio
        except Exception:
            return
        try:
            await stack.enter_async_context(trio_asyncio.open_loop())
        except Exception as exc:
            self.session.log("trio_asyncio.open_loop() failed, bridge disabled: %r" % (exc,))
            return
        self.bridge = True

    async def _runner(self) -> None:
        scheduler = self.session.scheduler
        while True:
            execution = scheduler.pop_next()
            if execution is None:
                self._wake = trio.Event()
                await self._wake.wait()
                continue
            try:
                await run_execution(self.session, execution, self._guard)
            except trio.Cancelled:
                raise
            except BaseException as exc:  # a host bug must not kill the session
                self.session.log("host error while running %s: %r" % (execution.id, exc))
            await trio.lowlevel.checkpoint()

    async def _guard(self, execution, body) -> Outcome:
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
        return Outcome(cancelled=True)
