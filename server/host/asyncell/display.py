"""Rich display: objects become nbformat mime bundles.

Follows the IPython conventions libraries already implement (pandas, sympy, PIL, rich,
altair...): ``_repr_mimebundle_`` first, then the individual ``_repr_*_`` methods, and
always ``text/plain`` from ``repr``.  Binary images are base64 text as in .ipynb files.
A repr method that raises or returns something unusable is skipped (with a note on
stderr) rather than failing the cell.  matplotlib figures are rendered to PNG; figures
still open in pyplot at the end of a cell are emitted and closed, like the inline backend.

Displays can be named (``display_id``) and replaced later (``update_display``, a
``DisplayHandle``), and ``clear_output`` clears the cell's output: Jupyter front ends do
both (iopub ``update_display_data``, ``clear_output``).  IPython's own functions do the
same in the host once IPython is imported (``patch_ipython``).
"""

from __future__ import annotations

import base64
import inspect
import io
import json
import os
import sys
from typing import Any, Dict, Optional, Tuple

from . import context

_METHODS = (
    ("text/html", "_repr_html_"),
    ("text/markdown", "_repr_markdown_"),
    ("image/svg+xml", "_repr_svg_"),
    ("image/png", "_repr_png_"),
    ("image/jpeg", "_repr_jpeg_"),
    ("application/json", "_repr_json_"),
    ("text/latex", "_repr_latex_"),
)
_BINARY = {"image/png", "image/jpeg"}


def _warn(text: str) -> None:
    try:
        sys.stderr.write(text + "\n")
    except Exception:
        pass


def _normalize(mime: str, value: Any) -> Any:
    if mime in _BINARY:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return base64.b64encode(bytes(value)).decode("ascii")
        if isinstance(value, str):
            return value  # already base64, as IPython accepts
        raise TypeError("%s data must be bytes, got %s" % (mime, type(value).__name__))
    if mime == "application/json":
        if isinstance(value, str):
            return json.loads(value)
        json.dumps(value)  # must be serialisable
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if not isinstance(value, str):
        raise TypeError("%s data must be str, got %s" % (mime, type(value).__name__))
    return value


def _figure_png(fig) -> Optional[str]:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def is_mpl_figure(obj: Any) -> bool:
    figure_module = sys.modules.get("matplotlib.figure")
    return figure_module is not None and isinstance(obj, figure_module.Figure)


#: Builtin types whose only representation is their repr (exact types, not subclasses).
_PLAIN = frozenset({int, float, complex, bool, str, bytes, type(None)})


def format_object(obj: Any) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """Return ``(data, metadata)`` for ``obj``; ``data`` always has ``text/plain``."""
    if type(obj) in _PLAIN:
        return {"text/plain": repr(obj)}, {}  # no _repr_*_ methods to look for
    data: Dict[str, Any] = {}
    metadata: Dict[str, Any] = {}
    try:
        data["text/plain"] = repr(obj)
    except Exception as exc:
        data["text/plain"] = "<%s object (repr failed: %r)>" % (type(obj).__name__, exc)
    if inspect.isclass(obj):
        return data, metadata  # _repr_*_ on a class are unbound methods
    if is_mpl_figure(obj):
        try:
            data["image/png"] = _figure_png(obj)
        except Exception as exc:
            _warn("asyncell: rendering the figure failed: %r" % (exc,))
        return data, metadata

    method = _safe_getattr(obj, "_repr_mimebundle_")
    if callable(method):
        try:
            result = method(include=None, exclude=None)
        except TypeError:
            result = method()
        except Exception as exc:
            _warn("asyncell: _repr_mimebundle_ failed: %r" % (exc,))
            result = None
        if isinstance(result, tuple) and len(result) == 2:
            bundle, meta = result
        else:
            bundle, meta = result, None
        if isinstance(bundle, dict):
            for mime, value in bundle.items():
                try:
                    data[mime] = _normalize(mime, value)
                except Exception as exc:
                    _warn("asyncell: ignoring %s from _repr_mimebundle_: %s" % (mime, exc))
        if isinstance(meta, dict):
            metadata.update(meta)

    for mime, name in _METHODS:
        if mime in data:
            continue
        method = _safe_getattr(obj, name)
        if not callable(method):
            continue
        try:
            value = method()
        except NotImplementedError:
            continue
        except Exception as exc:
            _warn("asyncell: %s failed: %r" % (name, exc))
            continue
        if value is None:
            continue
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], dict):
            value, meta = value
            metadata[mime] = meta
        try:
            data[mime] = _normalize(mime, value)
        except Exception as exc:
            _warn("asyncell: ignoring %s from %s: %s" % (mime, name, exc))
    return data, metadata


def _safe_getattr(obj: Any, name: str) -> Any:
    try:
        return getattr(obj, name, None)
    except Exception:
        return None


def display(*objs: Any, raw: bool = False, metadata: Optional[dict] = None,
            display_id: Any = None, transient: Optional[dict] = None, update: bool = False,
            clear: bool = False, include: Any = None, exclude: Any = None,
            **kwargs: Any) -> Optional["DisplayHandle"]:
    """Show objects as ``display_data`` outputs of the current cell (or task's cell).

    IPython's signature: ``raw=True`` means each object already is a ``{mime: data}``
    bundle; ``display_id`` (a string, or True for a new one) names the display so that
    ``update_display`` / the returned handle's ``update`` can replace it later;
    ``update=True`` replaces the displays with that id instead of adding one;
    ``clear=True`` clears the cell's output first (when the new output arrives);
    ``include``/``exclude`` keep or drop MIME types.
    """
    session = context.session
    if display_id is True:
        display_id = new_display_id()
    if transient is None:
        transient = {}
    else:
        transient = dict(transient)
    if display_id is not None:
        transient["display_id"] = str(display_id)
    if update and "display_id" not in transient:
        raise TypeError("display(update=True) needs a display_id")
    if clear:
        clear_output(wait=True)
    kind = "update_display_data" if update else "display_data"
    for obj in objs:
        if raw:
            data, meta = dict(obj), {}
        else:
            data, meta = format_object(obj)
        data = _select(data, include, exclude)
        if metadata:
            meta.update(metadata)
        output = {"output_type": kind, "data": data, "metadata": meta}
        if transient:
            output["transient"] = transient
        if session is None:  # imported outside the host: degrade to print
            print(data.get("text/plain", ""))
        else:
            session.sink.output(context.ORIGIN.get(), output)
    if display_id is not None:
        return DisplayHandle(str(display_id))
    return None


def _select(data: Dict[str, Any], include: Any, exclude: Any) -> Dict[str, Any]:
    if include:
        data = {mime: value for mime, value in data.items() if mime in include}
    if exclude:
        data = {mime: value for mime, value in data.items() if mime not in exclude}
    return data


def new_display_id() -> str:
    return os.urandom(16).hex()


def update_display(obj: Any, *, display_id: str, **kwargs: Any) -> None:
    """Replace every display shown with ``display_id`` by ``obj``."""
    kwargs["update"] = True
    display(obj, display_id=display_id, **kwargs)


def clear_output(wait: bool = False) -> None:
    """Clear the output of the cell that is printing (or of the task's cell).  With
    ``wait=True`` front ends clear when the next output arrives, so a loop that redraws
    does not flicker."""
    session = context.session
    if session is None:
        return
    session.sink.output(context.ORIGIN.get(), {"output_type": "clear_output", "wait": bool(wait)})


class DisplayHandle:
    """A display that can be replaced: what ``display(obj, display_id=...)`` returns."""

    def __init__(self, display_id: Optional[str] = None) -> None:
        self.display_id = display_id if display_id is not None else new_display_id()

    def __repr__(self) -> str:
        return "<DisplayHandle display_id=%s>" % self.display_id

    def display(self, obj: Any, **kwargs: Any) -> None:
        """Show ``obj`` as one more display with this id."""
        display(obj, display_id=self.display_id, **kwargs)

    def update(self, obj: Any, **kwargs: Any) -> None:
        """Replace every display with this id by ``obj``."""
        update_display(obj, display_id=self.display_id, **kwargs)


def patch_ipython(module) -> None:
    """``IPython.core.display_functions`` imported in a cell: its ``display``,
    ``update_display`` and ``clear_output`` become ours (without an IPython shell they
    would print reprs and ANSI codes); ``IPython.display`` re-exports them after this,
    and IPython's DisplayHandle calls them by these names."""
    module.display = display
    module.update_display = update_display
    module.clear_output = clear_output


def install() -> None:
    from . import import_hooks

    import_hooks.after_import("IPython.core.display_functions", patch_ipython)


def flush_figures(origin) -> None:
    """Emit and close every figure left open in pyplot (end of a cell)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    session = context.session
    if pyplot is None or session is None:
        return
    try:
        numbers = list(pyplot.get_fignums())
    except Exception:
        return
    for number in numbers:
        try:
            fig = pyplot.figure(number)
            data = {"text/plain": repr(fig), "image/png": _figure_png(fig)}
        except Exception as exc:
            _warn("asyncell: rendering figure %s failed: %r" % (number, exc))
            data = None
        finally:
            try:
                pyplot.close(number)
            except Exception:
                pass
        if data is not None:
            session.sink.output(
                origin, {"output_type": "display_data", "data": data, "metadata": {}}
            )
