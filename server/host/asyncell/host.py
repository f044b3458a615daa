"""Host start-up and the stdin command reader.

Order matters:
1. take over stdio first (protocol on private fds, fds 1/2 into pipes), so that nothing
   printed later — import noise, warnings — can corrupt a protocol frame;
2. import the loop library (trio mode without trio is a ``fatal``, exit 3);
3. install our SIGINT handler, then start the loop; once it runs, start the reader thread
   and say ``hello``.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import types

from . import context
from .capture import StdioTakeover, install_writers
from .interrupt import Interrupter
from .protocol import Channel
from .scheduler import Execution, Scheduler
from .sink import OutputSink

PROTOCOL_VERSION = 1
EXIT_FATAL = 3


class Session:
    def __init__(self, mode: str, grace: float, stdio: StdioTakeover, channel: Channel):
        self.mode = mode
        self.capture = stdio
        self.channel = channel
        self.scheduler = Scheduler()
        self.sink = OutputSink(channel, self.scheduler.fallback_origin, stdio.host_stderr)
        self.interrupter = Interrupter(self, grace)
        self.loop = None
        self.background = None
        self.namespace: dict = {}
        self._exit_lock = threading.Lock()

    def log(self, text: str) -> None:
        """Host diagnostics go to the host's original stderr, never into a cell."""
        try:
            os.write(self.capture.host_stderr, ("asyncell host: %s\n" % text).encode("utf-8", "replace"))
        except OSError:
            pass

    def make_namespace(self) -> None:
        main = types.ModuleType("__main__", "asyncell session namespace")
        main.__dict__.update({"GLOBAL_NURSERY": self.background, "background": self.background})
        sys.modules["__main__"] = main  # pickling/dataclasses find cell definitions
        self.namespace = main.__dict__

    def loop_ready(self) -> None:
        """Called on the loop thread once the loop runs: start reading commands."""
        threading.Thread(target=self._read_commands, name="asyncell-reader", daemon=True).start()
        self.channel.send({
            "ev": "hello",
            "pid": os.getpid(),
            "python": sys.executable,
            "version": sys.version,
            "loop": self.mode,
            "protocol": PROTOCOL_VERSION,
            "bridge": bool(self.loop.bridge),
        })

    # -- reader thread -----------------------------------------------------------------
    def _read_commands(self) -> None:
        try:
            for message in self.channel.commands():
                op = message.get("op")
                if op == "execute":
                    execution = Execution(str(message.get("id")), str(message.get("code", "")),
                                          message.get("count"))
                    self.scheduler.enqueue(execution)
                    self.loop.wake()
                elif op == "interrupt":
                    self.interrupter.request(str(message.get("id")))
                elif op == "status":
                    self.channel.send({
                        "ev": "reply", "req": message.get("req"), "loop": self.mode,
                        "busy": self.scheduler.running_id(),
                        "tasks": [t.as_dict() for t in self.background.tasks()],
                    })
                elif op == "cancel_task":
                    self.loop.call_soon_threadsafe(self._cancel_task, message.get("req"),
                                                   str(message.get("task")))
                elif op == "shutdown":
                    break
                else:
                    self.log("ignoring unknown command: %r" % (message,))
        except Exception as exc:
            self.log("command reader failed: %r" % (exc,))
        self.shutdown()

    def _cancel_task(self, req, task_id: str) -> None:
        cancelled = self.background.cancel(task_id)
        self.channel.send({"ev": "reply", "req": req, "cancelled": cancelled})

    def shutdown(self) -> None:
        """Stop promptly: ask the loop to unwind; if it is wedged, exit anyway."""
        for execution in self.scheduler.drain_queue():
            self.channel.send({"ev": "done", "id": execution.id, "status": "cancelled",
                               "duration_ms": 0.0})
        self.loop.request_shutdown()
        timer = threading.Timer(1.0, self.exit)
        timer.daemon = True
        timer.start()

    def exit(self, code: int = 0) -> None:
        with self._exit_lock:
            try:
                self.sink.flush()
            except Exception:
                pass
            os._exit(code)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="asyncell_host", description="asyncell cell host")
    parser.add_argument("--loop", choices=("trio", "asyncio"), default="trio")
    parser.add_argument("--grace", type=float, default=5.0,
                        help="seconds an interrupt may take before it is reported as stuck")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    stdio = StdioTakeover()
    channel = Channel(stdio.protocol_out, stdio.protocol_in)
    session = Session(args.loop, args.grace, stdio, channel)
    stdio.start(session.sink)
    install_writers(session.sink, session.interrupter.checkpoint)
    os.environ["MPLBACKEND"] = "Agg"  # figures are rendered to PNG, never to a window

    if args.loop == "trio":
        try:
            import trio  # noqa: F401
        except ImportError as exc:
            channel.send({
                "ev": "fatal",
                "message": "trio is not importable by %s (%s); install it with: %s -m pip install trio"
                % (sys.executable, exc, sys.executable),
            })
            session.exit(EXIT_FATAL)
        from .loop_trio import TrioLoop as Loop
    else:
        from .loop_asyncio import AsyncioLoop as Loop

    session.loop = Loop(session)
    session.background = session.loop.background
    session.make_namespace()
    context.session = session
    session.interrupter.install()
    try:
        session.loop.run()
    except BaseException as exc:
        session.log("loop exited with %r" % (exc,))
    session.exit(0)
