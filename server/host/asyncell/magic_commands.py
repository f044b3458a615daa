"""What the magic lines do once ``magics.transform`` has made them Python calls.

Bound in every cell namespace as ``__asyncell__``.  The functions run on the loop
thread, inside the cell, so whatever they print is the cell's output.  Shell escapes and
``%pip`` run a child process on the cell's own fds 1/2 (the capture pipes): its output
streams into the cell as it is written, progress bars included, and is drained before
the next line of the cell prints.  They block the loop while the command runs, as in
IPython; an interrupt (KeyboardInterrupt) kills the child.
"""

from __future__ import annotations

import inspect
import os
import re
import shlex
import subprocess
import sys
import time
from typing import Any, List

from . import context
from .context import ORIGIN
from .magics import SUPPORTED, supported_text
from .tracebacks import plain_error

_REPR_LIMIT = 400
_HIDDEN = frozenset({"GLOBAL_NURSERY", "background", "In", "Out", "exit", "quit"})
_failed: set = set()  # executions where an unknown magic was reported (see take_failure)


class UsageError(Exception):
    """A magic was given arguments it cannot use (IPython's name for it)."""


def _caller_namespace(depth: int = 2) -> dict:
    frame = sys._getframe(depth)
    namespace = dict(frame.f_globals)
    if frame.f_locals is not frame.f_globals:
        namespace.update(frame.f_locals)
    return namespace


_BRACES = re.compile(r"\{([^{}]+)\}")
_DOLLAR = re.compile(r"(?<!\$)\$([A-Za-z_]\w*)")


def _expand(command: str, namespace: dict) -> str:
    """IPython's ``{expr}`` and ``$name`` in shell lines; left as written when they do
    not evaluate (``$HOME`` stays for the shell), ``$$`` is a literal ``$``."""
    def braces(match):
        try:
            return str(eval(match.group(1), namespace))
        except Exception:
            return match.group(0)

    def dollar(match):
        name = match.group(1)
        return str(namespace[name]) if name in namespace else match.group(0)

    return _DOLLAR.sub(dollar, _BRACES.sub(braces, command)).replace("$$", "$")


def _drain() -> None:
    session = context.session
    if session is not None:
        session.capture.drain()


def _run(argv, shell: bool = False) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        code = subprocess.run(argv, shell=shell, stdin=subprocess.DEVNULL).returncode
    finally:
        _drain()  # its output before whatever the cell prints next
    return code


def system(command: str) -> None:
    """``!cmd``: run in a shell; the status is in ``_exit_code``, and a failing command
    does not raise (as in IPython)."""
    frame = sys._getframe(1)
    code = _run(_expand(command, _caller_namespace()), shell=True)
    frame.f_globals["_exit_code"] = code


def getoutput(command: str) -> List[str]:
    """``x = !cmd``: the command's stdout as a list of lines (stderr shows as usual)."""
    frame = sys._getframe(1)
    sys.stdout.flush()
    try:
        done = subprocess.run(_expand(command, _caller_namespace()), shell=True,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    finally:
        _drain()
    frame.f_globals["_exit_code"] = done.returncode
    return done.stdout.decode("utf-8", "replace").splitlines()


def magic_pip(args: str) -> None:
    """``%pip ...``: pip of the host's own interpreter, never another one on PATH."""
    words = shlex.split(_expand(args, _caller_namespace()))
    if not words:
        raise UsageError("%pip needs a pip command, e.g. %pip install requests")
    _run([sys.executable, "-m", "pip", *words])
    if words[0] in ("install", "uninstall"):
        print("Note: you may need to restart the host to use updated packages.")


def magic_matplotlib(args: str) -> None:
    """Figures are always rendered inline (PNG, Agg): ``inline`` is a no-op, and a GUI
    backend cannot open a window from the host."""
    if args.strip() not in ("", "inline"):
        print("asyncell shows figures inline; %%matplotlib %s is ignored" % args.strip())


def magic_env(args: str) -> Any:
    args = args.strip()
    if not args:
        return dict(os.environ)
    name, sep, value = args.partition("=")
    if not sep and " " in args:
        name, value = args.split(None, 1)
        sep = " "
    name = name.strip()
    if not sep:
        try:
            return os.environ[name]
        except KeyError:
            raise UsageError("Environment does not have key: %s" % name) from None
    value = _expand(value.strip(), _caller_namespace())
    os.environ[name] = value
    print("env: %s=%s" % (name, value))
    return None


def magic_cd(args: str) -> None:
    target = _expand(args.strip(), _caller_namespace()) or "~"
    if len(target) > 1 and target[0] == target[-1] and target[0] in "'\"":
        target = target[1:-1]
    os.chdir(os.path.expanduser(target))
    print(os.getcwd())


def magic_who(args: str) -> None:
    namespace = sys._getframe(1).f_globals
    names = sorted(name for name, value in namespace.items()
                   if not name.startswith("_") and name not in _HIDDEN
                   and not (args and type(value).__name__ not in args.split()))
    print("\t".join(names) if names else "Interactive namespace is empty.")


def magic_autoawait(args: str) -> None:
    session = context.session
    loop = session.loop.name if session is not None else "trio"
    wanted = args.strip() or loop
    if wanted != loop:
        raise UsageError("%%autoawait %s: this host runs the %s loop; restart the host with "
                         "the %s loop" % (wanted, loop, wanted))


def magic_time(args: str) -> None:
    raise UsageError("%time needs a statement, e.g. %time f(); for a block use %%time "
                     "on the cell's first line")


def magic_timeit(args: str) -> None:
    if not args:
        raise UsageError("%timeit needs a statement, e.g. %timeit sum(range(100))")
    namespace = _caller_namespace()
    code = compile(args, "<timeit>", "exec", dont_inherit=True)
    _report(_measure(lambda: exec(code, namespace)))


async def timeit_async(args: str) -> None:
    """``%timeit await f()``: each loop awaits the statement."""
    import ast

    namespace = _caller_namespace()
    code = compile(args, "<timeit>", "exec", ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)

    async def once():
        result = eval(code, namespace)
        if inspect.iscoroutine(result):
            await result

    loops, runs = 1, []
    while True:
        started = time.perf_counter()
        for _ in range(loops):
            await once()
        took = time.perf_counter() - started
        if took >= _RUN_TARGET or loops >= _MAX_LOOPS:
            break
        loops *= 10
    runs.append(took)
    for _ in range(_RUNS - 1):
        started = time.perf_counter()
        for _ in range(loops):
            await once()
        runs.append(time.perf_counter() - started)
    _report((loops, runs))


_RUNS = 7
_RUN_TARGET = 0.2  # seconds: loops per run grow tenfold until one run takes this long
_MAX_LOOPS = 10_000_000


def _measure(fn):
    loops = 1
    while True:
        started = time.perf_counter()
        for _ in range(loops):
            fn()
        took = time.perf_counter() - started
        if took >= _RUN_TARGET or loops >= _MAX_LOOPS:
            break
        loops *= 10
    runs = [took]
    for _ in range(_RUNS - 1):
        started = time.perf_counter()
        for _ in range(loops):
            fn()
        runs.append(time.perf_counter() - started)
    return loops, runs


def _format_seconds(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return "%.3g %s" % (seconds / scale, unit)
    return "%.3g ns" % (seconds / 1e-9)


def _report(measured) -> None:
    loops, runs = measured
    per_loop = [run / loops for run in runs]
    mean = sum(per_loop) / len(per_loop)
    std = (sum((x - mean) ** 2 for x in per_loop) / len(per_loop)) ** 0.5
    print("%s ± %s per loop (mean ± std. dev. of %d runs, %d loop%s each)"
          % (_format_seconds(mean), _format_seconds(std), len(runs), loops,
             "" if loops == 1 else "s"))


_timers: list = []


def time_begin() -> None:
    """``%time stmt``, before the statement (returns None: ``begin() or (expr)``)."""
    del _timers[:-16]  # a statement that raised never reached time_end: stay bounded
    _timers.append((time.perf_counter(), os.times()))


def time_end(value: Any = None) -> Any:
    if _timers:
        print_times(*_timers.pop())
    return value


def print_times(wall_started: float, cpu_started) -> None:
    wall = time.perf_counter() - wall_started
    now = os.times()
    user, system_ = now.user - cpu_started.user, now.system - cpu_started.system
    print("CPU times: user %s, sys: %s, total: %s\nWall time: %s"
          % (_format_seconds(user), _format_seconds(system_), _format_seconds(user + system_),
             _format_seconds(wall)))


def pinfo(name: str, detail: int) -> None:
    """``obj?`` / ``obj??``: a dotted name is looked up (never called or evaluated)."""
    namespace = _caller_namespace()
    first, *rest = name.split(".")
    if first in namespace:
        obj = namespace[first]
    else:
        import builtins

        if not hasattr(builtins, first):
            print("Object `%s` not found." % name)
            return
        obj = getattr(builtins, first)
    for attribute in rest:
        try:
            obj = getattr(obj, attribute)
        except AttributeError:
            print("Object `%s` not found." % name)
            return
    lines = []
    try:
        lines.append(("Signature", name.split(".")[-1] + str(inspect.signature(obj))))
    except (TypeError, ValueError):
        pass
    lines.append(("Type", type(obj).__name__))
    try:
        text = repr(obj)
    except Exception as exc:
        text = "<repr failed: %r>" % (exc,)
    if len(text) > _REPR_LIMIT:
        text = text[:_REPR_LIMIT] + "..."
    lines.append(("String form", text))
    try:
        filename = inspect.getsourcefile(obj) or inspect.getfile(obj)
        lines.append(("File", filename))
    except TypeError:
        pass
    source = None
    if detail > 1:
        try:
            source = inspect.getsource(obj)
        except (OSError, TypeError):
            source = None
    if source is not None:
        lines.append(("Source", "\n" + source.rstrip("\n")))
    else:
        lines.append(("Docstring", inspect.getdoc(obj) or "<no docstring>"))
        if detail > 1:
            lines.append(("Source", "not available"))
    print("\n".join("%s:%s%s" % (label, "" if value.startswith("\n") else " ", value)
                    for label, value in lines))


def unknown(name: str) -> None:
    """An unknown line magic: one UsageError output at this line; the cell goes on."""
    origin = ORIGIN.get()
    message = "unknown magic %%%s (asyncell supports: %s)" % (name, supported_text())
    session = context.session
    if session is None or origin is None:
        raise UsageError(message)
    sys.stdout.flush()
    session.sink.output(origin, plain_error("UsageError", message))
    _failed.add(origin[0])


def take_failure(execution_id: str) -> bool:
    """Whether an unknown magic was reported in this execution (its status: error)."""
    if execution_id in _failed:
        _failed.discard(execution_id)
        return True
    return False


__all__ = ["SUPPORTED"]
