"""Fix safety in the editor: only safe fixes are preferred (an editor's auto-fix and
fix-on-save apply the preferred one), and `source.fixAll.asyncell` applies exactly the
safe fixes, leaving the same text as `asyncell check --fix`."""

from __future__ import annotations

import subprocess

from test_lsp_diagnostics import apply_edits, notebook_cell, open_notebook

# LOOP200 (safe: the call could never work) and LOOP300 (unsafe: awaiting makes the
# function really run) in one cell file.
MIXED = """\
# %%
import asyncio

async def main():
    await asyncio.sleep(0)

# %%
result = asyncio.run(main())
main()
"""


def code_actions(lsp, uri: str, range_: dict, only: list[str] | None = None, diagnostics=()):
    context: dict = {"diagnostics": list(diagnostics)}
    if only is not None:
        context["only"] = only
    return lsp.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": range_, "context": context,
    })


WHOLE = {"start": {"line": 0, "character": 0}, "end": {"line": 999, "character": 0}}


def test_fix_all_is_advertised(asyncell_bin, tmp_path):
    from lsp_client import LspClient

    client = LspClient.start(asyncell_bin, cwd=tmp_path)
    try:
        kinds = client.initialize(root=tmp_path)["capabilities"]["codeActionProvider"]["codeActionKinds"]
        assert "source.fixAll.asyncell" in kinds
        assert "quickfix" in kinds
    finally:
        client.kill()


def test_only_safe_fixes_are_preferred(lsp, tmp_path):
    uri = (tmp_path / "mixed.py").as_uri()
    lsp.open(uri, MIXED)
    diagnostics = lsp.diagnostics_for(uri, lambda d: len(d) == 2)
    by_code = {d["code"]: d for d in diagnostics}
    assert set(by_code) == {"LOOP200", "LOOP300"}

    [safe] = [a for a in code_actions(lsp, uri, by_code["LOOP200"]["range"], diagnostics=[by_code["LOOP200"]])
              if a["title"].startswith("Replace with")]
    assert safe["isPreferred"] is True
    assert safe["kind"] == "quickfix"

    unsafe_actions = code_actions(lsp, uri, by_code["LOOP300"]["range"], diagnostics=[by_code["LOOP300"]])
    [unsafe] = [a for a in unsafe_actions if a["title"].startswith("Add `await`")]
    # Offered, so the user can choose it, but never applied on its own.
    assert unsafe["isPreferred"] is False
    assert "unsafe" in unsafe["title"]
    assert apply_edits(MIXED, unsafe["edit"]["changes"][uri]).endswith("\nawait main()\n")
    # The suppression is never preferred either.
    assert all(not a.get("isPreferred") for a in unsafe_actions if a["title"].startswith("Suppress"))


def test_fix_all_applies_exactly_the_safe_fixes(lsp, tmp_path, asyncell_bin):
    path = tmp_path / "mixed.py"
    uri = path.as_uri()
    lsp.open(uri, MIXED)
    lsp.diagnostics_for(uri, lambda d: len(d) == 2)

    # What a fix-on-save asks for: `source.fixAll`, which our kind refines.
    actions = code_actions(lsp, uri, WHOLE, only=["source.fixAll"])
    [fix_all] = actions
    assert fix_all["kind"] == "source.fixAll.asyncell"
    assert code_actions(lsp, uri, WHOLE, only=["source.fixAll.asyncell"]) == actions
    fixed = apply_edits(MIXED, fix_all["edit"]["changes"][uri])
    assert "result = await main()\n" in fixed      # the safe LOOP200 fix
    assert fixed.endswith("\nmain()\n")           # the unsafe LOOP300 fix is left alone

    lsp.change(uri, 2, [{"text": fixed}])
    [left] = lsp.diagnostics_for(uri, lambda d: [x["code"] for x in d] == ["LOOP300"])
    assert left["code"] == "LOOP300"
    # Nothing safe is left: no fix-all action at all.
    assert code_actions(lsp, uri, WHOLE, only=["source.fixAll"]) == []

    # The command line's --fix leaves the same text.
    path.write_text(MIXED)
    subprocess.run([str(asyncell_bin), "check", "--fix", str(path)], capture_output=True, timeout=60)
    assert path.read_text() == fixed


def test_quick_fix_requests_do_not_get_fix_all_and_vice_versa(lsp, tmp_path):
    uri = (tmp_path / "mixed.py").as_uri()
    lsp.open(uri, MIXED)
    lsp.diagnostics_for(uri, lambda d: len(d) == 2)
    quick = code_actions(lsp, uri, WHOLE, only=["quickfix"])
    assert quick and all(a["kind"] == "quickfix" for a in quick)
    fix_all_only = code_actions(lsp, uri, WHOLE, only=["source.fixAll"])
    assert [a["kind"] for a in fix_all_only] == ["source.fixAll.asyncell"]
    # Without `only`, both kinds are offered.
    kinds = {a["kind"] for a in code_actions(lsp, uri, WHOLE)}
    assert kinds == {"quickfix", "source.fixAll.asyncell"}


def test_fix_all_in_a_notebook_edits_only_the_cells_that_change(lsp):
    open_notebook(lsp, [
        ("code", "import asyncio\n\nasync def main():\n    await asyncio.sleep(0)\n"),
        ("markdown", "asyncio.run(main()) in prose"),
        ("code", "x = asyncio.run(main())\nmain()\n"),
        ("code", "y = 1\n"),
    ])
    lsp.diagnostics_for(notebook_cell(2), lambda d: len(d) == 2)
    [fix_all] = code_actions(lsp, notebook_cell(0), WHOLE, only=["source.fixAll"])
    changes = fix_all["edit"]["changes"]
    assert list(changes) == [notebook_cell(2)]
    fixed = apply_edits("x = asyncio.run(main())\nmain()\n", changes[notebook_cell(2)])
    assert fixed == "x = await main()\nmain()\n"
