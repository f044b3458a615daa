"""Coalescing of stream output into few, bounded protocol frames.

``print`` in a tight loop calls ``write`` hundreds of thousands of times; one frame per
call would drown the supervisor.  Writes are appended to a pending list and sent when
64 KiB have accumulated or 10 ms after the first pending write, whichever comes first.
A single huge write is cut into 64 KiB pieces that are sent one after another, so host
memory stays bounded no matter how much is printed: whoever pushes the buffer over the
limit sends it themselves, and blocks on the channel if the supervisor is slow.

``sys.stdout.flush()`` sends pending text at once (``flush_now``), so a line printed
with ``flush=True`` right before ``os._exit`` or a crash reaches the server.

Non-stream outputs (display_data, execute_result, error) flush pending stream text
first, so the supervisor sees outputs in the order they were produced.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Callable, Optional

from .context import ORIGIN, Origin

CHUNK = 64 * 1024
DELAY = 0.010
FLUSH_WAIT = 0.5  # seconds sys.stdout.flush() waits for another sender, at most


class OutputSink:
    def __init__(self, channel, fallback: Callable[[], Optional[Origin]], orphan_fd: int):
        self.channel = channel
        self._fallback = fallback  # origin to use when the writer has none (threads, fds)
        self._orphan_fd = orphan_fd  # host stderr, for output before any execution
        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        self._emit_lock = threading.Lock()
        self._pending: list = []  # (origin, name, [parts])
        self._size = 0
        threading.Thread(target=self._flusher, name="asyncell-flusher", daemon=True).start()

    def _resolve(self, origin: Optional[Origin]) -> Optional[Origin]:
        return origin if origin is not None else self._fallback()

    def stream(self, origin: Optional[Origin], name: str, text: str) -> None:
        # Hot path: print() calls this twice per line, so it is kept to one lock and a
        # list append for the common case (same origin and stream as the last write).
        if not text:
            return
        if origin is None:
            origin = self._fallback()
            if origin is None:
                try:
                    os.write(self._orphan_fd, text.encode("utf-8", "replace"))
                except OSError:
                    pass
                return
        size = len(text)
        if size > CHUNK:
            for start in range(0, size, CHUNK):
                self.stream(origin, name, text[start : start + CHUNK])
            return
        with self._lock:
            pending = self._pending
            if not pending:
                pending.append((origin, name, [text]))
                self._wakeup.notify()  # the flusher sends it within DELAY
            else:
                last = pending[-1]
                if last[0] == origin and last[1] == name:
                    last[2].append(text)
                else:
                    pending.append((origin, name, [text]))
            self._size += size
            full = self._size >= CHUNK
        if full:
            self.flush()

    def writer(self, name: str, interrupter=None) -> Callable[[str], int]:
        """A ``write(text)`` for sys.stdout/sys.stderr: ``stream`` with the origin of the
        code writing, inlined for the common case, as it runs twice per print().  After a
        write, ``interrupter.checkpoint()`` runs while an interrupt is active."""
        lock = self._lock
        get_origin = ORIGIN.get
        stream = self.stream

        def write(text) -> int:
            if type(text) is not str and not isinstance(text, str):
                raise TypeError("write() argument must be str, not %s" % type(text).__name__)
            origin = get_origin()
            size = len(text)
            if origin is None or size > CHUNK:
                stream(origin, name, text)
            elif size:
                with lock:
                    pending = self._pending
                    if pending and pending[-1][0] == origin and pending[-1][1] == name:
                        pending[-1][2].append(text)
                    else:
                        pending.append((origin, name, [text]))
                        if len(pending) == 1:
                            self._wakeup.notify()  # the flusher sends it within DELAY
                    self._size += size
                    full = self._size >= CHUNK
                if full:
                    self.flush()
            if interrupter is not None and interrupter.active is not None:
                # A deferred KeyboardInterrupt is raised here, outside any host lock.
                interrupter.checkpoint()
            return size

        return write

    def output(self, origin: Optional[Origin], output: dict) -> None:
        """Send one non-stream nbformat output, after any stream text written before it."""
        origin = self._resolve(origin)
        with self._emit_lock:
            self._flush_locked()
            if origin is not None:
                self.channel.send(
                    {"ev": "output", "id": origin[0], "task": origin[1], "output": output}
                )

    def flush(self) -> None:
        with self._emit_lock:
            self._flush_locked()

    def flush_now(self, timeout: float = FLUSH_WAIT) -> None:
        """``sys.stdout.flush()``: send pending text synchronously, but never wait more
        than ``timeout`` for another sender (the flusher, a flood from another thread)
        to let go; then the text is theirs to send, within DELAY.  The send itself
        blocks only as every send does, on a supervisor that reads slowly."""
        if not self._pending:
            return  # the common case: print() with flush=True after the flusher ran
        if self._emit_lock.acquire(timeout=timeout):
            try:
                self._flush_locked()
            finally:
                self._emit_lock.release()

    def _flush_locked(self) -> None:
        with self._lock:
            pending, self._pending, self._size = self._pending, [], 0
        for origin, name, parts in pending:
            text = "".join(parts)
            for start in range(0, len(text), CHUNK):
                self.channel.send(
                    {
                        "ev": "output",
                        "id": origin[0],
                        "task": origin[1],
                        "output": {
                            "output_type": "stream",
                            "name": name,
                            "text": text[start : start + CHUNK],
                        },
                    }
                )

    def _flusher(self) -> None:
        while True:
            with self._lock:
                while not self._pending:
                    self._wakeup.wait()
            time.sleep(DELAY)
            self.flush()
