"""Everything user code writes becomes stream output; nothing touches the protocol.

Two layers, because output is produced at two levels:

* fd level: fds 1 and 2 are pointed at pipes that a pump thread reads, so
  ``os.write(1, ...)``, C extensions and child processes (``subprocess.run(["echo"])``)
  all show up as ``stdout``/``stderr`` stream outputs.  The protocol itself lives on a
  private, non-inheritable dup of the original fd 1, and fd 0 becomes /dev/null so user
  code (``input()``) can never eat protocol commands.  fd output carries no context, so
  it is attributed to the running execution (or the most recent one).
* Python level: ``sys.stdout``/``sys.stderr`` are replaced by writers that look up the
  current origin (execution id, background task id) in a ContextVar at write time, so
  output of a background task goes to the cell that started it.

``drain()`` is called at the end of every execution: all fd output written by the cell
is already in the pipes by then, and reading it under the pump lock guarantees it is
sent before ``done``.
"""

from __future__ import annotations

import codecs
import ctypes
import io
import os
import select
import sys
import threading


class StdioTakeover:
    """Owns the original stdio descriptors and the output pipes."""

    def __init__(self) -> None:
        # Private copies: os.dup() makes them non-inheritable, so children never see them.
        self.protocol_out = os.dup(1)
        self.protocol_in = os.dup(0)
        self.host_stderr = os.dup(2)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        self._readers = {}
        for fd, name in ((1, "stdout"), (2, "stderr")):
            r, w = os.pipe()
            os.dup2(w, fd)  # dup2 targets are inheritable: children write into the pipe
            os.close(w)
            os.set_blocking(r, False)
            self._readers[r] = (name, codecs.getincrementaldecoder("utf-8")("replace"))
        self._lock = threading.Lock()
        self._sink = None
        self._libc = None
        self._drain_poller = select.poll()
        for fd in self._readers:
            self._drain_poller.register(fd, select.POLLIN)

    def start(self, sink) -> None:
        self._sink = sink
        threading.Thread(target=self._pump, name="asyncell-fd-pump", daemon=True).start()

    def _read_available(self, fd: int) -> bool:
        """Reads what is in the pipe now; whether there was anything."""
        name, decoder = self._readers[fd]
        got = False
        while True:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                return got
            except OSError:
                return got
            if not data:
                return got
            got = True
            self._sink.stream(None, name, decoder.decode(data))
            if len(data) < 65536:
                return got

    def _pump(self) -> None:
        poller = select.poll()
        for fd in self._readers:
            poller.register(fd, select.POLLIN)
        while True:
            ready = poller.poll()
            with self._lock:
                for fd, _event in ready:
                    self._read_available(fd)

    def drain(self) -> None:
        """Send every byte already written to fds 1/2 (call before ``done``)."""
        try:
            if self._libc is None:
                self._libc = ctypes.CDLL(None)
            self._libc.fflush(None)  # C stdio buffers of extensions
        except Exception:
            pass
        with self._lock:
            # One poll for both pipes (usually nothing is there); _read_available stops
            # after a short read, so poll again until both are truly empty.
            while True:
                got = False
                for fd, _event in self._drain_poller.poll(0):
                    got = self._read_available(fd) or got
                if not got:  # empty (or every writer closed its end: nothing will come)
                    return


class StreamWriter(io.TextIOBase):
    """Replacement for ``sys.stdout``/``sys.stderr``: attributes text via the ContextVar."""

    def __init__(self, sink, name: str, fd: int, interrupter=None):
        super().__init__()
        self._sink = sink
        self._name = name
        self._fd = fd
        # An instance attribute, not a method: print() then runs one Python function
        # per write (see OutputSink.writer).
        self.write = sink.writer(name, interrupter)
        self.buffer = _BinaryWriter(self)

    # -- io.TextIOBase API -------------------------------------------------------------
    name = property(lambda self: "<%s>" % self._name)
    encoding = "utf-8"
    errors = "replace"
    line_buffering = True

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Push what was written so far to the server now (``print(..., flush=True)``
        right before ``os._exit`` or a crash must not lose the line).  Bounded: see
        OutputSink.flush_now."""
        self._sink.flush_now()

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._fd

    def readable(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False


class _BinaryWriter(io.RawIOBase):
    """``sys.stdout.buffer``: bytes are decoded incrementally and sent as text."""

    def __init__(self, text_writer: StreamWriter):
        super().__init__()
        self._text = text_writer
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def write(self, data) -> int:
        self._text.write(self._decoder.decode(bytes(data)))
        return len(data)

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        self._text.flush()

    def fileno(self) -> int:
        return self._text.fileno()


def install_writers(sink, interrupter) -> None:
    """``interrupter.checkpoint()`` runs after a write while an interrupt is active."""
    sys.stdout = StreamWriter(sink, "stdout", 1, interrupter)
    sys.stderr = StreamWriter(sink, "stderr", 2, interrupter)

