"""The language server as an editor sees it: open, edit, fix and close documents over
real LSP on stdio, and check what the user would see in the Problems panel."""

from __future__ import annotations

import json

import pytest

from lsp_client import LspClient, codes, edit

CELL_FILE = """\
# %%
import asyncio

async def main():
    await asyncio.sleep(0)
    return 42

# %%
result = asyncio.run(main())
"""


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n")


def apply_edits(text: str, edits: list[dict]) -> str:
    """Applies LSP TextEdits (UTF-16 positions) to a text, last edit first."""
    lines = text.splitlines(keepends=True) + [""]

    def offset(position: dict) -> int:
        line = lines[position["line"]]
        units = 0
        for index, ch in enumerate(line):
            if units >= position["character"]:
                return sum(map(len, lines[: position["line"]])) + index
            units += 2 if ord(ch) > 0xFFFF else 1
        return sum(map(len, lines[: position["line"]])) + len(line.rstrip("\r\n"))

    for change in sorted(edits, key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]), reverse=True):
        start, end = offset(change["range"]["start"]), offset(change["range"]["end"])
        text = text[:start] + change["newText"] + text[end:]
    return text


def test_initialize_advertises_incremental_sync_notebooks_and_quick_fixes(asyncell_bin, tmp_path):
    client = LspClient.start(asyncell_bin, cwd=tmp_path)
    try:
        result = client.initialize(root=tmp_path)
        capabilities = result["capabilities"]
        assert result["serverInfo"]["name"] == "asyncell"
        assert capabilities["positionEncoding"] == "utf-16"
        assert capabilities["textDocumentSync"] == 2
        selector = capabilities["notebookDocumentSync"]["notebookSelector"][0]
        assert selector["notebook"] == "jupyter-notebook"
        assert selector["cells"] == [{"language": "python"}]
        assert "quickfix" in capabilities["codeActionProvider"]["codeActionKinds"]
    finally:
        client.kill()


def test_utf8_positions_are_negotiated_when_the_client_offers_them(asyncell_bin, tmp_path):
    client = LspClient.start(asyncell_bin, cwd=tmp_path)
    try:
        result = client.initialize(root=tmp_path, encodings=["utf-8", "utf-16"])
        assert result["capabilities"]["positionEncoding"] == "utf-8"
        uri = (tmp_path / "cells.py").as_uri()
        client.open(uri, '# %%\nimport asyncio\ns = "é"; asyncio.run(f())\n')
        [diagnostic] = client.diagnostics_for(uri)
        # `s = "é"; ` is 9 characters but 10 UTF-8 bytes.
        assert diagnostic["range"]["start"] == {"line": 2, "character": 10}
    finally:
        client.kill()


def test_a_nested_loop_run_in_a_cell_file_is_reported_on_its_line(lsp, tmp_path):
    uri = (tmp_path / "demo.py").as_uri()
    lsp.open(uri, CELL_FILE)
    [diagnostic] = lsp.diagnostics_for(uri)
    assert diagnostic["code"] == "LOOP200"
    assert diagnostic["severity"] == 1
    assert diagnostic["source"] == "asyncell"
    assert "This event loop is already running" in diagnostic["message"] or "cannot be called from a running event loop" in diagnostic["message"]
    assert diagnostic["range"]["start"]["line"] == line_of(CELL_FILE, "asyncio.run")
    assert diagnostic["range"]["start"]["character"] == len("result = ")


def test_incremental_edits_with_multibyte_characters_keep_diagnostics_in_place(lsp, tmp_path):
    uri = (tmp_path / "emoji.py").as_uri()
    text = "# %%\nimport asyncio\nasync def main(): ...\nx = 'é'; asyncio.run(main())\n"
    lsp.open(uri, text)
    [first] = lsp.diagnostics_for(uri)
    assert first["range"]["start"] == {"line": 3, "character": 9}

    # Insert an emoji (two UTF-16 code units) at the start of the string literal.
    lsp.change(uri, 2, [edit((3, 5), (3, 5), "😀")])
    [moved] = lsp.diagnostics_for(uri, lambda d: d and d[0]["range"]["start"]["character"] != 9)
    assert moved["range"]["start"] == {"line": 3, "character": 11}

    # Replace `asyncio.run(main())` with `await main()`: the finding goes away.
    lsp.change(uri, 3, [edit((3, 11), (3, 30), "await main()")])
    assert lsp.diagnostics_for(uri, lambda d: d == []) == []

    # A new line with a dropped coroutine, typed after a CRLF line break.
    lsp.change(uri, 4, [edit((4, 0), (4, 0), "main()\r\n")])
    [dropped] = lsp.diagnostics_for(uri, lambda d: bool(d))
    assert dropped["code"] == "LOOP300"
    assert dropped["range"]["start"] == {"line": 4, "character": 0}


def test_edits_past_the_end_are_clamped_not_fatal(lsp, tmp_path):
    uri = (tmp_path / "clamp.py").as_uri()
    lsp.open(uri, "x = 1\n")
    lsp.diagnostics_for(uri)
    lsp.change(uri, 2, [edit((99, 99), (120, 0), "\n# %%\nimport trio\ntrio.run(f)\nasync def f(): ...\n")])
    [diagnostic] = lsp.diagnostics_for(uri, lambda d: bool(d))
    assert diagnostic["code"] == "LOOP200"
    # The server is still healthy: no quick fix where there is no finding, only the
    # document-wide fix-all (the LOOP200 fix is safe).
    actions = lsp.request("textDocument/codeAction", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": []},
    })
    assert [a["kind"] for a in actions] == ["source.fixAll.asyncell"]


def test_a_quick_fix_applied_by_the_editor_clears_the_diagnostic(lsp, tmp_path):
    uri = (tmp_path / "fix.py").as_uri()
    lsp.open(uri, CELL_FILE)
    [diagnostic] = lsp.diagnostics_for(uri)
    actions = lsp.request("textDocument/codeAction", {
        "textDocument": {"uri": uri},
        "range": diagnostic["range"],
        "context": {"diagnostics": [diagnostic]},
    })
    titles = [a["title"] for a in actions]
    assert "Replace with `await main()` (LOOP200)" in titles
    assert "Suppress LOOP200 with `# noqa`" in titles
    fix = next(a for a in actions if a["title"].startswith("Replace with"))
    assert fix["isPreferred"] is True
    fixed = apply_edits(CELL_FILE, fix["edit"]["changes"][uri])
    assert "result = await main()\n" in fixed
    lsp.change(uri, 2, [{"text": fixed}])
    assert lsp.diagnostics_for(uri, lambda d: d == []) == []

    # The noqa action, applied instead, suppresses the finding too.
    suppress = next(a for a in actions if a["title"].startswith("Suppress"))
    suppressed = apply_edits(CELL_FILE, suppress["edit"]["changes"][uri])
    assert "asyncio.run(main())  # noqa: LOOP200\n" in suppressed
    lsp.change(uri, 3, [{"text": suppressed}])
    assert lsp.diagnostics_for(uri, lambda d: d == []) == []


def test_make_function_async_fix_for_await_in_a_sync_def(lsp, tmp_path):
    uri = (tmp_path / "script.py").as_uri()
    text = "async def get(x):\n    return await x\n\n@decorate\ndef total(xs):\n    return sum([await get(x) for x in xs])\n"
    lsp.open(uri, text)
    [diagnostic] = lsp.diagnostics_for(uri)
    assert diagnostic["code"] == "LOOP101"
    actions = lsp.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]},
    })
    fix = next(a for a in actions if "async def" in a["title"])
    fixed = apply_edits(text, fix["edit"]["changes"][uri])
    assert "@decorate\nasync def total(xs):" in fixed
    lsp.change(uri, 2, [{"text": fixed}])
    assert lsp.diagnostics_for(uri, lambda d: d == []) == []


def notebook_cell(index: int) -> str:
    return f"vscode-notebook-cell:/nb.ipynb#cell{index}"


def open_notebook(lsp, cells: list[tuple[str, str]], uri: str = "file:///nb.ipynb") -> None:
    lsp.notify("notebookDocument/didOpen", {
        "notebookDocument": {
            "uri": uri,
            "notebookType": "jupyter-notebook",
            "version": 1,
            "cells": [
                {"kind": 2 if kind == "code" else 1, "document": notebook_cell(i)}
                for i, (kind, _) in enumerate(cells)
            ],
        },
        "cellTextDocuments": [
            {"uri": notebook_cell(i), "languageId": "python" if kind == "code" else "markdown", "version": 1, "text": text}
            for i, (kind, text) in enumerate(cells)
        ],
    })


def test_notebook_diagnostics_land_on_the_right_cell_and_follow_edits(lsp):
    open_notebook(lsp, [
        ("code", "%autoawait trio\nimport trio\n\nasync def refresh():\n    await trio.sleep(1)\n"),
        ("markdown", "# Notes\nasyncio.run(x) is fine in markdown"),
        ("code", "!pip install trio\nrefresh()\n"),
    ])
    assert lsp.diagnostics_for(notebook_cell(0)) == []
    [dropped] = lsp.diagnostics_for(notebook_cell(2))
    assert dropped["code"] == "LOOP300"
    assert dropped["range"]["start"] == {"line": 1, "character": 0}

    # Typing `await ` in cell 3 fixes it; cell 1 is untouched.
    lsp.notify("notebookDocument/didChange", {
        "notebookDocument": {"uri": "file:///nb.ipynb", "version": 2},
        "change": {"cells": {"textContent": [{
            "document": {"uri": notebook_cell(2), "version": 2},
            "changes": [edit((1, 0), (1, 0), "await ")],
        }]}},
    })
    assert lsp.diagnostics_for(notebook_cell(2), lambda d: d == []) == []

    # A new cell inserted at the end with a nested loop run.
    lsp.notify("notebookDocument/didChange", {
        "notebookDocument": {"uri": "file:///nb.ipynb", "version": 3},
        "change": {"cells": {"structure": {
            "array": {"start": 3, "deleteCount": 0, "cells": [{"kind": 2, "document": notebook_cell(3)}]},
            "didOpen": [{"uri": notebook_cell(3), "languageId": "python", "version": 1, "text": "trio.run(refresh)\n"}],
        }}},
    })
    [nested] = lsp.diagnostics_for(notebook_cell(3))
    assert nested["code"] == "LOOP200"

    # Deleting it clears its diagnostics.
    lsp.notify("notebookDocument/didChange", {
        "notebookDocument": {"uri": "file:///nb.ipynb", "version": 4},
        "change": {"cells": {"structure": {
            "array": {"start": 3, "deleteCount": 1},
            "didClose": [{"uri": notebook_cell(3)}],
        }}},
    })
    assert lsp.diagnostics_for(notebook_cell(3), lambda d: d == []) == []

    lsp.notify("notebookDocument/didClose", {
        "notebookDocument": {"uri": "file:///nb.ipynb"},
        "cellTextDocuments": [{"uri": notebook_cell(i)} for i in range(3)],
    })
    assert lsp.diagnostics_for(notebook_cell(0), lambda d: d == []) == []


def test_a_notebook_cell_quick_fix_targets_the_cell_document(lsp):
    open_notebook(lsp, [("code", "import asyncio\nasync def main(): ...\n"), ("code", "asyncio.run(main())\n")])
    [diagnostic] = lsp.diagnostics_for(notebook_cell(1))
    actions = lsp.request("textDocument/codeAction", {
        "textDocument": {"uri": notebook_cell(1)}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]},
    })
    fix = next(a for a in actions if a["title"].startswith("Replace with"))
    assert list(fix["edit"]["changes"]) == [notebook_cell(1)]
    assert fix["edit"]["changes"][notebook_cell(1)][0]["newText"] == "await main()"


def test_configuration_changes_recheck_open_documents(lsp, tmp_path):
    uri = (tmp_path / "demo.py").as_uri()
    lsp.open(uri, CELL_FILE)
    assert codes(lsp.diagnostics_for(uri)) == ["LOOP200"]
    lsp.notify("workspace/didChangeConfiguration", {"settings": {"asyncell": {"ignore": ["LOOP2"]}}})
    assert lsp.diagnostics_for(uri, lambda d: d == []) == []
    lsp.notify("workspace/didChangeConfiguration", {"settings": {"asyncell": {"loop": "uvloop"}}})
    message = lsp.wait_for("window/showMessage")
    assert "uvloop" in message["message"]


def test_pyproject_configuration_applies_to_documents_below_it(asyncell_bin, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.asyncell]\nloop = "asyncio"\n')
    client = LspClient.start(asyncell_bin, cwd=tmp_path)
    try:
        client.initialize(root=tmp_path)
        uri = (tmp_path / "cells.py").as_uri()
        client.open(uri, "# %%\nimport trio\nnow = trio.current_time()\n")
        [diagnostic] = client.diagnostics_for(uri)
        assert diagnostic["code"] == "LOOP301"
        assert "asyncio-mode" in diagnostic["message"]
    finally:
        client.kill()


def test_invalid_initialization_options_are_reported_not_fatal(asyncell_bin, tmp_path):
    client = LspClient.start(asyncell_bin, cwd=tmp_path)
    try:
        client.initialize(root=tmp_path, options={"loop": 42})
        message = client.wait_for("window/showMessage")
        assert "invalid asyncell settings" in message["message"]
        uri = (tmp_path / "x.py").as_uri()
        client.open(uri, "# %%\nimport asyncio\nasyncio.run(f())\n")
        assert codes(client.diagnostics_for(uri)) == ["LOOP200"]
    finally:
        client.kill()


def test_shutdown_then_exit_ends_the_process(asyncell_bin, tmp_path):
    client = LspClient.start(asyncell_bin, cwd=tmp_path)
    client.initialize(root=tmp_path)
    client.open((tmp_path / "a.py").as_uri(), "x = 1\n")
    assert client.shutdown_and_exit() == 0
    assert client.proc.poll() == 0
    assert not any("panicked" in line for line in client.stderr_lines)


def test_the_stdio_flag_that_language_clients_pass_is_accepted(asyncell_bin, tmp_path):
    client = LspClient.start(asyncell_bin, "--stdio", cwd=tmp_path)
    try:
        assert client.initialize(root=tmp_path)["serverInfo"]["name"] == "asyncell"
        uri = (tmp_path / "a.py").as_uri()
        client.open(uri, "x = 1\n")
        client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        assert client.diagnostics_for(uri) == []
        assert client.shutdown_and_exit() == 0
        assert not any("not implemented" in line for line in client.stderr_lines)
    finally:
        client.kill()


def test_each_severity_reaches_the_editor(asyncell_bin, tmp_path):
    """Errors raise at run time, warnings hang or leak, information is style (LSP 1/2/3)."""
    (tmp_path / "pyproject.toml").write_text('[tool.asyncell]\nextend-select = ["LOOP502"]\n')
    client = LspClient.start(asyncell_bin, cwd=tmp_path)
    try:
        client.initialize(root=tmp_path)
        uri = (tmp_path / "app.py").as_uri()
        text = (
            "import asyncio\n\n"
            "async def tick():\n    await asyncio.sleep(0)\n\n"
            "async def main():\n"
            "    await asyncio.sleep(1, loop=None)\n"
            "    tick()\n"
            "    loop = asyncio.get_event_loop()\n"
        )
        client.open(uri, text)
        diagnostics = client.diagnostics_for(uri, lambda d: len(d) >= 3)
        severities = {d["code"]: d["severity"] for d in diagnostics}
        assert severities == {"LOOP501": 1, "LOOP300": 2, "LOOP502": 3}
    finally:
        client.kill()
