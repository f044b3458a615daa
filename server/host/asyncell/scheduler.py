"""The execution queue, shared by the stdin reader thread and the loop thread.

Cells run one at a time in arrival order.  The queue and "which execution is running"
live behind one lock so an ``interrupt`` from the reader thread sees a consistent
picture: its target is either queued (drop it), running (interrupt it) or neither
(``not_running``) — never the next cell by accident.
"""

from __future__ import annotations

import collections
import threading
import time
from typing import Deque, List, Optional


class _Flag:
    """A set-once flag (``threading.Event``'s ``set``/``is_set`` without its Condition:
    one per execution, and nobody waits on it)."""

    __slots__ = ("_set",)

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def is_set(self) -> bool:
        return self._set


class Execution:
    def __init__(self, id: str, code: str, count: int, stdin: bool = False,
                 cell: Optional[int] = None):
        self.id = id
        self.code = code
        self.count = count
        self.cell = cell  # the 1-based cell number users see, when the front end knows it
        self.stdin = stdin  # its front end answers input requests (stdin.py)
        self.user_expressions = None  # name -> code, evaluated after an ok cell
        self.expression_values = None  # name -> Jupyter's {status, data | ename...}
        self.state = "queued"  # queued -> running -> finished, or queued -> dropped
        self.requests: List = []  # InterruptRequests aimed at this execution
        self.finished = _Flag()
        self.handle = None  # loop-specific: trio CancelScope / asyncio Task of the cell
        self.prepared = None  # the compiled cell (cells.Prepared), once compiled
        self.task = None  # trio: the task running the cell (for interrupt targeting)
        self.started_at = 0.0

    def label(self) -> str:
        """How users know this execution: ``cell 3 [7]``, or ``[7]`` when the front end
        sent no cell number (a Jupyter client), as its prompt shows it."""
        count = "[%s]" % (self.count,)
        return "cell %d %s" % (self.cell, count) if self.cell else count


class Scheduler:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._queue: Deque[Execution] = collections.deque()
        self.running: Optional[Execution] = None
        self.last_id: Optional[str] = None

    def enqueue(self, execution: Execution) -> None:
        with self.lock:
            self._queue.append(execution)

    def has_queued(self) -> bool:
        return bool(self._queue)  # a peek: no lock

    def pop_next(self) -> Optional[Execution]:
        with self.lock:
            if not self._queue:
                return None
            execution = self._queue.popleft()
            execution.state = "running"
            execution.started_at = time.perf_counter()
            self.running = execution
            self.last_id = execution.id
            return execution

    def finish(self, execution: Execution) -> list:
        """Mark finished; returns the interrupt requests that still need a reply."""
        with self.lock:
            execution.state = "finished"
            if self.running is execution:
                self.running = None
            requests = list(execution.requests)
        execution.finished.set()
        return requests

    def drop_locked(self, id: str) -> Optional[Execution]:
        """Remove a queued execution; the caller holds ``self.lock``."""
        for execution in self._queue:
            if execution.id == id:
                self._queue.remove(execution)
                execution.state = "dropped"
                return execution
        return None

    def drain_queue(self) -> List[Execution]:
        with self.lock:
            dropped = list(self._queue)
            self._queue.clear()
            return dropped

    def running_id(self) -> Optional[str]:
        running = self.running
        return running.id if running is not None else None

    def fallback_origin(self):
        """Origin for output that carries none: the running cell, else the latest one."""
        running = self.running
        if running is not None:
            return (running.id, None)
        if self.last_id is not None:
            return (self.last_id, None)
        return None
