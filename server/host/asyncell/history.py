"""IPython's input/output history in the cell namespace.

``In`` (list of cell sources, ``In[0] == ""``), ``Out`` (execution count -> result),
``_N`` / ``_iN``, ``_``, ``__``, ``___`` and ``_i``, ``_ii``, ``_iii``, as notebook
users expect.  Keeping results in ``Out`` also keeps them alive as IPython does: a cell
that ends in ``f()`` without ``await`` shows the coroutine, and rebinding ``_`` by a
later result no longer frees it inside the host, which made Python report "coroutine
... was never awaited" at a line of execution.py.  Whatever the host does drop (a
result hidden with ``;``, the oldest result past ``KEEP``) is dropped in a frame of the
cell it came from (``release``), so a warning its finalizer raises names that cell.

Like IPython, ``_``/``__``/``___`` stop being updated once the user binds one of them
(``for _ in range(3)``, gettext's ``_``).
"""

from __future__ import annotations

from typing import Any, Dict, List

KEEP = 1000  # results kept in Out (IPython's default cache size)


class _State:
    def __init__(self) -> None:
        self.unders = ["", "", ""]  # what we last put in _, __, ___
        self.inputs = ["", "", ""]  # _i, _ii, _iii


def install(namespace: dict) -> None:
    namespace.update({"In": [""], "Out": {}, "_": "", "__": "", "___": "",
                      "_i": "", "_ii": "", "_iii": ""})
    namespace["__asyncell_history__"] = _State()


def record_input(namespace: dict, count: Any, source: str) -> None:
    """Before the cell runs: ``In``, ``_iN``, and ``_i`` .. ``_iii`` (previous inputs)."""
    state = namespace.get("__asyncell_history__")
    if state is None:
        return
    inputs: List[str] = namespace.get("In") if isinstance(namespace.get("In"), list) else []
    if isinstance(count, int) and count > 0:
        if count >= len(inputs):
            inputs.extend([""] * (count + 1 - len(inputs)))
        inputs[count] = source
        namespace["_i%d" % count] = source
    else:
        inputs.append(source)
    oldest, middle, newest = state.inputs  # the three cells before this one
    namespace["_iii"], namespace["_ii"], namespace["_i"] = oldest, middle, newest
    state.inputs = [middle, newest, source]


def record_output(namespace: dict, count: Any, value: Any, filename: str) -> None:
    """A displayed result: ``Out[N]``, ``_N`` and ``_`` .. ``___``."""
    state = namespace.get("__asyncell_history__")
    if state is None:
        return
    out: Dict[Any, Any] = namespace.get("Out") if isinstance(namespace.get("Out"), dict) else {}
    if isinstance(count, int):
        out[count] = value
        namespace["_%d" % count] = value
        if len(out) > KEEP:
            # The first key is the oldest result (counts only grow); ``min`` over the
            # KEEP keys cost every cell past the KEEP-th a tenth of its host CPU.
            oldest = next(iter(out))
            release([out.pop(oldest), namespace.pop("_%d" % oldest, None)], filename)
    ours = all(namespace.get(name) is mine
               for name, mine in zip(("_", "__", "___"), state.unders))
    if ours:
        namespace["___"], namespace["__"], namespace["_"] = state.unders[1], state.unders[0], value
        state.unders = [value, state.unders[0], state.unders[1]]


def release(holder: list, filename: str, line: int = 1) -> None:
    """Drop the objects in ``holder`` from a frame that belongs to the cell
    ``filename``, so a warning raised while they are finalized (an un-awaited
    coroutine) is reported at the cell, not at the host's line that dropped them.
    The caller must hold no other reference."""
    # The one statement compiled once, then renamed and moved to the cell's line:
    # compiling it anew cost as much as compiling the cell.
    code = _CLEAR.replace(co_filename=filename, co_firstlineno=max(1, line))
    exec(code, {"holder": holder, "__name__": "__main__"})


_CLEAR = compile("holder.clear()", "<cell>", "exec")
