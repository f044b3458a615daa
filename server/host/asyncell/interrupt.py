"""Interrupting the running cell — and only it.

Design (the supervisor can only talk to us over stdin, so the stdin reader thread
drives everything):

1. ``interrupt <id>`` for a queued execution drops it; for anything but the running
   execution the answer is ``not_running``: an interrupt never hits the next cell.
2. First try: ask the loop (thread-safely) to cancel the cell's cancel scope / task.
   If the loop runs that callback, the cell was suspended in an ``await`` and the cancel
   is delivered (``how="cancelled"``).
3. If the loop does not answer within 30 ms, the main thread is busy in plain Python
   (``while True: pass``, ``time.sleep``): the driver thread sends a real SIGINT to the
   main thread (``pthread_kill``, which also breaks blocking syscalls) every 50 ms.  Our
   own SIGINT handler (installed before the loop starts, so trio/asyncio leave SIGINT
   alone) raises KeyboardInterrupt only if the interrupted frame is the target cell's
   code: the running task must be the cell's task or one it spawned (an asyncio child
   task gets CancelledError instead, see loop_asyncio), the
   innermost relevant frame must come from a ``<cell N>`` and not from the host, asyncio
   internals or trio KI-protected code.  Otherwise it defers; a deferred interrupt is also
   raised at the next safe point inside ``sys.stdout.write``, so a printing loop stops
   promptly.  Host machinery, the loop runner and background supervision never see a
   KeyboardInterrupt.
4. A second interrupt of the same execution skips step 2 and goes straight to SIGINT.
5. If the cell has not finished ``grace`` seconds after the interrupt (threads, C code
   ignoring signals, shielded awaits), the reply is ``how="stuck"``.  Otherwise the reply
   (with the ``how`` that took effect) is sent right before the cell's ``done``.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Optional

from .scheduler import Execution
from .tracebacks import CELL_PREFIX

_HOST_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_ASYNCIO_DIR = os.path.dirname(os.path.abspath(__import__("asyncio").__file__)) + os.sep
_LOOP_ANSWER = 0.030
_RESEND = 0.050


class InterruptRequest:
    def __init__(self, execution: Execution, escalate: bool):
        self.execution = execution
        self.escalate = escalate
        self.how: Optional[str] = None
        self.claimed = threading.Event()
        self.ki_pending = False
        self.sent_at = time.monotonic()
        self._token = [True]  # list.pop() is atomic under the GIL: safe in a signal handler
        self._replied = False
        self._reply_lock = threading.Lock()

    def claim(self, how: str) -> bool:
        try:
            self._token.pop()
        except IndexError:
            return False
        self.how = how
        self.claimed.set()
        return True

    def reply(self, channel, how: Optional[str] = None) -> None:
        with self._reply_lock:
            if self._replied:
                return
            self._replied = True
        channel.send(
            {"ev": "interrupted", "id": self.execution.id, "how": how or self.how or "not_running"}
        )


class Interrupter:
    def __init__(self, session, grace: float):
        self.session = session
        self.grace = grace
        self.active: Optional[InterruptRequest] = None
        self._main_ident = threading.main_thread().ident

    def install(self) -> None:
        """Own SIGINT (main thread, before the loop starts)."""
        signal.signal(signal.SIGINT, self._on_sigint)

    # -- reader thread ---------------------------------------------------------------
    def request(self, id: str) -> None:
        session = self.session
        scheduler = session.scheduler
        request = dropped = None
        with scheduler.lock:  # one consistent view: queued, running or neither
            running = scheduler.running
            if running is not None and running.id == id and running.state == "running":
                request = InterruptRequest(running, escalate=bool(running.requests))
                running.requests.append(request)
            else:
                dropped = scheduler.drop_locked(id)
        if request is None:
            if dropped is not None:
                session.channel.send({"ev": "interrupted", "id": id, "how": "dropped"})
                session.channel.send(
                    {"ev": "done", "id": id, "status": "cancelled", "duration_ms": 0.0}
                )
            else:
                session.channel.send({"ev": "interrupted", "id": id, "how": "not_running"})
            return
        self.active = request
        threading.Thread(
            target=self._drive, args=(request,), name="asyncell-interrupt", daemon=True
        ).start()

    def _drive(self, request: InterruptRequest) -> None:
        execution = request.execution
        deadline = request.sent_at + self.grace
        if not request.escalate:
            self.session.loop.call_soon_threadsafe(self._cancel_on_loop, request)
            if request.claimed.wait(_LOOP_ANSWER) or execution.finished.is_set():
                if not execution.finished.wait(max(0.0, deadline - time.monotonic())):
                    request.reply(self.session.channel, "stuck")
                return
        while not execution.finished.is_set() and time.monotonic() < deadline:
            if not request.claimed.is_set():
                try:
                    signal.pthread_kill(self._main_ident, signal.SIGINT)
                except (OSError, ValueError):
                    pass
            execution.finished.wait(min(_RESEND, max(0.0, deadline - time.monotonic())))
        if not execution.finished.is_set():
            request.reply(self.session.channel, "stuck")

    # -- loop thread -----------------------------------------------------------------
    def _cancel_on_loop(self, request: InterruptRequest) -> None:
        execution = request.execution
        if execution.state != "running" or execution.handle is None:
            return
        if request.claim("cancelled"):
            self.session.loop.cancel_execution(execution)

    # -- main thread, any time -------------------------------------------------------
    def _target(self):
        """``(request, exception type)`` if the code running now may be interrupted."""
        request = self.active
        if request is None or request.claimed.is_set():
            return None, None
        if request.execution.state != "running":
            return None, None
        return request, self.session.loop.interrupt_exception(request.execution)

    def _on_sigint(self, signum, frame) -> None:
        request, exc_type = self._target()
        if exc_type is None:
            return
        if not self._user_frame(frame):
            request.ki_pending = True
            return
        if request.claim("keyboard_interrupt"):
            raise exc_type()

    def checkpoint(self) -> None:
        """Raise a deferred KeyboardInterrupt at a safe point (end of sys.stdout.write)."""
        request = self.active
        if request is None or not request.ki_pending:
            return
        if threading.get_ident() != self._main_ident:
            return
        target, exc_type = self._target()
        if target is request and exc_type is not None and request.claim("keyboard_interrupt"):
            raise exc_type()

    def _user_frame(self, frame) -> bool:
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith(CELL_PREFIX):
                break
            if filename.startswith(_HOST_DIR) or filename.startswith(_ASYNCIO_DIR):
                return False
            frame = frame.f_back
        else:
            return False
        return not self.session.loop.ki_protected()

    # -- cell finished (loop thread) ----------------------------------------------------
    def finished(self, execution: Execution, requests: list) -> None:
        for request in requests:
            request.reply(self.session.channel)
        if self.active is not None and self.active.execution is execution:
            self.active = None

    def how(self, execution: Execution) -> Optional[str]:
        """The interrupt that took effect on ``execution``, if any."""
        for request in execution.requests:
            if request.how == "keyboard_interrupt":
                return request.how
        for request in execution.requests:
            if request.how:
                return request.how
        return None
