"""The framed channel to the supervisor (docs/protocol.md section 2).

One JSON object per line on a *private* duplicate of the original fd 1, so that nothing
the user's code does to fd 1 (``os.write(1, ...)``, C ``printf``, child processes) can
corrupt a frame.  Sends come from several threads (the loop thread, the stdin reader, the
fd pumps, the output flusher), so one lock makes each line atomic.  A blocking write is
deliberate: if the supervisor reads slowly, producers block instead of buffering without
bound (that is what keeps a 100 MB print flood from blowing host memory).

Commands are read without blocking (``pump``) by whichever thread gets to them first: the
stdin reader thread always, and the loop thread too while the runner is idle, so that an
``execute`` arriving at an idle host starts without a hop from one thread to the other.
The read lock keeps commands in order, whoever dispatches them.

``defer()`` keeps a frame (``started``) to go out in front of the next write, whichever
thread makes it, or alone when the reader thread's timer fires (timer.py): a short cell
then costs the supervisor one wake-up, not two.

``hold()`` lets the loop thread gather the frames that end an execution (its last
outputs, an ``interrupted`` reply, ``done``) into one write, so the supervisor wakes up
once for them; any other thread's send writes the held frames first, keeping the order.
"""

from __future__ import annotations

import json
import os
import threading


_READ = 65536

#: One frame's JSON, compact.  One encoder for every frame: ``json.dumps`` with options
#: builds a new encoder per call, a tenth of a small execution's round trip.
encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=repr).encode


class Channel:
    def __init__(self, out_fd: int, in_fd: int):
        self.out_fd = out_fd
        self.in_fd = in_fd
        self._lock = threading.Lock()
        self.closed = False
        self._deferred = None  # a frame that goes out in front of the next write (defer)
        self._held = None  # frames the holding thread gathers (see hold)
        self._holder = None
        self._in_lock = threading.Lock()
        self._partial = b""  # an incomplete command line
        self.eof = False
        os.set_blocking(in_fd, False)  # our private dup: no one else reads it

    def send(self, message: dict) -> None:
        self.send_line(encode(message))

    def send_line(self, line: str) -> None:
        """Send one frame already encoded as JSON (``encode``), without its newline."""
        # Lone surrogates (from surrogateescape'd bytes) are not valid UTF-8 and serde_json
        # would reject their \u escapes, so they become U+FFFD-ish '?' here.
        data = (line + "\n").encode("utf-8", "replace")
        with self._lock:
            if self.closed:
                return
            if self._held is not None:
                if self._holder == threading.get_ident():
                    self._held.append(data)
                    return
                if self._held:
                    self._held.append(data)
                    data = b"".join(self._held)
                    self._held = []
            self._write(data)

    def defer(self, line: str) -> None:
        """Send frame ``line`` (encoded, without its newline) in front of the next write,
        whichever thread makes it, rather than in a write of its own; ``send_deferred``
        sends it alone (see timer.py)."""
        data = (line + "\n").encode("utf-8", "replace")
        with self._lock:
            self._deferred = data if self._deferred is None else self._deferred + data

    def send_deferred(self) -> None:
        """Write the deferred frame now, if it still waits."""
        with self._lock:
            if self._deferred is not None and not self.closed:
                self._write(b"")

    def hold(self) -> None:
        """Gather this thread's frames until ``release`` (no await in between)."""
        with self._lock:
            if self._held is None:
                self._held = []
                self._holder = threading.get_ident()

    def release(self) -> None:
        """Write the gathered frames, in one write, and stop gathering."""
        with self._lock:
            held, self._held, self._holder = self._held, None, None
            if held and not self.closed:
                self._write(b"".join(held))

    def _write(self, data: bytes) -> None:
        """Called with the lock held."""
        if self._deferred is not None:
            data, self._deferred = self._deferred + data, None
        view = memoryview(data)
        try:
            while view:
                written = os.write(self.out_fd, view)
                view = view[written:]
        except OSError:
            # The supervisor is gone: nobody can see our output any more, and the
            # processes the cells started must not outlive it (see orphans).
            self.closed = True
            from .orphans import kill_cell_processes

            kill_cell_processes()
            os._exit(0)

    def pump(self, dispatch) -> bool:
        """Read the commands that have arrived, without blocking, and pass each decoded
        command to ``dispatch``, in order.  Thread-safe.  False once stdin is at EOF."""
        with self._in_lock:
            if self.eof:
                return False
            chunks = [self._partial]
            while True:
                try:
                    data = os.read(self.in_fd, _READ)
                except BlockingIOError:
                    break
                except OSError:
                    data = b""
                if not data:
                    self.eof = True
                    break
                chunks.append(data)
                if len(data) < _READ:
                    break
            buffer = b"".join(chunks)
            lines = buffer.split(b"\n")
            self._partial = lines.pop()
            for raw in lines:
                raw = raw.strip()
                if not raw:
                    continue
                try:
                    message = json.loads(raw)
                except ValueError:
                    message = {"op": "__invalid__", "raw": raw[:200].decode("utf-8", "replace")}
                if isinstance(message, dict):
                    dispatch(message)
            return not self.eof
