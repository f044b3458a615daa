"""Questions about the live namespace: completion, inspection and the variables view.

Jupyter front ends only get these while the kernel is idle. Here the cells' loop is
free whenever a cell awaits, and the namespace is a dict any thread can read, so the
answers come from a thread of their own, whatever the loop thread is doing: idle,
awaiting ``trio.sleep(10)``, or busy in Python (then this thread gets the GIL at the
switch interval, 1 ms while a cell runs).  The reader thread only hands questions over,
so an interrupt is never queued behind one.

What runs user code is bounded.  ``repr()``, ``dir()``, properties and module
``__getattr__`` run in a disposable worker thread, and a question waits for it at most
``USER_CODE_TIMEOUT``; a ``__repr__`` that never returns leaves one stuck daemon
thread, which is counted, and once ``MAX_STUCK`` of them are stuck, user code is
not called again (answers say "…").  Nothing here is imported before the first
question.
"""

from __future__ import annotations

import builtins
import keyword
import queue
import re
import sys
import threading
import types
from typing import Any, Callable, Dict, List, Optional

USER_CODE_TIMEOUT = 0.2  # seconds one call into user code may take
MAX_STUCK = 4  # user-code workers that never returned; beyond it user code isn't called
MAX_QUESTIONS = 64  # questions waiting; beyond it the answer is "busy"
REPR_LIMIT = 200  # characters of a value's repr in the variables view
DOC_LIMIT = 8000  # characters of a docstring or source in an inspection
MAX_MATCHES = 500  # completions in one answer
MAX_PAGE = 1000  # variables in one page

_stuck = 0
_stuck_lock = threading.Lock()
_TIMED_OUT = object()


def bounded(fn: Callable[[], Any], default: Any = _TIMED_OUT) -> Any:
    """``fn()`` in a worker thread, waiting at most ``USER_CODE_TIMEOUT``: its value, or
    ``default`` if it raised, timed out, or too many earlier calls are stuck."""
    global _stuck
    with _stuck_lock:
        if _stuck >= MAX_STUCK:
            return default
    result: List[Any] = []

    def work() -> None:
        try:
            result.append(fn())
        except BaseException:
            result.append(default)

    worker = threading.Thread(target=work, name="asyncell-query-user-code", daemon=True)
    worker.start()
    worker.join(USER_CODE_TIMEOUT)
    if worker.is_alive():
        with _stuck_lock:
            _stuck += 1
        return default
    return result[0] if result else default


class Answerer:
    """The thread that answers questions, one at a time, in arrival order."""

    def __init__(self, namespace: Callable[[], Dict[str, Any]], reply: Callable[[dict], None],
                 hidden: Callable[[], set]):
        self._namespace = namespace
        self._reply = reply
        self._hidden = hidden
        self._questions: "queue.Queue[dict]" = queue.Queue(MAX_QUESTIONS)
        self._thread: Optional[threading.Thread] = None

    def ask(self, message: dict) -> None:
        """Called by the reader thread: never blocks."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="asyncell-queries", daemon=True)
            self._thread.start()
        try:
            self._questions.put_nowait(message)
        except queue.Full:
            self._reply({"ev": "reply", "req": message.get("req"),
                         "error": "busy: %d questions are waiting" % MAX_QUESTIONS})

    def _run(self) -> None:
        while True:
            message = self._questions.get()
            try:
                answer = self.answer(message)
            except Exception as exc:  # a bug here must not end the thread
                answer = {"error": "%s: %s" % (type(exc).__name__, exc)}
            answer.update({"ev": "reply", "req": message.get("req")})
            self._reply(answer)

    def answer(self, message: dict) -> dict:
        # A copy taken in one C call: a cell rebinding names meanwhile cannot break it.
        namespace = dict(self._namespace())
        op = message.get("op")
        code = str(message.get("code", ""))
        cursor = message.get("cursor")
        cursor = len(code) if not isinstance(cursor, int) else max(0, min(cursor, len(code)))
        if op == "complete":
            return complete(namespace, code, cursor)
        if op == "inspect":
            return inspect_at(namespace, code, cursor, int(message.get("detail") or 0))
        if op == "variables":
            return variables(namespace, self._hidden(), int(message.get("offset") or 0),
                             int(message.get("limit") or 100))
        return {"error": "unknown question %r" % (op,)}


# -- resolving names --------------------------------------------------------------------

_DOTTED_BEFORE = re.compile(r"([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)(\.?)([A-Za-z_]\w*)?$")
_KEY_BEFORE = re.compile(r"([A-Za-z_][\w.]*)\[(['\"])([^'\"\\]*)$")
_NAME_CHARS = re.compile(r"[\w.]")


def _lookup(namespace: Dict[str, Any], dotted: str) -> Any:
    """The object a dotted name refers to in the namespace (builtins too), or
    ``_TIMED_OUT`` when it does not resolve. Attribute access is user code: bounded."""
    head, *rest = dotted.split(".")
    if head in namespace:
        obj = namespace[head]
    elif hasattr(builtins, head):
        obj = getattr(builtins, head)
    else:
        return _TIMED_OUT
    for name in rest:
        obj = bounded(lambda obj=obj, name=name: getattr(obj, name))
        if obj is _TIMED_OUT:
            return _TIMED_OUT
    return obj


# -- completion -------------------------------------------------------------------------


def complete(namespace: Dict[str, Any], code: str, cursor: int) -> dict:
    """Names of the live namespace, attributes of live objects, string keys of dicts,
    then jedi's completions when jedi is installed; live matches are marked so."""
    before = code[:cursor]
    matches: List[dict] = []
    start = cursor
    key = _KEY_BEFORE.search(before)
    if key:
        container = _lookup(namespace, key.group(1))
        prefix = key.group(3)
        start = cursor - len(prefix)
        if isinstance(container, dict):
            keys = bounded(lambda: [k for k in list(container)[:10000] if isinstance(k, str)], [])
            matches = [{"text": k, "kind": "key", "live": True} for k in sorted(keys) if k.startswith(prefix)]
    else:
        dotted = _DOTTED_BEFORE.search(before)
        if dotted:
            owner, dot, prefix = dotted.group(1), dotted.group(2), dotted.group(3) or ""
            if not dot:
                # `heart` or `trio.sl`: the last segment is what is being typed.
                owner, _, prefix = owner.rpartition(".")
                if owner:
                    dot = "."
            start = cursor - len(prefix)
            if dot:
                obj = _lookup(namespace, owner)
                names = [] if obj is _TIMED_OUT else bounded(lambda: dir(obj), [])
                matches = [_attribute(obj, n) for n in sorted(set(names))
                           if n.startswith(prefix) and (prefix.startswith("_") or not n.startswith("_"))]
            else:
                names = set(namespace) | set(dir(builtins)) | set(keyword.kwlist)
                matches = [_name(namespace, n) for n in sorted(names)
                           if n.startswith(prefix) and (prefix.startswith("_") or not n.startswith("_"))]
    matches = matches[:MAX_MATCHES]
    seen = {m["text"] for m in matches}
    for extra in _jedi(namespace, code, cursor):
        if len(matches) >= MAX_MATCHES:
            break
        if extra["text"] not in seen:
            seen.add(extra["text"])
            matches.append(extra)
    return {"matches": matches, "cursorStart": start, "cursorEnd": cursor}


def _kind(obj: Any) -> str:
    if isinstance(obj, types.ModuleType):
        return "module"
    if isinstance(obj, type):
        return "class"
    if callable(obj):
        return "function"
    return "variable"


def _name(namespace: Dict[str, Any], name: str) -> dict:
    if name in namespace:
        return {"text": name, "kind": _kind(namespace[name]), "live": True}
    if keyword.iskeyword(name):
        return {"text": name, "kind": "keyword", "live": False}
    return {"text": name, "kind": _kind(getattr(builtins, name, None)), "live": False}


def _attribute(obj: Any, name: str) -> dict:
    import inspect

    try:
        value = inspect.getattr_static(obj, name)
    except Exception:
        value = None
    return {"text": name, "kind": _kind(value), "live": True}


_jedi_state = {"loading": False, "ready": False, "timeouts": 0}
JEDI_TIMEOUT = 0.1  # seconds one jedi completion may take
JEDI_MAX_TIMEOUTS = 3  # after this many, jedi is not asked again in this host


def _jedi(namespace: Dict[str, Any], code: str, cursor: int) -> List[dict]:
    """jedi's completions over the live namespace, if jedi is installed. Importing jedi
    takes a quarter of a second, so the first question starts that in the background and
    answers without jedi; a jedi that keeps timing out is dropped. jedi's own time does
    not count against the user-code budget of ``bounded``."""
    state = _jedi_state
    if not state["ready"]:
        if not state["loading"]:
            state["loading"] = True
            threading.Thread(target=_import_jedi, name="asyncell-jedi-import", daemon=True).start()
        return []
    if state["timeouts"] >= JEDI_MAX_TIMEOUTS:
        return []
    line = code.count("\n", 0, cursor) + 1
    column = cursor - (code.rfind("\n", 0, cursor) + 1)
    result: List[List[dict]] = []

    def run() -> None:
        try:
            import jedi

            found = jedi.Interpreter(code, [namespace]).complete(line, column)
            result.append([{"text": c.name, "kind": _JEDI_KINDS.get(c.type, "variable"), "live": False}
                           for c in found[:MAX_MATCHES]])
        except BaseException:
            result.append([])

    worker = threading.Thread(target=run, name="asyncell-query-jedi", daemon=True)
    worker.start()
    worker.join(JEDI_TIMEOUT)
    if worker.is_alive():
        state["timeouts"] += 1
        return []
    return result[0] if result else []


#: jedi's completion types, as the protocol's kinds (the rest are variables).
_JEDI_KINDS = {"function": "function", "class": "class", "module": "module", "keyword": "keyword"}


def _import_jedi() -> None:
    try:
        import jedi  # noqa: F401
    except Exception:
        return  # not installed (or broken): completions come from the namespace alone
    _jedi_state["ready"] = True


# -- inspection -------------------------------------------------------------------------


def inspect_at(namespace: Dict[str, Any], code: str, cursor: int, detail: int) -> dict:
    """The object named at the cursor: its type, signature, docstring and repr, and with
    ``detail`` >= 1 its source (as ``obj??`` shows it)."""
    import inspect

    start = cursor
    while start > 0 and _NAME_CHARS.match(code[start - 1]):
        start -= 1
    end = cursor
    while end < len(code) and _NAME_CHARS.match(code[end]):
        end += 1
    name = code[start:end].strip(".")
    if not name:
        return {"found": False}
    obj = _lookup(namespace, name)
    if obj is _TIMED_OUT:
        return {"found": False, "name": name}
    answer: Dict[str, Any] = {"found": True, "name": name, "type": _type_name(obj),
                              "repr": _bounded_repr(obj, DOC_LIMIT)}
    signature = bounded(lambda: str(inspect.signature(obj)), None)
    if signature is not None and callable(obj):
        answer["signature"] = name.rpartition(".")[2] + signature
    doc = bounded(lambda: inspect.getdoc(obj), None)
    if doc:
        answer["doc"] = doc[:DOC_LIMIT]
    if detail >= 1:
        source = bounded(lambda: inspect.getsource(obj), None)
        if source:
            answer["source"] = source[:DOC_LIMIT]
        where = bounded(lambda: inspect.getsourcefile(obj), None)
        if where:
            answer["file"] = where
    return answer


# -- the variables view -----------------------------------------------------------------


def variables(namespace: Dict[str, Any], hidden: set, offset: int, limit: int) -> dict:
    """The user's names, sorted: type, short repr, size where cheap, and what kind of
    async object it is. Modules, the host's own names and ``_``-names are left out."""
    names = sorted(n for n, v in namespace.items()
                   if not n.startswith("_") and n not in hidden and not isinstance(v, types.ModuleType))
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    page = names[offset:offset + limit]
    entries = []
    for name in page:
        value = namespace[name]
        entry = {"name": name, "type": _type_name(value), "kind": _async_kind(value),
                 "repr": _bounded_repr(value, REPR_LIMIT)}
        size = _size(value)
        if size is not None:
            entry["size"] = size
        entries.append(entry)
    return {"variables": entries, "total": len(names), "offset": offset}


def _type_name(obj: Any) -> str:
    kind = type(obj)
    module = getattr(kind, "__module__", "") or ""
    qualname = getattr(kind, "__qualname__", kind.__name__)
    return qualname if module == "builtins" else "%s.%s" % (module, qualname)


def _async_kind(value: Any) -> str:
    """``coroutine``, ``task`` (asyncio), ``trio`` (an object of trio's), ``function``,
    ``class`` or ``value``: what a variables view marks."""
    import inspect

    if inspect.iscoroutine(value):
        return "coroutine"
    module = getattr(type(value), "__module__", "") or ""
    if module.startswith("asyncio") and type(value).__name__ in ("Task", "Future"):
        return "task"
    if module == "trio" or module.startswith("trio."):
        return "trio"
    if isinstance(value, type):
        return "class"
    if callable(value):
        return "function"
    return "value"


def _size(value: Any) -> Optional[str]:
    """``len`` of builtin containers and strings, ``shape`` of array-likes: things that
    cost nothing to ask (no user ``__len__`` is called)."""
    if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
        return "len %d" % len(value)
    import inspect

    try:
        shape = inspect.getattr_static(value, "shape")
    except AttributeError:
        return None
    if isinstance(shape, tuple) and all(isinstance(n, int) for n in shape):
        return "shape %s" % (shape,)
    return None


def _bounded_repr(value: Any, limit: int) -> str:
    text = bounded(lambda: repr(value), None)
    if text is None:
        return "<%s object: its repr did not return>" % _type_name(value)
    if not isinstance(text, str):
        return "<%s object>" % _type_name(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"
