"""One execution, start to ``done``: the loop-independent part of running a cell.

The loop modules supply ``guard(execution, body)``, which runs ``body()`` as the cell's
own cancellable unit (a trio cancel scope / an asyncio task) and returns an Outcome.
Everything around it — ``started``, magics and compile errors, displaying the value,
classifying errors vs interrupts, emitting leftover matplotlib figures, draining fd
output, interrupt replies and ``done`` — is the same for both loops.
"""

from __future__ import annotations

import time
from typing import Any, Optional

from . import cells, history
from .display import flush_figures, format_object, is_mpl_figure
from .context import ORIGIN
from .protocol import encode
from .tracebacks import format_lines, leaves

INTERRUPT_MESSAGES = {
    "cancelled": "cell interrupted (cancelled while awaiting)",
    "keyboard_interrupt": "",
}


class Outcome:
    def __init__(self, value: Any = None, error: Optional[BaseException] = None,
                 cancelled: bool = False):
        self.value = value
        self.error = error
        self.cancelled = cancelled  # unwound without an exception we could see


def _interrupt_like(exc: BaseException, loop) -> bool:
    return all(isinstance(leaf, loop.interrupt_exceptions) for leaf in leaves(exc))


def _interrupt_output(how: str, exc: Optional[BaseException]) -> dict:
    evalue = INTERRUPT_MESSAGES.get(how, "")
    final = "KeyboardInterrupt" + (": " + evalue if evalue else "")
    if exc is not None:
        # The outermost exception's frames are the ones that pass through the cell.
        lines = format_lines(exc, final=final)
    else:
        lines = [final]
    return {"output_type": "error", "ename": "KeyboardInterrupt", "evalue": evalue,
            "traceback": lines}


async def run_execution(session, execution, guard) -> None:
    channel = session.channel
    origin = (execution.id, None)
    session.interrupter.started(execution)
    started = '{"ev":"started","id":%s}' % encode(execution.id)
    timer = session.started_timer
    if timer is not None:
        # With the cell's first frame (usually ``done``), or when the timer fires.
        channel.defer(started)
        timer.arm()
    else:
        channel.send_line(started)
    token = ORIGIN.set(origin)
    status = "error"
    try:
        status = await _execute(session, execution, guard, origin)
        if status == "ok" and execution.user_expressions:
            execution.expression_values = _user_expressions(session, execution.user_expressions)
    except BaseException as exc:
        if isinstance(exc, session.loop.interrupt_exceptions):
            status = "cancelled"  # the host is shutting down
        raise
    finally:
        try:
            flush_figures(origin)
        except Exception:
            pass
        session.capture.drain()
        session.sink.flush()
        duration = (time.perf_counter() - execution.started_at) * 1000.0
        requests = session.scheduler.finish(execution)
        session.interrupter.finished(execution, requests)
        values = execution.expression_values
        extra = ',"user_expressions":%s' % encode(values) if values is not None else ""
        channel.send_line('{"ev":"done","id":%s,"status":%s,"duration_ms":%s%s}'
                          % (encode(execution.id), encode(status), encode(round(duration, 3)),
                             extra))
        if timer is not None:
            timer.disarm()  # before the write: after it the host should sleep at once
        channel.release()
        ORIGIN.reset(token)


async def _execute(session, execution, guard, origin) -> str:
    sink = session.sink
    try:
        prepared = cells.prepare(execution.code, execution.count, session.loop.name, execution.cell)
    except cells.CellError as exc:
        sink.output(origin, exc.output)
        return "error"

    execution.prepared = prepared
    history.record_input(session.namespace, execution.count, execution.code)
    outcome = await guard(execution, lambda: _run_cell(session, prepared))
    # fd output the cell wrote (os.write, a child process) may still sit in the pipes:
    # read it now, so that it comes before the cell's result or error, as it was written.
    session.capture.drain()
    # From here to ``done`` nothing awaits: the frames that end the execution (its value,
    # leftover output, ``done``) go out in one write (released in run_execution).
    session.channel.hold()
    how = session.interrupter.how(execution)

    if outcome.cancelled:
        sink.output(origin, _interrupt_output(how or "cancelled", None))
        return "cancelled"
    if outcome.error is not None:
        exc = outcome.error
        outcome.error = None
        crash = getattr(session.loop, "crash", None)
        if crash is not None and not how and _interrupt_like(exc, session.loop):
            sink.output(origin, crash.error_output())  # trio is ending the run (system_tasks)
            return "error"
        if _interrupt_like(exc, session.loop) and (how or session.loop.shutting_down):
            sink.output(origin, _interrupt_output(how or "cancelled", exc))
            return "cancelled"
        sink.output(origin, {
            "output_type": "error",
            "ename": type(exc).__name__,
            "evalue": str(exc),
            "traceback": format_lines(exc),
        })
        return "error"

    value = outcome.value
    outcome.value = None
    status = "error" if _magic_failed(execution) else "ok"
    if value is None:
        return status
    if prepared.display_last:
        history.record_output(session.namespace, execution.count, value, prepared.filename)
        data, metadata = format_object(value)
        sink.output(origin, {"output_type": "execute_result", "execution_count": execution.count,
                             "data": data, "metadata": metadata})
        if is_mpl_figure(value):
            _close_figure(value)
    else:
        # Hidden with ``;``: the value dies here, in a frame of the cell (history.release).
        holder = [value]
        del value
        history.release(holder, prepared.filename, _last_line(execution.code))
    return status


def _user_expressions(session, expressions: dict) -> dict:
    """Jupyter's ``user_expressions``: each evaluated in the namespace the cell left,
    answered as its value's MIME bundle or as the error it raised (one failing does not
    stop the others)."""
    values = {}
    for name, code in expressions.items():
        try:
            value = eval(compile(str(code), "<user expression %s>" % name, "eval", dont_inherit=True),
                         session.namespace)
            data, metadata = format_object(value)
            values[str(name)] = {"status": "ok", "data": data, "metadata": metadata}
        except Exception as exc:
            values[str(name)] = {"status": "error", "ename": type(exc).__name__,
                                 "evalue": str(exc), "traceback": format_lines(exc)}
    return values


def _magic_failed(execution) -> bool:
    """An unknown magic line reported its error and the cell went on (magics.py)."""
    if "%" not in execution.code:
        return False
    from .magic_commands import take_failure

    return take_failure(execution.id)


def _last_line(code: str) -> int:
    return max(1, len(code.rstrip().split("\n")))


async def _run_cell(session, prepared) -> Any:
    before = getattr(session.loop, "before_cell", None)
    if before is not None:
        await before(prepared)  # trio: the trio-asyncio bridge, if the cell may need it
    return await cells.run(prepared, session.namespace)


def _close_figure(fig) -> None:
    import sys

    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        try:
            pyplot.close(fig)
        except Exception:
            pass
