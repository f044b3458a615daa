"""``input()`` and ``getpass.getpass()`` in a cell: answered by the front end, when it can.

A Jupyter front end that sent ``allow_stdin: true`` can answer: the supervisor marks such
an execution ``stdin``, and the host sends ``input_request`` (the execution, a number,
the prompt, whether it is a password); the kernel asks the front end on its stdin
channel and sends the answer back as ``input_reply`` with that number.  The cell's code
waits for it on the loop thread, as ``input()`` blocks in any kernel.  An interrupt
raises KeyboardInterrupt into the wait: interrupt.py treats this file as the cell's own
code, and the wait (a ``SimpleQueue.get`` in C) lets the SIGINT handler run.

Every other front end (an editor, ``asyncell run``, nbclient and papermill, a Jupyter
client that sent ``allow_stdin: false``) has nobody to ask: ``input()`` raises
StdinNotImplementedError at once, saying so, instead of reading EOF from /dev/null
(fd 0 is never the protocol: capture.py) or waiting forever.

``getpass`` is patched when something first imports it (import_hooks.py): importing it
at start-up would cost every host ~10 ms for a function few cells call.
"""

from __future__ import annotations

import builtins
import itertools
import threading
from _queue import SimpleQueue
from typing import Any, Dict, Optional

from . import import_hooks
from .context import ORIGIN

#: What a front end sends for Ctrl-D in an input box (ipykernel reads it as EOF too).
_EOF = "\x04"

_NO_FRONT_END = (
    "input() was called, but this cell was run by a front end that does not answer input "
    "requests (an editor, `asyncell run`, nbclient or papermill, or a Jupyter client that "
    "sent allow_stdin: false). Put the value in the code instead, or run the cell from "
    "JupyterLab, Notebook or a console, which ask you for it."
)
_NOT_THE_CELL = (
    "input() was called outside the running cell's own code (from a background task, a "
    "thread, or between cells): only the cell that is running can ask the front end for "
    "input. Call input() in the cell itself and pass the value on."
)


class StdinNotImplementedError(NotImplementedError):
    """``input()`` where no front end can answer it (IPython's name for the same case)."""


class Stdin:
    """The input requests of this host: asked on the loop thread, answered by the
    command reader thread."""

    def __init__(self, session) -> None:
        self._session = session
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._waiting: Dict[int, SimpleQueue] = {}

    def ask(self, prompt: Any, password: bool) -> str:
        """Ask the front end of the running cell; its answer, without a newline."""
        session = self._session
        execution = session.scheduler.running
        if execution is None or not execution.stdin:
            raise StdinNotImplementedError(_NO_FRONT_END)
        origin = ORIGIN.get()
        if origin is None or origin[0] != execution.id or origin[1] is not None:
            raise StdinNotImplementedError(_NOT_THE_CELL)
        number = next(self._numbers)
        answer: SimpleQueue = SimpleQueue()
        with self._lock:
            self._waiting[number] = answer
        try:
            # What the cell printed before comes first (front ends show the prompt after it).
            session.sink.flush()
            session.channel.send({"ev": "input_request", "id": execution.id,
                                  "prompt_id": number, "prompt": str(prompt),
                                  "password": bool(password)})
            value = _wait(answer)
        finally:
            with self._lock:
                self._waiting.pop(number, None)
        if value == _EOF:
            raise EOFError("the front end closed the input (Ctrl-D)")
        return value

    def answer(self, number: Any, value: Any) -> None:
        """The reader thread: the front end's answer to request ``number``.  One for a
        request nobody waits for any more (interrupted) is dropped."""
        with self._lock:
            waiting = self._waiting.get(number) if isinstance(number, int) else None
        if waiting is not None:
            waiting.put(value if isinstance(value, str) else "")


def _wait(answer: SimpleQueue) -> str:
    # Kept apart so the SIGINT handler sees this file's frame innermost (interrupt.py).
    return answer.get()


_stdin: Optional[Stdin] = None


def input(prompt: Any = "") -> str:  # noqa: A001 - replaces the builtin
    """``input()`` in a cell: the front end answers (see the module doc)."""
    if _stdin is None:
        raise StdinNotImplementedError(_NO_FRONT_END)
    return _stdin.ask(prompt, False)


def getpass(prompt: str = "Password: ", stream: Any = None) -> str:
    """``getpass.getpass()`` in a cell: as ``input()``, the answer hidden as it is typed."""
    if _stdin is None:
        raise StdinNotImplementedError(_NO_FRONT_END)
    return _stdin.ask(prompt, True)


def install(session) -> Stdin:
    """Replace ``input`` (and ``getpass.getpass``, now or when imported) for the cells."""
    global _stdin
    _stdin = Stdin(session)
    builtins.input = input
    import_hooks.after_import("getpass", _patch_getpass)
    return _stdin


def _patch_getpass(module) -> None:
    module.getpass = getpass
