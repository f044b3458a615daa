"""The server's cell splitting against the shared fixture set (tests/clients/cells.json)
that the clients' own cell helpers are checked against too (editors/nvim/tests/
test_cells_server.lua): one splitting, one numbering. Read back the way any client sees
it: the "▶ Run cell" code lenses (a code cell's first line and 0-based code-cell index)
and the run code actions ("Run cell N", N the 1-based position among all cells)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from lsp_client import LspClient

FIXTURES = json.loads((Path(__file__).parents[1] / "clients" / "cells.json").read_text())["files"]


@pytest.fixture(scope="module")
def client(asyncell_bin, tmp_path_factory):
    root = tmp_path_factory.mktemp("splits")
    client = LspClient.start(asyncell_bin, cwd=root)
    client.initialize(root=root, options={"python": sys.executable}, plugin=False)
    yield client, root
    client.kill()


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f["name"] for f in FIXTURES])
def test_the_server_splits_cells_as_the_fixture_says(client, fixture):
    client, root = client
    path = root / (fixture["name"].replace(" ", "_").replace("'", "").replace(",", "").replace(":", "") + ".py")
    path.write_text(fixture["text"])
    uri = path.as_uri()
    client.open(uri, fixture["text"])
    code = [(number, line) for number, (line, kind) in enumerate(fixture["cells"], start=1) if kind == "code"]
    lenses = client.request("textDocument/codeLens", {"textDocument": {"uri": uri}})
    runs = sorted((lens["range"]["start"]["line"], lens["command"]["arguments"][1]) for lens in lenses if lens["command"]["command"] == "asyncell.runCell")
    has_markers = any("%%" in line and line.lstrip().startswith("#") for line in fixture["text"].splitlines())
    # A file without markers is a script: one cell, no lenses.
    assert runs == ([(line, index) for index, (_, line) in enumerate(code)] if has_markers else [])
    for index, (number, line) in enumerate(code):
        position = {"line": line, "character": 0}
        actions = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": {"start": position, "end": position}, "context": {"diagnostics": []}},
        )
        run = next(a for a in actions if a["kind"] == "asyncell.run.cell")
        assert (run["title"], run["command"]["arguments"][1]) == (f"Run cell {number}", index)
