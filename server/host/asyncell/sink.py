"""Coalescing of stream output into few, bounded protocol frames.

``print`` in a tight loop calls ``write`` hundreds of thousands of times; one frame per
call would drown the supervisor.  Writes are appended to a pending list and sent when
64 KiB have accumulated or 10 ms after the first pending write, whichever comes first.
A single huge write is cut into 64 KiB pieces that are sent one after another, so host
memory stays bounded no matter how much is printed: whoever pushes the buffer over the
limit sends it themselves, and blocks on the channel if the supervisor is slow.

The pending list holds one ``(origin, name, text)`` entry per write, in the order they
were written, and takes no lock: a writer adds its entry with one ``list.append`` (atomic
under the GIL, whatever thread writes), and the one thread that sends (under
``_emit_lock``) takes the first N entries with one slice and deletes them with one
``del``, so entries appended meanwhile stay, in order.  The byte count that triggers a
synchronous flush is approximate (two threads adding at once may lose one addition, and
a flush resets it): it bounds the buffer, it does not count it exactly.  ``print(i)``
costs two ``write`` calls, so this is the host's hot path: a lock there was about a
quarter of a print flood's host CPU.

``sys.stdout.flush()`` sends pending text at once (``flush_now``), so a line printed
with ``flush=True`` right before ``os._exit`` or a crash reaches the server.

Non-stream outputs (display_data, execute_result, error) flush pending stream text
first, so the supervisor sees outputs in the order they were produced.
"""

from __future__ import annotations

import os
import threading
import time
from itertools import groupby
from operator import itemgetter
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
        self._lock = threading.Lock()  # only for the flusher's wake-up
        self._wakeup = threading.Condition(self._lock)
        self._emit_lock = threading.Lock()  # one sender at a time: frames stay in order
        self._pending: list = []  # (origin, name, text), in write order; see the module doc
        self._size = 0  # approximate characters pending
        self._idle = False  # the flusher waits for a first pending entry
        self._sent_at = 0.0  # monotonic time of the last send of pending text
        threading.Thread(target=self._flusher, name="asyncell-flusher", daemon=True).start()

    def _resolve(self, origin: Optional[Origin]) -> Optional[Origin]:
        return origin if origin is not None else self._fallback()

    def stream(self, origin: Optional[Origin], name: str, text: str) -> None:
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
        self._pending.append((origin, name, text))
        if self._idle:
            self._kick()
        self._size += size
        if self._size >= CHUNK:
            self.flush()

    def writer(self, name: str, interrupter=None) -> Callable[[str], int]:
        """A ``write(text)`` for sys.stdout/sys.stderr: ``stream`` with the origin of the
        code writing, inlined for the common case, as it runs twice per print().  After a
        write, ``interrupter.checkpoint()`` runs while an interrupt is active."""
        get_origin = ORIGIN.get
        stream = self.stream
        append = self._pending.append  # the list is never replaced (see _flush_locked)

        def write(text) -> int:
            if type(text) is not str and not isinstance(text, str):
                raise TypeError("write() argument must be str, not %s" % type(text).__name__)
            origin = get_origin()
            size = len(text)
            if origin is None or size > CHUNK:
                stream(origin, name, text)
            elif size:
                append((origin, name, text))
                if self._idle:
                    self._kick()
                self._size += size
                if self._size >= CHUNK:
                    self.flush()
            if interrupter is not None and interrupter.active is not None:
                # A deferred KeyboardInterrupt is raised here, outside any host lock.
                interrupter.checkpoint()
            return size

        return write

    def _kick(self) -> None:
        """Wake the flusher: a first entry is pending (it sends it within DELAY)."""
        with self._lock:
            if self._idle:
                self._idle = False
                self._wakeup.notify()

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
        """Send what is pending (the caller holds ``_emit_lock``)."""
        pending = self._pending
        if not pending:
            return
        self._size = 0  # before taking: what is appended from here on is counted again
        self._sent_at = time.monotonic()  # every entry older than this is taken
        count = len(pending)
        batch = pending[:count]
        del pending[:count]  # entries appended since stay, in order
        send = self.channel.send
        first_origin, first_name, _ = batch[0]
        # Usually every entry is the same stream of the same cell: one run, found by the
        # quickest loop Python has (a comprehension), else runs of equal origin and name.
        texts = [text for origin, name, text in batch
                 if origin is first_origin and name is first_name]
        if len(texts) == count:
            runs = (((first_origin, first_name), texts),)
        else:
            runs = ((key, map(_TEXT, entries)) for key, entries in groupby(batch, _KEY))
        for (origin, name), entries in runs:
            text = "".join(entries)
            for start in range(0, len(text), CHUNK):
                send(
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
        pending = self._pending
        while True:
            with self._lock:
                # The flag first, then the look (writers append, then look at the flag):
                # whichever order they run in, a pending entry is never left unsent.
                while True:
                    self._idle = True
                    if pending:
                        break
                    self._wakeup.wait()
                self._idle = False
            began = time.monotonic()
            time.sleep(DELAY)
            # A flood flushes itself every CHUNK: if a send took everything pending after
            # this wait began, what is pending now is younger than that send, so it is
            # due DELAY after it (each entry still goes out within DELAY of its write).
            # Without this the flusher sent a small frame every DELAY in the middle of a
            # flood, and took the GIL from the printing thread to do it.
            while pending and self._sent_at > began:
                began = self._sent_at
                wait = began + DELAY - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            self.flush()


_KEY = itemgetter(0, 1)
_TEXT = itemgetter(2)
