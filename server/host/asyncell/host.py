"""Host start-up and the stdin command reader.

Order matters:
1. take over stdio first (protocol on private fds, fds 1/2 into pipes), so that nothing
   printed later — import noise, warnings — can corrupt a protocol frame;
2. import the loop library (trio mode without trio is a ``fatal``, exit 3);
3. install our SIGINT handler, then start the loop; once it runs, start the reader thread
   and say ``hello``.

Start-up is on the path of every "first result", so nothing is imported before ``hello``
that the first cell may not need: no argparse, no asyncio in trio mode, and the
trio-asyncio bridge opens after ``hello`` (see loop_trio).  Our own modules are compiled
to bytecode once even under PYTHONDONTWRITEBYTECODE (see ``_cache_own_bytecode``).
"""

from __future__ import annotations

import os
import select
import sys
import threading
import types

from . import context, history, magics, orphans, stdin, timer
from .capture import StdioTakeover, install_writers
from .display import install as install_display
from .interrupt import Interrupter
from .protocol import Channel
from .scheduler import Execution, Scheduler
from .sink import OutputSink

PROTOCOL_VERSION = 1
EXIT_FATAL = 3
# Names the host puts in (or IPython's history keeps in) the namespace: not the user's
# variables.
HIDDEN_NAMES = frozenset({"GLOBAL_NURSERY", "background", "In", "Out", "exit", "quit",
                          "get_ipython"})
EXIT_LOOP_FAILED = 4  # the loop ended with an exception (e.g. a trio system task raised)
_TAKEOVER = 1.0  # seconds: how often the reader thread looks at stdin while the loop reads


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
        # ``--cwd`` as asked (None for a local host, spawned in the document's directory).
        self.cwd_requested = None
        self._answerer = None
        self.stdin = None  # stdin.Stdin, installed in main
        self.namespace: dict = {}
        self._exit_lock = threading.Lock()
        self._stopping = False  # shutdown asked for: commands after it are ignored
        self._shut_down = False
        # The loop thread reads commands while idle only where the reader thread can
        # stop watching stdin without being woken (epoll: Linux); elsewhere the reader
        # thread reads them all, as a plain poll would wake it for every command anyway.
        self.loop_may_read = hasattr(select, "epoll")
        self._loop_reading = False  # see loop_reads
        self.started_timer = None  # wakes the reader thread to send a deferred started
        if self.loop_may_read:
            self._reader_poller = select.epoll(2)
            self._reader_poller.register(channel.in_fd, select.EPOLLIN)
            self.started_timer = timer.make()
            if self.started_timer is not None:
                self._reader_poller.register(self.started_timer.fd, select.EPOLLIN)
        else:
            self._reader_poller = select.poll()
            self._reader_poller.register(channel.in_fd, select.POLLIN)

    def log(self, text: str) -> None:
        """Host diagnostics go to the host's original stderr, never into a cell."""
        try:
            os.write(self.capture.host_stderr, ("asyncell host: %s\n" % text).encode("utf-8", "replace"))
        except OSError:
            pass

    def make_namespace(self) -> None:
        main = types.ModuleType("__main__", "asyncell session namespace")
        main.__dict__.update({"GLOBAL_NURSERY": self.background, "background": self.background,
                              magics.RUNTIME: magics.LazyRuntime()})
        history.install(main.__dict__)
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
            "cwd": os.getcwd(),
            "cwdRequested": self.cwd_requested,
        })
        _cache_own_bytecode()

    # -- commands ----------------------------------------------------------------------
    def _read_commands(self) -> None:
        """The reader thread: reads commands whatever the loop thread is doing.

        While the runner is idle the loop thread reads them itself (``loop_reads``), so
        that an ``execute`` starts without waking this thread and then the loop: the
        fd is taken out of this thread's epoll meanwhile (no wake-up at all), and a
        periodic look (``_TAKEOVER``) still reads what a blocked loop thread leaves."""
        poller = self._reader_poller
        timeout = _TAKEOVER if self.loop_may_read else None  # epoll: seconds
        started_timer = self.started_timer
        timer_fd = started_timer.fd if started_timer is not None else -1
        try:
            while self.channel.pump(self._dispatch) and not self._stopping:
                for fd, _events in poller.poll(timeout):
                    if fd == timer_fd:  # a cell runs for longer than timer.STARTED_DELAY
                        # Send first: with a busy cell every GIL hand-off takes a switch
                        # interval, and the read releases the GIL too.
                        self.channel.send_deferred()
                        started_timer.clear()
        except Exception as exc:
            self.log("command reader failed: %r" % (exc,))
        self._stop_reading()

    def loop_reads(self, reading: bool) -> None:
        """The loop thread starts (runner idle) or stops (a cell starts) reading
        commands itself; the reader thread stops or resumes watching stdin."""
        if not self.loop_may_read or self._loop_reading == reading:
            return
        self._loop_reading = reading
        try:
            self._reader_poller.modify(self.channel.in_fd, 0 if reading else select.EPOLLIN)
        except (OSError, ValueError):
            pass

    def pump_commands(self) -> bool:
        """The loop thread, while the runner is idle: dispatch commands that arrived
        (the reader thread may have taken them already).  False once there is nothing
        more to read."""
        try:
            if self.channel.pump(self._dispatch) and not self._stopping:
                return True
        except Exception as exc:
            self.log("reading commands failed: %r" % (exc,))
        self._stop_reading()
        return False

    def _dispatch(self, message: dict) -> None:
        if self._stopping:
            return  # nothing after shutdown is read
        op = message.get("op")
        if op == "execute":
            cell = message.get("cell")
            execution = Execution(str(message.get("id")), str(message.get("code", "")),
                                  message.get("count"), message.get("stdin") is True,
                                  cell if isinstance(cell, int) and cell > 0 else None)
            expressions = message.get("user_expressions")
            if isinstance(expressions, dict) and expressions:
                execution.user_expressions = expressions
            self.scheduler.enqueue(execution)
            self.loop.wake()
        elif op == "interrupt":
            self.interrupter.request(str(message.get("id")))
        elif op == "input_reply":
            self.stdin.answer(message.get("prompt_id"), message.get("value"))
        elif op == "status":
            self.channel.send({
                "ev": "reply", "req": message.get("req"), "loop": self.mode,
                "busy": self.scheduler.running_id(),
                "tasks": [t.as_dict() for t in self.background.tasks()],
            })
        elif op in ("complete", "inspect", "variables"):
            self.answerer().ask(message)
        elif op == "cancel_task":
            self.loop.call_soon_threadsafe(self._cancel_task, message.get("req"),
                                           str(message.get("task")))
        elif op == "shutdown":
            self._stopping = True
        else:
            self.log("ignoring unknown command: %r" % (message,))

    def answerer(self):
        """The thread that answers questions about the namespace (queries.py), made on
        the first question."""
        if self._answerer is None:
            from .queries import Answerer

            self._answerer = Answerer(lambda: self.namespace or {}, self.channel.send,
                                      lambda: HIDDEN_NAMES)
        return self._answerer
    def server_gone(self) -> None:
        """The parent-death signal (orphans.arm), in a signal handler on the main thread:
        kill the cells' processes now; shut down from another thread, as the main
        thread may have been interrupted holding ``_exit_lock``."""
        orphans.kill_cell_processes()
        threading.Thread(target=self._stop_reading, name="asyncell-orphaned", daemon=True).start()

    def _stop_reading(self) -> None:
        """stdin EOF or ``shutdown``: shut down, once.  At EOF the server is gone (or
        done with this host): the processes cells started die first (orphans)."""
        if self.channel.eof:
            orphans.kill_cell_processes()
        with self._exit_lock:
            if self._shut_down:
                return
            self._shut_down = True
            self._stopping = True
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
    """``--loop trio|asyncio``, ``--grace SECONDS`` and ``--cwd DIR``.  The supervisor's
    command line is parsed by hand (argparse alone costs ~5 ms of start-up); anything
    else, ``--help`` included, goes to argparse for its usage and error messages."""
    options = {"loop": "trio", "grace": 5.0, "cwd": None}
    rest = list(argv)
    try:
        while rest:
            name, sep, value = rest.pop(0).partition("=")
            if name not in ("--loop", "--grace", "--cwd"):
                raise ValueError(name)
            if not sep:
                value = rest.pop(0)
            if name == "--loop":
                if value not in ("trio", "asyncio"):
                    raise ValueError(value)
                options["loop"] = value
            elif name == "--cwd":
                options["cwd"] = value
            else:
                options["grace"] = float(value)
    except (ValueError, IndexError):
        return _parse_args_verbosely(argv)
    return types.SimpleNamespace(**options)


def _parse_args_verbosely(argv):
    import argparse

    parser = argparse.ArgumentParser(prog="asyncell_host", description="asyncell cell host")
    parser.add_argument("--loop", choices=("trio", "asyncio"), default="trio")
    parser.add_argument("--grace", type=float, default=5.0,
                        help="seconds an interrupt may take before it is reported as stuck")
    parser.add_argument("--cwd", default=None,
                        help="the document's directory: run there if it exists on this machine")
    return parser.parse_args(argv)


_BYTECODE_DELAY = 2.0  # seconds after hello: off the path of the first cells


def _cache_own_bytecode() -> None:
    """Write the .pyc files of this package if Python did not (PYTHONDONTWRITEBYTECODE
    or ``-B``): compiling our ~2000 lines costs every later start 20-30 ms otherwise.
    Only our own directory (the server's extraction cache) is touched, from a daemon
    thread a little after hello, once per host directory and Python version."""
    if not sys.dont_write_bytecode:
        return  # the import system wrote them already
    package = os.path.dirname(os.path.abspath(__file__))

    def compile_missing() -> None:
        try:
            import importlib.util
            import py_compile

            for name in sorted(os.listdir(package)):
                if not name.endswith(".py"):
                    continue
                source = os.path.join(package, name)
                target = importlib.util.cache_from_source(source)
                if not os.path.exists(target):
                    py_compile.compile(source, cfile=target, doraise=True)
        except Exception:
            pass  # read-only directory, no space: only start-up speed is lost

    timer = threading.Timer(_BYTECODE_DELAY, compile_missing)
    timer.daemon = True
    timer.start()


def _externally_managed() -> bool:
    """Whether pip refuses to install into this interpreter (PEP 668): a system Python
    outside any venv whose stdlib carries an EXTERNALLY-MANAGED marker."""
    if sys.prefix != sys.base_prefix:
        return False
    import sysconfig

    return os.path.isfile(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))


def _trio_missing(exc: BaseException) -> str:
    """The start-up failure when trio is missing, with the fix that works here."""
    python = sys.executable
    if _externally_managed():
        fix = (
            "%s is managed by the system, so pip cannot install into it; create a venv for "
            "the project: `%s -m venv .venv && .venv/bin/python -m pip install trio`"
            % (python, python)
        )
    else:
        fix = "install it with: %s -m pip install trio" % python
    return "trio is not importable by %s (%s); %s" % (python, exc, fix)


def _enter(directory) -> None:
    """Runs the cells in the document's directory when it exists here. A remote host
    (``ssh box python3``) starts in the remote home; the same project is often checked
    out at the same path there. When it is not, the host stays where it started, and
    hello says both, so the server can tell the user where the cells run."""
    if directory is None:
        return
    try:
        os.chdir(directory)
    except OSError:
        pass


def main(argv=None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    _enter(args.cwd)
    stdio = StdioTakeover()
    channel = Channel(stdio.protocol_out, stdio.protocol_in)
    session = Session(args.loop, args.grace, stdio, channel)
    session.cwd_requested = args.cwd
    stdio.start(session.sink)
    install_writers(session.sink, session.interrupter)
    session.stdin = stdin.install(session)
    install_display()  # IPython's display functions, once a cell imports IPython
    os.environ["MPLBACKEND"] = "Agg"  # figures are rendered to PNG, never to a window

    if args.loop == "trio":
        try:
            import trio  # noqa: F401
        except ImportError as exc:
            channel.send({"ev": "fatal", "reason": "trio-missing", "message": _trio_missing(exc)})
            session.exit(EXIT_FATAL)
        from .loop_trio import TrioLoop as Loop
    else:
        from .loop_asyncio import AsyncioLoop as Loop

    session.loop = Loop(session)
    session.background = session.loop.background
    session.make_namespace()
    context.session = session
    session.interrupter.install()
    orphans.arm(session.server_gone)
    try:
        session.loop.run()
    except BaseException as exc:
        _loop_failed(session, exc)
    session.exit(0)


def _loop_failed(session: Session, exc: BaseException) -> None:
    """The loop ended with an exception: say why (``fatal``; the traceback on the host's
    stderr, whose last lines the server shows with HostDied) and exit non-zero, so the
    server does not report a host that "died (exit code 0)".  A shutdown that unwound
    with an exception is still a clean exit."""
    crash = getattr(session.loop, "crash", None)
    if crash is None and session.loop.shutting_down:
        session.log("loop exited with %r" % (exc,))
        return
    if crash is not None:
        reason, message, text = "system-task-failed", crash.message, crash.traceback
    else:
        from .tracebacks import format_lines

        reason = "loop-failed"
        message = "the %s loop failed: %s: %s" % (session.mode, type(exc).__name__, exc)
        text = "\n".join(format_lines(exc)) + "\n"
    session.log(message)
    session.log(text.rstrip("\n"))
    session.channel.send({"ev": "fatal", "reason": reason, "message": message})
    session.exit(EXIT_LOOP_FAILED)
