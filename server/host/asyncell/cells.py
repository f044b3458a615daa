"""From cell text to something the loop can run.

* ``%autoawait trio|asyncio`` on the first line is accepted when it names the running
  loop (then it is a no-op: the host always awaits top-level ``await``); naming the other
  loop is an error telling the user to restart the host with that loop.
* Other IPython magics (``%time``, ``%pip``), shell escapes (``!ls``) and ``obj?`` are
  rewritten into Python calls by ``magics.transform``, line for line, only when the cell
  does not parse as it is: a ``%`` line inside a triple-quoted string is never mistaken
  for a magic.  The original text is what tracebacks show.
* The cell is compiled with ``PyCF_ALLOW_TOP_LEVEL_AWAIT``; the body and a trailing
  expression are compiled separately so the expression's value can be displayed.
  Either part may be a coroutine (it awaited something) or plain code; the caller awaits
  ``run()`` inside a task either way, so sync cells also run "on the loop".
"""

from __future__ import annotations

import __future__
import ast
import inspect
import os
import re
import sys
import time
from typing import Any, Optional

from . import magics
from .tracebacks import plain_error, register_source

FLAGS = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
#: The future features earlier cells imported (``from __future__ import annotations``):
#: as in IPython, a cell's future imports hold for the cells run after it. Cells never
#: inherit this module's own future imports (``dont_inherit``).
_future_flags = 0


def _flags() -> int:
    return FLAGS | _future_flags


def _remember_future_imports(tree: ast.Module) -> None:
    global _future_flags
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            for alias in node.names:
                feature = getattr(__future__, alias.name, None)
                _future_flags |= getattr(feature, "compiler_flag", 0)
_names_used: dict = {}


class CellError(Exception):
    """The cell cannot run; ``output`` is the nbformat error to show."""

    def __init__(self, output: dict):
        super().__init__(output.get("evalue"))
        self.output = output


class Prepared:
    def __init__(self, filename: str, body, last, display_last: bool, trees=(), source="",
                 cell_magic=None):
        self.filename = filename
        self.cell_magic = cell_magic  # "time" for a %%time cell
        self.body = body
        self.last = last
        self.display_last = display_last
        self.trees = trees  # the cell's AST (body, trailing expression), for may_import
        self.source = source  # when compiled without an AST (a one-line expression)


def cell_filename(count: Any, cell: Optional[int] = None) -> str:
    """``<cell N [K]>``: the 1-based cell number N users see (when the front end knows
    it: the editors and ``asyncell run`` do, a Jupyter client does not) and the execution
    count K, as the prompt shows it; ``<cell [K]>`` without a number. The count keeps
    each execution's name unique, so a function defined by an earlier run of the same
    cell still shows its own source; a re-used count gets a suffix for the same reason."""
    base = "<cell %s[%s]>" % ("%d " % cell if cell else "", count)
    uses = _names_used.get(base, 0)
    _names_used[base] = uses + 1
    return base if uses == 0 else "%s.%d>" % (base[:-1], uses)


def _autoawait(code: str, loop: str) -> str:
    lines = code.split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("%autoawait"):
            return code
        words = stripped.split()
        wanted = words[1] if len(words) > 1 else loop
        if wanted == loop:
            lines[index] = ""  # keep line numbers stable
            return "\n".join(lines)
        if wanted in ("trio", "asyncio"):
            message = (
                "this cell asks for %%autoawait %s, but this host runs the %s loop; "
                "restart the host with the %s loop (set `loop` to %s and run "
                "asyncell/restart)" % (wanted, loop, wanted, wanted)
            )
        else:
            message = "%%autoawait %s is not supported; asyncell runs trio or asyncio (this host: %s)" % (
                wanted,
                loop,
            )
        raise CellError(plain_error("AutoawaitMismatch", message))
    return code


def prepare(code: str, count: Any, loop: str, cell: Optional[int] = None) -> Prepared:
    """Compile a cell; raises CellError for magics, autoawait mismatches, syntax errors."""
    original = code
    code = _autoawait(code, loop)
    filename = cell_filename(count, cell)
    register_source(filename, original)  # tracebacks show what the user wrote
    last_code = _one_line_expression(code, filename)
    if last_code is not None:
        return Prepared(filename, None, last_code, True, source=code)
    cell_magic = None
    try:
        tree = compile(code, filename, "exec", ast.PyCF_ONLY_AST | _flags(), dont_inherit=True)
    except SyntaxError as exc:
        from .tracebacks import error_output

        try:
            transformed = magics.transform(code)
        except magics.MagicError as magic_error:
            raise CellError(plain_error("UsageError", str(magic_error))) from None
        if transformed is None:
            raise CellError(error_output(exc)) from None
        code, cell_magic = transformed
        try:
            tree = compile(code, filename, "exec", ast.PyCF_ONLY_AST | _flags(), dont_inherit=True)
        except SyntaxError as second:
            raise CellError(error_output(second)) from None

    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    try:
        body = compile(tree, filename, "exec", _flags(), dont_inherit=True) if tree.body else None
        _remember_future_imports(tree)  # compiled: the imports were valid
        last_code = compile(last, filename, "eval", _flags(), dont_inherit=True) if last is not None else None
    except SyntaxError as exc:  # e.g. 'return' outside function: found at compile time
        from .tracebacks import error_output

        raise CellError(error_output(exc)) from None
    display_last = last is not None and not code.rstrip().endswith(";")
    return Prepared(filename, body, last_code, display_last, (tree, last), cell_magic=cell_magic)


_STATEMENT_WORDS = frozenset(
    "import from def class if elif else for while with try except finally return del pass "
    "raise global nonlocal assert async break continue match case type".split()
)
_ASSIGNMENT = re.compile(r"(?<![=!<>:])=(?!=)")


def _one_line_expression(code: str, filename: str):
    """A cell that is one expression (``x``, ``df.head()``, ``await f()``) compiles in
    one step, without building and converting an AST (a third of a small cell's
    round trip); anything else, or any doubt, takes the general path."""
    stripped = code.strip()
    if (not stripped or "\n" in stripped or ";" in stripped or stripped[0] in "@%!"
            or stripped.split(None, 1)[0].rstrip(":") in _STATEMENT_WORDS
            or _ASSIGNMENT.search(stripped)):
        return None
    try:
        return compile(code, filename, "eval", _flags(), dont_inherit=True)
    except SyntaxError:
        return None  # the general path reports it (or finds it is not an expression)


#: Names through which a cell can import without an import statement, or reach asyncio.
_DYNAMIC = frozenset({
    "__import__", "exec", "eval", "compile", "__builtins__", "builtins", "importlib",
    "import_module", "runpy", "pkgutil", "asyncio", "trio_asyncio",
})
_BRIDGED = ("asyncio", "trio_asyncio")


def may_import(prepared: Prepared) -> bool:
    """Whether running the cell may load a module that is not loaded yet (an import
    statement anywhere in it, or a dynamic import), or touch asyncio.  A cell for which
    this is False can only run code already loaded or defined by earlier cells.
    Conservative: it is only asked while a trio host's asyncio bridge is still opening."""
    trees = prepared.trees or (compile(prepared.source, prepared.filename, "exec",
                                       ast.PyCF_ONLY_AST | FLAGS, dont_inherit=True),)
    for tree in trees:
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name not in sys.modules or alias.name.startswith(_BRIDGED):
                        return True
            elif isinstance(node, ast.ImportFrom):
                module = sys.modules.get(node.module or "") if not node.level else None
                if module is None or node.module.startswith(_BRIDGED):
                    return True
                for alias in node.names:
                    if alias.name == "*" or not hasattr(module, alias.name):
                        return True  # a star or a submodule may load more modules
            elif isinstance(node, ast.Name) and node.id in _DYNAMIC:
                return True
            elif isinstance(node, ast.Attribute) and node.attr in _DYNAMIC:
                return True
    return False


def never_awaits(prepared: Prepared) -> bool:
    """Whether running the cell cannot suspend: neither part is a coroutine."""
    for code in (prepared.body, prepared.last):
        if code is not None and code.co_flags & inspect.CO_COROUTINE:
            return False
    return True


async def run(prepared: Prepared, namespace: dict) -> Any:
    """Execute a prepared cell in ``namespace``; returns the trailing expression's value."""
    if prepared.cell_magic == "time":  # %%time: the whole cell, awaits included
        started = time.perf_counter(), os.times()
        try:
            return await _run(prepared, namespace)
        finally:
            from .magic_commands import print_times

            print_times(*started)
    return await _run(prepared, namespace)


async def _run(prepared: Prepared, namespace: dict) -> Any:
    if prepared.body is not None:
        result = eval(prepared.body, namespace)
        if prepared.body.co_flags & inspect.CO_COROUTINE:
            await result
    if prepared.last is None:
        return None
    value = eval(prepared.last, namespace)
    if prepared.last.co_flags & inspect.CO_COROUTINE:
        value = await value
    return value
