"""Interrupting the running cell — and only it.

The supervisor can only talk to us over stdin, so the stdin reader thread starts every
interrupt; the decision of *how* to interrupt is taken on the main thread, by our own
SIGINT handler, from what the main thread is doing at that instant.

1. ``interrupt <id>`` for a queued execution drops it; for anything but the running
   execution the answer is ``not_running``: an interrupt never hits the next cell.  The
   request names its execution, and every later step checks that it is still the running
   one (and, for raising, that the code running now belongs to it).
2. The reader thread sends SIGINT to the main thread at once (``pthread_kill``: it also
   breaks blocking syscalls such as ``time.sleep``).  Our handler (installed before the
   loop starts, so trio/asyncio leave SIGINT alone) decides on the spot:

   * the cell's own code is running (busy Python, or a blocking call made by cell code):
     raise KeyboardInterrupt into it (``how="keyboard_interrupt"``).  "The cell's code"
     means: the running task is the cell's task or one it spawned (an asyncio child task
     gets CancelledError instead, see loop_asyncio, and only once cancelling the cell
     through the loop has had a chance), and the innermost relevant frame comes from a
     ``<cell N>``, not from the host, asyncio internals or trio KI-protected code;
   * anything else — idle in the selector, loop internals, host code, a background task:
     raise nothing.  The handler schedules the cancellation of the cell's cancel scope /
     task through the loop's signal-safe entry (``TrioToken.run_sync_soon`` /
     ``loop.call_soon_threadsafe``), which wakes the loop immediately; when it runs, the
     cell is suspended in an ``await`` and the cancel is delivered (``how="cancelled"``).
     The interrupt is also marked deferred, so it is raised at the next safe point inside
     ``sys.stdout.write`` (a printing loop stops promptly).
3. Never dropped: until the interrupt took effect, a watchdog thread re-sends SIGINT
   (after 2 ms, then backing off to every 50 ms), so a cell that was at an unsafe point,
   or had not entered its cancel scope yet, is caught at the next chance.  If no cancel
   is waiting on the loop by then (our handler never ran: a cell replaced it), the
   watchdog schedules it itself, so awaiting cells still stop.
4. A second interrupt of the same execution escalates: it never cancels through the loop,
   it only raises KeyboardInterrupt into running code.
5. If the cell has not finished ``grace`` seconds after the interrupt (threads, C code
   ignoring signals, shielded awaits), the reply is ``how="stuck"``.  Otherwise the reply
   (with the ``how`` that took effect) is sent right before the cell's ``done``.

While a cell runs, the GIL switch interval is lowered to 1 ms (restored afterwards unless
the cell changed it): a cell spinning in pure Python holds the GIL, and the reader thread
needs it to read the command and send the signal.  With the default 5 ms that wait alone
was most of the latency budget.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import List, Optional

from .scheduler import Execution
from .tracebacks import CELL_PREFIX, stdlib_package_dir

_HOST_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_MAGIC_FILE = _HOST_DIR + "magic_commands.py"  # magics run for the cell: interruptible
_STDIN_FILE = _HOST_DIR + "stdin.py"  # input() waiting for the front end: interruptible
_ASYNCIO_DIR = stdlib_package_dir("asyncio")
_RESEND_FIRST = 0.002
_RESEND_MAX = 0.050
SWITCH_INTERVAL = 0.001


class InterruptRequest:
    def __init__(self, execution: Execution, escalate: bool, grace: float):
        self.execution = execution
        self.escalate = escalate
        self.how: Optional[str] = None
        self.claimed = False  # a plain flag: no lock to take inside the signal handler
        self.sent_at = time.monotonic()
        self.deadline = self.sent_at + grace
        self.deferred = False  # a signal arrived where nothing could be raised
        self.cancel_pending = False  # a loop-side cancel is scheduled and has not run yet
        self.resend_at = self.sent_at + _RESEND_FIRST
        self.resend_every = _RESEND_FIRST
        self._token = [True]  # list.pop() is atomic under the GIL: safe in a signal handler
        self._replied = False
        self._reply_lock = threading.Lock()

    def claim(self, how: str) -> bool:
        try:
            self._token.pop()
        except IndexError:
            return False
        self.how = how
        self.claimed = True
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
        self._watched: List[InterruptRequest] = []
        self._watch_cond = threading.Condition()
        self._saved_switch: Optional[float] = None
        self._fast_switch: Optional[float] = None

    def install(self) -> None:
        """Own SIGINT (main thread, before the loop starts); start the watchdog."""
        signal.signal(signal.SIGINT, self._on_sigint)
        threading.Thread(target=self._watch, name="asyncell-interrupt", daemon=True).start()

    # -- reader thread ---------------------------------------------------------------
    def request(self, id: str) -> None:
        session = self.session
        scheduler = session.scheduler
        request = dropped = None
        with scheduler.lock:  # one consistent view: queued, running or neither
            running = scheduler.running
            if running is not None and running.id == id and running.state == "running":
                request = InterruptRequest(running, bool(running.requests), self.grace)
                running.requests.append(request)
                self.active = request  # before the signal: the handler looks here
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
        self._signal()
        with self._watch_cond:
            self._watched.append(request)
            self._watch_cond.notify()

    def _signal(self) -> None:
        try:
            signal.pthread_kill(self._main_ident, signal.SIGINT)
        except (OSError, ValueError):
            pass

    # -- watchdog thread: re-send until it took effect; "stuck" after the grace --------
    def _watch(self) -> None:
        cond = self._watch_cond
        while True:
            resend = False
            stuck, cancel = [], []
            with cond:
                while not self._watched:
                    cond.wait()
                now = time.monotonic()
                wake = now + _RESEND_MAX
                for request in list(self._watched):
                    if request.execution.finished.is_set():
                        self._watched.remove(request)
                        continue
                    if now >= request.deadline:
                        self._watched.remove(request)
                        stuck.append(request)
                        continue
                    wake = min(wake, request.deadline)
                    if request.claimed or self.active is not request:
                        continue
                    if now >= request.resend_at:
                        resend = True
                        request.resend_every = min(request.resend_every * 2, _RESEND_MAX)
                        request.resend_at = now + request.resend_every
                        if not request.escalate and not request.cancel_pending:
                            # Normally the handler did this already; not if it never ran
                            # (a cell replaced the SIGINT handler): awaits still cancel.
                            request.cancel_pending = True
                            cancel.append(request)
                    wake = min(wake, request.resend_at)
            for request in cancel:
                self.session.loop.call_soon_threadsafe(self._cancel_on_loop, request)
            if resend:
                self._signal()
            for request in stuck:
                request.reply(self.session.channel, "stuck")
            with cond:
                delay = wake - time.monotonic()
                if delay > 0:
                    cond.wait(delay)

    # -- main thread: the SIGINT handler -------------------------------------------------
    def _on_sigint(self, signum, frame) -> None:
        request = self.active
        if request is None or request.claimed:
            return
        if request.execution.state != "running":
            return
        exc_type = self.session.loop.interrupt_exception(request.execution)
        if exc_type is not None and self._may_raise(request, exc_type) and self._user_frame(frame):
            if request.claim("keyboard_interrupt"):
                raise exc_type()
            return
        self._defer(request)

    def _may_raise(self, request: InterruptRequest, exc_type) -> bool:
        """KeyboardInterrupt into the cell's own code: at once.  Anything else (asyncio:
        CancelledError into a task the cell created, which might be meant to outlive it)
        only on escalation, or once a loop-side cancel has been waiting — that task is
        what keeps the loop from running it."""
        return exc_type is KeyboardInterrupt or request.escalate or request.cancel_pending

    def _defer(self, request: InterruptRequest) -> None:
        """Not a point to raise at: cancel through the loop (unless escalating) and leave
        the interrupt pending for the next signal or ``checkpoint``."""
        request.deferred = True
        if not request.escalate and not request.cancel_pending:
            request.cancel_pending = True
            self.session.loop.call_soon_threadsafe(self._cancel_on_loop, request)

    def checkpoint(self) -> None:
        """Raise a deferred interrupt at a safe point (end of sys.stdout.write)."""
        request = self.active
        if request is None or not request.deferred or request.claimed:
            return
        if threading.get_ident() != self._main_ident or request.execution.state != "running":
            return
        exc_type = self.session.loop.interrupt_exception(request.execution)
        if exc_type is not None and self._may_raise(request, exc_type):
            if request.claim("keyboard_interrupt"):
                raise exc_type()

    def _user_frame(self, frame) -> bool:
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith(CELL_PREFIX) or filename in (_MAGIC_FILE, _STDIN_FILE):
                break  # magic_commands and input() run for the cell: safe to interrupt
            if filename.startswith(_HOST_DIR) or filename.startswith(_ASYNCIO_DIR):
                return False
            frame = frame.f_back
        else:
            return False
        return not self.session.loop.ki_protected()

    # -- loop thread -----------------------------------------------------------------
    def _cancel_on_loop(self, request: InterruptRequest) -> None:
        """A loop callback: the cell is suspended right now, so cancelling is safe."""
        request.cancel_pending = False
        execution = request.execution
        loop = self.session.loop
        if execution.state != "running" or not loop.cancellable(execution):
            return  # not (or no longer) inside its cancel scope; a re-sent signal retries
        if request.claim("cancelled"):
            loop.cancel_execution(execution)

    def started(self, execution: Execution) -> None:
        """A cell starts: let the reader thread get the GIL quickly from busy code."""
        current = sys.getswitchinterval()
        if current > SWITCH_INTERVAL:
            sys.setswitchinterval(SWITCH_INTERVAL)
            self._saved_switch = current
            self._fast_switch = sys.getswitchinterval()

    def finished(self, execution: Execution, requests: list) -> None:
        if self._saved_switch is not None:
            if sys.getswitchinterval() == self._fast_switch:  # the cell did not change it
                sys.setswitchinterval(self._saved_switch)
            self._saved_switch = None
        # Two interrupts in quick succession: the one that did not land itself reports
        # what the other did to the cell (not_running only if the cell ended on its own).
        effect = self.how(execution)
        for request in requests:
            request.reply(self.session.channel, request.how or effect)
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
