"""Tracebacks that show the user's code, not the host's.

A cell's exception passes through the host runner, the loop library and the task
machinery before we catch it; none of that is the user's business.  Each cell's source is
registered in ``linecache`` under ``<cell N>`` so frames show cell line numbers *and* the
source line.  Frames before the first cell frame are dropped (that is how the host
called into the cell), as are frames inside the host, the loop libraries and ``outcome``
anywhere in the stack.  Chained exceptions and exception groups are filtered the same
way.
"""

from __future__ import annotations

import linecache
import os
import sys
import traceback
from typing import List, Optional, Tuple

CELL_PREFIX = "<cell "
_HOST_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _package_dir(name: str) -> Optional[str]:
    try:
        module = __import__(name)
    except Exception:
        return None
    path = getattr(module, "__file__", None)
    return os.path.dirname(os.path.abspath(path)) + os.sep if path else None


def stdlib_package_dir(name: str) -> str:
    """Where a standard library package lives, without importing it (in trio mode
    asyncio is not loaded at start-up)."""
    module = sys.modules.get(name)
    path = getattr(module, "__file__", None)
    if path:
        return os.path.dirname(os.path.abspath(path)) + os.sep
    return os.path.join(os.path.dirname(os.path.abspath(os.__file__)), name) + os.sep


_LOOP_PACKAGES = ("trio", "outcome", "trio_asyncio", "sniffio", "exceptiongroup")
_HIDDEN_DIRS: Optional[Tuple[str, ...]] = None
_HIDDEN_FOR: Tuple[str, ...] = ()


def hidden_dirs() -> Tuple[str, ...]:
    """Our own directory, asyncio's and those of the loop libraries loaded so far
    (trio_asyncio may be loaded after the first traceback: recomputed when that changes)."""
    global _HIDDEN_DIRS, _HIDDEN_FOR
    loaded = tuple(name for name in _LOOP_PACKAGES if name in sys.modules)
    if _HIDDEN_DIRS is None or loaded != _HIDDEN_FOR:
        dirs = [_HOST_DIR, stdlib_package_dir("asyncio")]
        for name in loaded:
            found = _package_dir(name)
            if found:
                dirs.append(found)
        _HIDDEN_DIRS, _HIDDEN_FOR = tuple(dirs), loaded
    return _HIDDEN_DIRS


def is_host_file(filename: str) -> bool:
    return filename.startswith(_HOST_DIR)


def register_source(filename: str, source: str) -> None:
    """Make ``source`` visible to tracebacks/inspect under ``filename`` (never expires)."""
    lines = source.splitlines(True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    linecache.cache[filename] = (len(source), None, lines, filename)


def _filter_stack(te: traceback.TracebackException, fallback: bool = True) -> None:
    frames = list(te.stack)
    first_cell = next(
        (i for i, f in enumerate(frames) if f.filename.startswith(CELL_PREFIX)), None
    )
    if first_cell is not None:
        frames = frames[first_cell:]
    hidden = hidden_dirs()
    kept = [f for f in frames if not f.filename.startswith(hidden)]
    if not kept and fallback:  # no user frame at all: library frames beat nothing
        kept = [f for f in frames if not is_host_file(f.filename)]
    te.stack = traceback.StackSummary.from_list(kept)


def _filter_all(te: traceback.TracebackException, seen: set) -> None:
    if te is None or id(te) in seen:
        return
    seen.add(id(te))
    _filter_stack(te)
    _filter_all(te.__cause__, seen)
    _filter_all(te.__context__, seen)
    for child in getattr(te, "exceptions", None) or ():
        _filter_all(child, seen)


def format_lines(exc: BaseException, final: Optional[str] = None) -> List[str]:
    """The traceback of ``exc`` as text lines, user frames only.

    ``final`` replaces the closing ``Type: value`` line (used for interrupts, where the
    exception that actually unwound the cell, e.g. ``trio.Cancelled``, is an
    implementation detail).
    """
    te = traceback.TracebackException(type(exc), exc, exc.__traceback__, compact=True)
    _filter_all(te, set())
    if final is not None:
        _filter_stack(te, fallback=False)
        te.__cause__ = te.__context__ = None
        te.__suppress_context__ = True
        body = "".join(te.stack.format())
        head = "Traceback (most recent call last):\n" if body else ""
        text = head + body + final
    else:
        text = "".join(te.format())
    return text.rstrip("\n").split("\n")


def error_output(exc: BaseException) -> dict:
    return {
        "output_type": "error",
        "ename": type(exc).__name__,
        "evalue": str(exc),
        "traceback": format_lines(exc),
    }


def plain_error(ename: str, evalue: str, lines: Optional[List[str]] = None) -> dict:
    return {
        "output_type": "error",
        "ename": ename,
        "evalue": evalue,
        "traceback": lines if lines is not None else ["%s: %s" % (ename, evalue)],
    }


def leaves(exc: BaseException) -> List[BaseException]:
    """The non-group exceptions inside ``exc`` (itself if it is not a group)."""
    children = getattr(exc, "exceptions", None)
    if isinstance(children, (list, tuple)) and isinstance(exc, BaseException) and children:
        out: List[BaseException] = []
        for child in children:
            out.extend(leaves(child))
        return out
    return [exc]
