"""The framed channel to the supervisor (docs/protocol.md section 2).

One JSON object per line on a *private* duplicate of the original fd 1, so that nothing
the user's code does to fd 1 (``os.write(1, ...)``, C ``printf``, child processes) can
corrupt a frame.  Sends come from several threads (the loop thread, the stdin reader, the
fd pumps, the output flusher), so one lock makes each line atomic.  A blocking write is
deliberate: if the supervisor reads slowly, producers block instead of buffering without
bound (that is what keeps a 100 MB print flood from blowing host memory).
"""

from __future__ import annotations

import json
import os
import threading


class Channel:
    def __init__(self, out_fd: int, in_fd: int):
        self.out_fd = out_fd
        self.in_fd = in_fd
        self._lock = threading.Lock()
        self.closed = False

    def send(self, message: dict) -> None:
        line = json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=repr)
        # Lone surrogates (from surrogateescape'd bytes) are not valid UTF-8 and serde_json
        # would reject their \u escapes, so they become U+FFFD-ish '?' here.
        data = (line + "\n").encode("utf-8", "replace")
        with self._lock:
            if self.closed:
                return
            view = memoryview(data)
            try:
                while view:
                    written = os.write(self.out_fd, view)
                    view = view[written:]
            except OSError:
                # The supervisor is gone: nobody can see our output any more.
                self.closed = True
                os._exit(0)

    def commands(self):
        """Yield decoded commands from the private stdin until EOF (runs in the reader thread)."""
        with os.fdopen(self.in_fd, "rb", buffering=65536, closefd=False) as stream:
            for raw in stream:
                raw = raw.strip()
                if not raw:
                    continue
                try:
                    message = json.loads(raw)
                except ValueError:
                    yield {"op": "__invalid__", "raw": raw[:200].decode("utf-8", "replace")}
                    continue
                if isinstance(message, dict):
                    yield message
