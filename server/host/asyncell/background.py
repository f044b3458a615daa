"""Supervised background tasks: work that outlives the cell that started it.

``GLOBAL_NURSERY`` / ``background`` in the cell namespace is one ``Background`` object:

    background.start_soon(heartbeat, name="heartbeat")   # None, like trio's nursery
    value = await background.start(server)      # trio task_status.started() semantics
    background.tasks(); background.cancel(background.tasks()[-1].id)

``start_soon`` returns None as trio's does: a cell ending in it would otherwise show the
task id as its result.  The ids are in ``tasks()`` (and in the ``task`` events).

Every task runs inside a supervisor wrapper, so an exception never reaches the
session-long nursery (which would tear down the loop and every other task): its
traceback becomes a stderr output of the cell that started the task, and the supervisor
gets a ``task`` event.  The wrapper also sets the task's origin ContextVar, so whatever
the task prints is attributed to that cell.  Before ``started()`` an exception belongs to
the caller of ``start()`` (as in trio), so it is re-raised there instead.
"""

from __future__ import annotations

import inspect
import itertools
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Protocol, cast

from . import context
from .context import ORIGIN
from .task_table import TaskList
from .tracebacks import format_lines

_KEEP_FINISHED = 200


class TaskRecord:
    """A background task as shown to users and to the supervisor."""

    def __init__(self, id: str, name: str, started_by: Optional[str]):
        self.id = id
        self.name = name
        self.state = "running"
        self.started_by = started_by
        self.started_at = time.time()
        self.started_in: Optional[str] = None  # that cell's label, `cell 3 [7]` or `[7]`
        self.outcome: Optional[str] = None  # why it failed, for the task table
        self.handle: Any = None  # trio CancelScope / asyncio Task

    def as_dict(self) -> Dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "startedBy": self.started_by,
            "startedAt": self.started_at,
        }

    def __repr__(self) -> str:
        return "<task %s %r %s started by %s>" % (self.id, self.name, self.state, self.started_by)


class _StatusRecorder:
    """Wraps a task_status to know whether ``started()`` was called yet."""

    def __init__(self, inner: Any):
        self._inner = inner
        self.called = False

    def started(self, value: Any = None) -> None:
        self.called = True
        self._inner.started(value)


class AsyncioTaskStatus:
    """The ``task_status`` passed to functions started with ``await background.start()``
    in asyncio mode; ``started(value)`` resumes the caller with ``value``."""

    def __init__(self, future: "asyncio.Future[Any]"):
        self._future = future

    def started(self, value: Any = None) -> None:
        if self._future.done():
            raise RuntimeError("task_status.started() called twice")
        self._future.set_result(value)


class Background:
    def __init__(self, session) -> None:
        self._session = session
        self._records: Dict[str, TaskRecord] = {}
        self._ids = itertools.count(1)

    # -- public API ------------------------------------------------------------------
    def tasks(self) -> List[TaskRecord]:
        return TaskList(self._records.values())

    def cancel(self, task_id: str) -> bool:
        record = self._records.get(task_id)
        if record is None or record.state != "running" or record.handle is None:
            return False
        record.handle.cancel()
        return True

    def __repr__(self) -> str:
        running = sum(1 for r in self._records.values() if r.state == "running")
        return "<asyncell background: %d running task(s)>" % running

    # -- shared plumbing ---------------------------------------------------------------
    def _new_record(self, fn: Any, name: Optional[str]) -> TaskRecord:
        if inspect.iscoroutine(fn):
            fn.close()
            raise TypeError(
                "background tasks take an async function and its arguments, "
                "e.g. start_soon(fn, arg), not a coroutine object fn(arg)"
            )
        if not callable(fn):
            raise TypeError("%r is not callable" % (fn,))
        origin = ORIGIN.get()
        record = TaskRecord(
            "t%d" % next(self._ids),
            name or getattr(fn, "__qualname__", None) or repr(fn),
            origin[0] if origin else None,
        )
        record.started_in = self._label_of(origin)
        self._records[record.id] = record
        self._prune()
        self._event("started", record)
        return record

    def _label_of(self, origin) -> Optional[str]:
        """The label of the execution behind ``origin`` (a task a task started counts
        as its parent's cell)."""
        if origin is None:
            return None
        parent = self._records.get(origin[1]) if origin[1] else None
        if parent is not None:
            return parent.started_in
        running = self._session.scheduler.running
        if running is not None and running.id == origin[0]:
            return running.label()
        return None

    def _prune(self) -> None:
        finished = [r for r in self._records.values() if r.state != "running"]
        for record in finished[: max(0, len(finished) - _KEEP_FINISHED)]:
            del self._records[record.id]

    def _event(self, kind: str, record: TaskRecord, **extra: Any) -> None:
        message = {"ev": "task", "kind": kind, "task": record.as_dict()}
        message.update(extra)
        self._session.sink.flush()  # the task's own output first
        self._session.channel.send(message)

    def _finished(self, record: TaskRecord, state: str) -> None:
        record.state = state
        self._event("finished" if state == "done" else state, record)

    def _failed(self, record: TaskRecord, exc: BaseException, report: bool = True) -> None:
        record.state = "failed"
        lines = format_lines(exc)
        text = "\n".join(lines) + "\n"
        if report:
            header = "Background task %r (%s) failed:\n" % (record.name, record.id)
            self._session.sink.stream((record.started_by, record.id), "stderr", header + text)
        summary = "%s: %s" % (type(exc).__name__, exc) if str(exc) else type(exc).__name__
        record.outcome = summary
        self._event("failed", record, traceback=text, message=summary)


class TrioBackground(Background):
    """Tasks live in one nursery that is open for the whole session."""

    def __init__(self, session) -> None:
        super().__init__(session)
        self._nursery = None

    def attach(self, nursery) -> None:
        self._nursery = nursery

    def start_soon(self, fn: Any, *args: Any, name: Optional[str] = None) -> None:
        import trio

        record = self._new_record(fn, name)
        record.handle = trio.CancelScope()  # cancellable even before the task first runs
        self._nursery.start_soon(self._supervise, record, fn, args, False, name=record.name)

    async def start(self, fn: Any, *args: Any, name: Optional[str] = None) -> Any:
        import trio

        record = self._new_record(fn, name)
        record.handle = trio.CancelScope()
        return await self._nursery.start(self._supervise, record, fn, args, True, name=record.name)

    async def _supervise(self, record, fn, args, via_start, task_status=None):
        import trio

        ORIGIN.set((record.started_by, record.id))
        status = _StatusRecorder(task_status) if via_start else None
        try:
            with record.handle as scope:
                if status is not None:
                    await fn(*args, task_status=status)
                else:
                    await fn(*args)
        except trio.Cancelled:
            # Not our scope: the whole session is shutting down (or the start() caller
            # was cancelled before started()); let it propagate as trio requires.
            record.state = "cancelled"
            raise
        except BaseException as exc:
            if status is not None and not status.called:
                self._failed(record, exc, report=False)
                raise  # belongs to the caller of start(), like trio's nursery.start
            self._failed(record, exc)
            return
        if status is not None and not status.called and not scope.cancelled_caught:
            self._failed(
                record,
                RuntimeError("child exited without calling task_status.started()"),
                report=False,
            )
            raise RuntimeError("child exited without calling task_status.started()")
        self._finished(record, "cancelled" if scope.cancelled_caught else "done")

    def cancel_all(self) -> None:
        for record in self._records.values():
            if record.state == "running" and record.handle is not None:
                record.handle.cancel()


class AsyncioBackground(Background):
    """Tasks are asyncio tasks on the session loop, supervised by a wrapper coroutine."""

    def start_soon(self, fn: Any, *args: Any, name: Optional[str] = None) -> None:
        import asyncio  # asyncio mode only: trio hosts don't load it at start-up

        loop = asyncio.get_running_loop()
        record = self._new_record(fn, name)
        record.handle = _tag(
            loop.create_task(self._supervise(record, fn, args, None), name=record.name), record
        )

    async def start(self, fn: Any, *args: Any, name: Optional[str] = None) -> Any:
        import asyncio  # asyncio mode only: trio hosts don't load it at start-up

        loop = asyncio.get_running_loop()
        record = self._new_record(fn, name)
        status = AsyncioTaskStatus(loop.create_future())
        recorder = _StatusRecorder(status)
        task = _tag(loop.create_task(self._supervise(record, fn, args, recorder), name=record.name),
                    record)
        record.handle = task
        try:
            await asyncio.wait([status._future, task], return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            if not status._future.done():
                task.cancel()  # still "inside" the caller until started(), as in trio
            raise
        if status._future.done():
            return status._future.result()
        error = getattr(recorder, "error", None)
        if error is not None:
            raise error
        raise RuntimeError("child exited without calling task_status.started()")

    async def _supervise(self, record, fn, args, status):
        import asyncio  # asyncio mode only: trio hosts don't load it at start-up

        ORIGIN.set((record.started_by, record.id))
        try:
            if status is not None:
                await fn(*args, task_status=status)
            else:
                await fn(*args)
        except asyncio.CancelledError:
            self._finished(record, "cancelled")
            return
        except BaseException as exc:  # incl. KeyboardInterrupt/SystemExit: never reach the loop
            if status is not None and not status.called:
                status.error = exc
                self._failed(record, exc, report=False)
                return
            self._failed(record, exc)
            return
        self._finished(record, "done")

    def cancel_all(self) -> None:
        for record in self._records.values():
            if record.state == "running" and record.handle is not None:
                record.handle.cancel()


def _tag(task: "asyncio.Task[Any]", record: TaskRecord) -> "asyncio.Task[Any]":
    """The task belongs to the background record, not to the cell that started it: an
    interrupt of that cell must never reach it (see AsyncioLoop.interrupt_exception)."""
    try:
        task._asyncell_origin = (record.started_by, record.id)
    except AttributeError:  # not our Task class (a cell replaced the task factory)
        pass
    return task


class BackgroundTasks(Protocol):
    """What ``from asyncell import background`` offers, for type checkers and editors:
    the session's supervised task group (trio's nursery API, on either loop)."""

    def start_soon(
        self, fn: Callable[..., Awaitable[Any]], *args: Any, name: Optional[str] = None
    ) -> None:
        """Starts ``fn(*args)`` in the background; returns None, like trio's
        ``Nursery.start_soon`` (the task's id is in ``tasks()``)."""
        ...

    async def start(
        self, fn: Callable[..., Awaitable[Any]], *args: Any, name: Optional[str] = None
    ) -> Any:
        """Starts ``fn(*args, task_status=...)`` and waits for ``task_status.started(v)``;
        returns ``v``."""
        ...

    def tasks(self) -> List[TaskRecord]:
        """The session's background tasks, running and recently finished (a list that
        displays as a table: HTML in Jupyter, aligned text elsewhere)."""
        ...

    def cancel(self, task_id: str) -> bool:
        """Cancels a running task; False if there is none with that id."""
        ...


class _BackgroundProxy:
    """``from asyncell import background`` works before/independently of the session."""

    def __getattr__(self, name: str) -> Any:
        session = context.session
        if session is None:
            raise RuntimeError("asyncell.background is only available inside the asyncell host")
        return getattr(session.background, name)

    def __repr__(self) -> str:
        session = context.session
        return repr(session.background) if session is not None else "<asyncell background (no host)>"


background: BackgroundTasks = cast(BackgroundTasks, _BackgroundProxy())
