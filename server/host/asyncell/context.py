"""Who is running right now: the origin of output.

Every line a cell or a background task prints must reach the supervisor tagged with the
execution that caused it, even when the printing happens long after that cell finished
(a heartbeat task started in cell 3 still prints "into" cell 3).  The loop libraries
already copy the current ``contextvars`` context into every task they spawn, so a single
ContextVar set when a cell or a supervised background task starts is inherited by
everything it spawns, and ``sys.stdout`` can look it up at write time.
"""

from __future__ import annotations

import contextvars
from typing import Optional, Tuple

#: ``(execution_id, task_id_or_None)`` of the code currently running, or None outside any
#: execution (host machinery, threads started by user code with an empty context).
Origin = Tuple[str, Optional[str]]
ORIGIN: contextvars.ContextVar[Optional[Origin]] = contextvars.ContextVar(
    "asyncell_origin", default=None
)

#: The running Session (set once at start-up).  Module-level so that ``asyncell.display``
#: and ``asyncell.background`` work when imported from a cell without any plumbing.
session = None


def current_origin() -> Optional[Origin]:
    return ORIGIN.get()
