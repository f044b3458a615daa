"""``background.tasks()`` as a table: a list of TaskRecords that displays itself.

A cell ending in ``background.tasks()`` shows an HTML table in Jupyter front ends
(``_repr_html_``) and an aligned text table everywhere else (``__repr__``: editors,
``asyncell run``, a console).  It stays a plain list for code (indexing, iterating,
``==``), so scripts that read ``tasks()[-1].id`` keep working.
"""

from __future__ import annotations

import time
from typing import Any, List

_COLUMNS = ("id", "name", "state", "started in", "age", "outcome")
_STATE_COLOURS = {"running": "#1a7f37", "done": "#57606a", "failed": "#cf222e",
                  "cancelled": "#9a6700"}


def _age(record: Any, now: float) -> str:
    seconds = max(0.0, now - getattr(record, "started_at", now))
    if seconds < 60:
        return "%.1f s" % seconds
    if seconds < 3600:
        return "%d min %02d s" % (seconds // 60, seconds % 60)
    return "%d h %02d min" % (seconds // 3600, seconds % 3600 // 60)


def _row(record: Any, now: float) -> List[str]:
    started_in = getattr(record, "started_in", None) or record.started_by or ""
    return [record.id, record.name, record.state, started_in, _age(record, now),
            getattr(record, "outcome", None) or ""]


class TaskList(list):
    """The session's background tasks, oldest first."""

    def __repr__(self) -> str:
        if not self:
            return "no background tasks"
        now = time.time()
        rows = [list(_COLUMNS)] + [_row(record, now) for record in self]
        widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
                 for row in rows]
        running = sum(1 for record in self if record.state == "running")
        lines.append("%d running, %d finished" % (running, len(self) - running))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        if not self:
            return "<p><em>no background tasks</em></p>"
        now = time.time()
        head = "".join("<th style=\"text-align:left\">%s</th>" % escape(c) for c in _COLUMNS)
        body = []
        for record in self:
            cells = [escape(text) for text in _row(record, now)]
            colour = _STATE_COLOURS.get(record.state)
            if colour:
                cells[2] = "<span style=\"color:%s\">%s</span>" % (colour, cells[2])
            body.append("<tr>%s</tr>" % "".join(
                "<td style=\"text-align:left\">%s</td>" % cell for cell in cells))
        running = sum(1 for record in self if record.state == "running")
        caption = "background tasks: %d running, %d finished" % (running, len(self) - running)
        return ("<table class=\"asyncell-tasks\"><caption style=\"text-align:left\">%s</caption>"
                "<thead><tr>%s</tr></thead><tbody>%s</tbody></table>"
                % (escape(caption), head, "".join(body)))
