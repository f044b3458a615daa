"""IPython magics and shell escapes, turned into Python calls before compiling.

Notebook users type ``%pip install x``, ``!ls``, ``%time f()``, ``obj?``; none of it is
Python.  Like IPython's input transformers, ``transform`` rewrites each such line into
one line of Python that calls ``magic_commands`` (bound in the cell namespace as
``__asyncell__``), so the cell keeps its line numbers and tracebacks point at the line
the user wrote.  Only a cell that does not parse as Python is transformed, and only at
lines that start a statement outside any string or bracket, so a ``%`` line inside a
triple-quoted string is never touched.

``SUPPORTED`` is the one list of what the host understands; it is a plain literal
(valid JSON too, ``python -m asyncell.magics`` prints it) so the Rust checker can mirror
it.  Rules, as IPython's where reasonable:

* a line magic may be indented (inside ``for``/``if``/``def``) and may be assigned,
  ``x = %env HOME``; ``x = !ls`` gives the output lines as a list of str;
* ``%%time`` must be the first line of the cell; an unknown *cell* magic (``%%bash``) is
  an error before anything runs, as its body is not Python;
* an unknown *line* magic reports ONE ``UsageError`` output naming it, at that line, and
  the rest of the cell still runs (the cell then ends with status ``error``);
* ``%autoawait`` naming the running loop is a no-op; naming the other loop is an error
  before the cell runs (see cells._autoawait).
"""

from __future__ import annotations

import ast
import json
import re
from typing import List, Optional, Tuple

#: What the host supports; mirrored by the Rust checker, so keep it a plain literal.
SUPPORTED = {
    "line_magics": ["autoawait", "cd", "env", "matplotlib", "pip", "time", "timeit", "who"],
    "cell_magics": ["time"],
    "escapes": ["!", "?", "??"],
}

#: The name the transformed lines call through (bound in every cell namespace).
RUNTIME = "__asyncell__"

_NAME = re.compile(r"[A-Za-z_][\w.]*$")
_ASSIGNED = re.compile(r"([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*=\s*([%!])(.*)$")
_MAGIC = re.compile(r"%([A-Za-z_]\w*)\s*(.*)$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def supported_text() -> str:
    """``%cd, %env, ... , !cmd, obj?``: for error messages."""
    names = ["%" + name for name in SUPPORTED["line_magics"]]
    names += ["%%" + name for name in SUPPORTED["cell_magics"]]
    return ", ".join(names + ["!cmd", "obj?", "obj??"])


class MagicError(Exception):
    """The cell cannot run at all (an unknown cell magic); ``message`` says why."""


def transform(code: str) -> Optional[Tuple[str, Optional[str]]]:
    """(Python source with the magic lines rewritten, cell magic or None); None when
    there is no magic line (the caller reports the SyntaxError as it is)."""
    # Lines as Python reads source (and the Rust checker counts them): a lone \r too.
    lines = _LINE_BREAK.split(code)
    cell_magic = None
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("%%"):
            name = stripped[2:].split(None, 1)[0] if len(stripped) > 2 else ""
            if name not in SUPPORTED["cell_magics"]:
                raise MagicError("unknown cell magic %%%%%s (asyncell supports: %s)"
                                 % (name, supported_text()))
            if stripped[2:].strip() != name:
                raise MagicError("%%%%%s takes no arguments on its line" % name)
            cell_magic = name
            lines[index] = ""
        break
    changed = cell_magic is not None
    for index in _statement_starts(lines):
        line = lines[index]
        body = line.lstrip()
        rewritten = _rewrite(body)
        if rewritten is not None:
            lines[index] = line[: len(line) - len(body)] + rewritten
            changed = True
    return ("\n".join(lines), cell_magic) if changed else None


def _rewrite(body: str) -> Optional[str]:
    """One line of Python for a magic line (without its indentation), or None."""
    text = body.rstrip()
    if not text or text[0] == "#":
        return None
    if text[0] == "!":
        return "%s.system(%r)" % (RUNTIME, text[1:].strip())
    if text.startswith("%%"):
        raise MagicError("the cell magic %s must be the first line of the cell"
                         % text.split(None, 1)[0])
    if text[0] == "%":
        match = _MAGIC.match(text)
        if match is None:
            return None
        return _line_magic(match.group(1), match.group(2).strip())
    assigned = _ASSIGNED.match(text)
    if assigned is not None:
        target, kind, rest = assigned.groups()
        if kind == "!":
            return "%s = %s.getoutput(%r)" % (target, RUNTIME, rest.strip())
        match = _MAGIC.match("%" + rest)
        if match is not None:
            return "%s = %s" % (target, _line_magic(match.group(1), match.group(2).strip()))
        return None
    if text.endswith("?"):
        detail = 2 if text.endswith("??") else 1
        name = text.rstrip("?").strip()
    elif text.startswith("?"):
        detail = 2 if text.startswith("??") else 1
        name = text.lstrip("?").strip()
    else:
        return None
    if _NAME.match(name):
        return "%s.pinfo(%r, %d)" % (RUNTIME, name, detail)
    return None


def _line_magic(name: str, args: str) -> str:
    if name not in SUPPORTED["line_magics"]:
        return "%s.unknown(%r)" % (RUNTIME, name)
    if name == "time" and args:
        # Timed in place, so the statement may await and an expression keeps its value
        # (shown when it ends the cell).
        if _is_expression(args):
            return "%s.time_end(%s.time_begin() or (%s))" % (RUNTIME, RUNTIME, args)
        if _is_simple_statement(args):
            return "%s.time_begin(); %s; %s.time_end()" % (RUNTIME, args, RUNTIME)
    if name == "timeit" and args and "await" in args:
        return "await %s.timeit_async(%r)" % (RUNTIME, args)
    return "%s.%s(%r)" % (RUNTIME, "magic_" + name, args)


def _is_expression(source: str) -> bool:
    try:
        ast.parse(source, mode="eval")
    except SyntaxError:
        return False
    return True


def _is_simple_statement(source: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return len(tree.body) == 1 and not isinstance(
        tree.body[0], (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith,
                       ast.Try, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))


def _statement_starts(lines: List[str]) -> List[int]:
    """Indexes of lines that begin a statement: not inside a string, a bracket, or a
    backslash continuation.  A small scanner, as the tokenizer rejects the very lines
    we are looking for; lines that look like magics are not scanned themselves."""
    starts = []
    triple = None  # the open triple quote, if a string spans lines
    depth = 0
    continued = False
    for index, line in enumerate(lines):
        if triple is None and depth == 0 and not continued:
            starts.append(index)
            if line.lstrip()[:1] in ("%", "!") or _rewrite(line.lstrip()) is not None:
                continue  # not Python: its quotes and brackets mean nothing
        triple, depth = _scan(line, triple, depth)
        continued = line.endswith("\\") and triple is None
    return starts


def _scan(line: str, triple: Optional[str], depth: int) -> Tuple[Optional[str], int]:
    i, n = 0, len(line)
    while i < n:
        if triple is not None:
            end = line.find(triple, i)
            while end > 0 and _escaped(line, end):
                end = line.find(triple, end + 1)
            if end < 0:
                return triple, depth
            i, triple = end + 3, None
            continue
        char = line[i]
        if char == "#":
            break
        if char in "\"'":
            if line.startswith(char * 3, i):
                triple = char * 3
                i += 3
                continue
            i += 1
            while i < n and line[i] != char:
                i += 2 if line[i] == "\\" else 1
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        i += 1
    return triple, depth


def _escaped(line: str, at: int) -> bool:
    slashes = 0
    while at > 0 and line[at - 1] == "\\":
        slashes += 1
        at -= 1
    return slashes % 2 == 1


class LazyRuntime:
    """``__asyncell__`` in the namespace: magic_commands (subprocess, shlex, ...) is
    imported by the first magic line, not on every host's start-up path."""

    def __getattr__(self, name: str):
        from . import magic_commands

        return getattr(magic_commands, name)

    def __repr__(self) -> str:
        return "<asyncell magics>"


if __name__ == "__main__":
    print(json.dumps(SUPPORTED))
