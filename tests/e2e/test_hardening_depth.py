"""Deeply nested and very long expressions (issue 11): no input overflows a stack.

Generated code has lines such as `x = a + a + ... + a` with 100,000 terms. Before, such
a line aborted the language server ("thread 'main' has overflowed its stack"), taking
every live host with it, and `asyncell check` aborted (exit 134) in its worker threads.
Now every walk over the tree grows its stack on demand, a unit deeper than asyncell
analyses gets one E998 diagnostic, and everything else is still checked.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from exec_support import Session, host_cache, start_server, stop_server, text_of  # noqa: F401
from lsp_client import LspClient, codes

TERMS = 100_000
NESTING = 10_000

# Each shape: the expression, and whether it nests deeper than asyncell analyses (E998).
SHAPES = {
    "binary": (" + ".join(["a"] * TERMS), True),
    "negation": ("-" * TERMS + "a", True),
    "not": ("not " * TERMS + "a", True),
    "invert": ("~" * TERMS + "a", True),
    "attribute": ("a" + ".b" * TERMS, True),
    "call": ("f" + "()" * TERMS, True),
    "subscript": ("a" + "[0]" * TERMS, True),
    # Long but flat: one node with 100,000 operands.
    "boolean": (" and ".join(["a"] * TERMS), False),
    "comparison": (" < ".join(["a"] * TERMS), False),
    # 10,000 levels: under the limit, so analysed in full, on a grown stack.
    "lists": ("[" * NESTING + "]" * NESTING, False),
    "comprehensions": ("[" * NESTING + "y" + " for y in z]" * NESTING, False),
}

# A finding that must still be reported next to the deep code.
DROPPED = "trio.sleep(1)"


def script(expression: str) -> str:
    return f"import trio\nx = {expression}\n{DROPPED}\n"


def check(binary: Path, *paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(binary), "check", *map(str, paths)], capture_output=True, text=True, timeout=300
    )


def assert_no_crash(result: subprocess.CompletedProcess) -> None:
    assert result.returncode in (0, 1), f"exit {result.returncode}: {result.stderr[-2000:]}"
    assert "overflowed its stack" not in result.stderr
    assert "panicked" not in result.stderr


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_one_deep_script_is_checked_without_crashing(asyncell_bin, tmp_path, shape):
    expression, too_deep = SHAPES[shape]
    path = tmp_path / f"{shape}.py"
    path.write_text(script(expression))
    result = check(asyncell_bin, path)
    assert_no_crash(result)
    lines = result.stdout.splitlines()
    e998 = [line for line in lines if " E998 " in line]
    if too_deep:
        assert len(e998) == 1, lines
        assert e998[0].startswith(f"{path}:2:1: E998 not checked: this code nests "), e998
        assert "split the expression" in e998[0]
    else:
        assert e998 == [], lines
        # Analysed in full: the dropped coroutine below it is found.
        assert any(line.startswith(f"{path}:3:1: ASYNC105 ") for line in lines), lines


def test_many_files_check_every_file_on_worker_threads(asyncell_bin, tmp_path):
    """Several files, so rayon's worker threads (2 MiB stacks) check them."""
    for shape, (expression, _) in SHAPES.items():
        (tmp_path / f"{shape}.py").write_text(script(expression))
    for index in range(8):
        (tmp_path / f"plain_{index}.py").write_text(f"import trio\n{DROPPED}\n")
    result = check(asyncell_bin, tmp_path)
    assert_no_crash(result)
    lines = result.stdout.splitlines()
    for shape, (_, too_deep) in SHAPES.items():
        own = [line for line in lines if line.startswith(f"{tmp_path / shape}.py:")]
        assert sum(" E998 " in line for line in own) == (1 if too_deep else 0), own
        if not too_deep:
            assert any(" ASYNC105 " in line for line in own), own
    for index in range(8):
        assert f"{tmp_path}/plain_{index}.py:2:1: ASYNC105 " in result.stdout
    assert f"in {len(SHAPES) + 8} files." in result.stderr


def test_a_deep_percent_cell_leaves_the_other_cells_checked(asyncell_bin, tmp_path):
    expression = SHAPES["binary"][0]
    path = tmp_path / "cells.py"
    path.write_text(f"# %%\nimport trio\n\n# %%\nx = {expression}\n\n# %%\n{DROPPED}\n")
    result = check(asyncell_bin, path)
    assert_no_crash(result)
    assert result.stdout.count(" E998 ") == 1, result.stdout
    assert f"{path}:5:1: E998 " in result.stdout
    assert f"{path}:8:1: ASYNC105 " in result.stdout


def notebook(path: Path, sources: list[str]) -> Path:
    cells = [
        {"cell_type": "code", "source": source, "metadata": {}, "outputs": [], "execution_count": None}
        for source in sources
    ]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_a_deep_notebook_cell_leaves_the_other_cells_checked(asyncell_bin, tmp_path):
    path = notebook(tmp_path / "deep.ipynb", ["import trio", "x = " + SHAPES["call"][0], DROPPED])
    result = check(asyncell_bin, path)
    assert_no_crash(result)
    assert result.stdout.count(" E998 ") == 1, result.stdout
    assert f"{path}:cell 2:1:1: E998 " in result.stdout
    assert f"{path}:cell 3:1:1: ASYNC105 " in result.stdout


def test_a_caught_parser_panic_is_one_diagnostic_and_quiet(asyncell_bin, tmp_path):
    """ruff_python_parser 0.0.10 panics on this IPython input; the panic used to print
    "panicked at" and a backtrace to stderr although it was caught."""
    path = notebook(tmp_path / "panic.ipynb", ["import trio", "l(}\n,oad()", DROPPED])
    result = check(asyncell_bin, path)
    assert_no_crash(result)
    assert result.stdout.count(" E998 ") == 1, result.stdout
    assert f"{path}:cell 2:1:1: E998 the IPython parser failed on this cell" in result.stdout
    assert f"{path}:cell 3:1:1: ASYNC105 " in result.stdout
    # The details are in the debug log, and only there.
    debug = subprocess.run(
        [str(asyncell_bin), "check", "--no-cache", str(path)],  # a cache hit would not parse
        capture_output=True, text=True, timeout=60, env={"ASYNCELL_LOG": "debug", "PATH": "/usr/bin:/bin"},
    )
    assert "caught a panic at" in debug.stderr and "unreachable" in debug.stderr
    assert "panicked at" not in debug.stderr


def deep_documents(root: Path) -> dict[str, tuple[str, list[str]]]:
    """URI → (text, the codes it must get) for every shape as a script, plus a `# %%`
    file. A script too deep to analyse is one unit: E998 alone."""
    documents = {
        (root / f"{shape}.py").as_uri(): (script(expression), ["E998"] if too_deep else ["ASYNC105"])
        for shape, (expression, too_deep) in SHAPES.items()
    }
    cells = f"# %%\nimport trio\n# %%\nx = {SHAPES['attribute'][0]}\n# %%\n{DROPPED}\n"
    documents[(root / "cells.py").as_uri()] = (cells, ["ASYNC105", "E998"])
    return documents


def test_the_server_survives_deep_documents_and_keeps_its_host(asyncell_bin, tmp_path, host_cache):
    client = start_server(asyncell_bin, tmp_path, host_cache, loop="trio")
    try:
        session_uri = (tmp_path / "session.py").as_uri()
        client.open(session_uri, "import trio\n")
        session = Session(client, session_uri)
        assert session.run("state = 41")["status"] == "ok"
        host = session.status()["pid"]

        for uri, (text, expected) in deep_documents(tmp_path).items():
            client.open(uri, text)
            assert codes(client.diagnostics_for(uri, timeout=120)) == expected, uri
            # The server still answers requests.
            assert session.status()["pid"] == host

        notebook_uri = (tmp_path / "deep.ipynb").as_uri()
        sources = ["import trio", "x = " + SHAPES["subscript"][0], DROPPED]
        client.notify("notebookDocument/didOpen", {
            "notebookDocument": {
                "uri": notebook_uri, "notebookType": "jupyter-notebook", "version": 1,
                "cells": [{"kind": 2, "document": f"{notebook_uri}#{i}"} for i in range(len(sources))],
            },
            "cellTextDocuments": [
                {"uri": f"{notebook_uri}#{i}", "languageId": "python", "version": 1, "text": text}
                for i, text in enumerate(sources)
            ],
        })
        assert codes(client.diagnostics_for(f"{notebook_uri}#1", timeout=120)) == ["E998"]
        assert codes(client.diagnostics_for(f"{notebook_uri}#2", timeout=60)) == ["ASYNC105"]

        # The host that ran before the deep documents is the same process, with its state.
        status = session.status()
        assert status["pid"] == host and status["state"] == "idle", status
        result = session.run("print(state + 1)")
        assert result["status"] == "ok" and text_of(result) == "42\n", result
        assert client.proc.poll() is None
        assert "overflowed" not in "".join(client.stderr_lines)
        assert "panicked" not in "".join(client.stderr_lines)
    finally:
        stop_server(client)
