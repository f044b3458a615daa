"""Running cells without an asyncell plugin: code lenses on `# %%` cells bound to
`workspace/executeCommand` (what Helix and Zed offer)."""

from __future__ import annotations

from exec_support import Session, host_cache, session, text_of  # noqa: F401

CELL_FILE = """\
# %%
import trio
value = 20

# %% [markdown]
# Some notes

# %% second
value += 1
print("value", value)

# %%
1 / 0
"""


def test_code_lenses_and_commands_run_cells(session):
    client = session.client
    client.change(session.uri, 2, [{"text": CELL_FILE}])
    lenses = client.request("textDocument/codeLens", {"textDocument": {"uri": session.uri}})
    by_line = {}
    for lens in lenses:
        by_line.setdefault(lens["range"]["start"]["line"], []).append(lens["command"])
    assert sorted(by_line) == [0, 7, 11]
    assert [c["title"] for c in by_line[0]] == ["▶ Run cell"]
    assert [c["title"] for c in by_line[7]] == ["▶ Run cell", "Run above"]
    run_second = by_line[7][0]
    assert run_second["command"] == "asyncell.runCell" and run_second["arguments"] == [session.uri, 1]

    # Commands reply once queued; this client declared `experimental.asyncell`, so the
    # outputs stream as asyncell/output, and a text rendering goes to the log.
    queued = client.request("workspace/executeCommand", {"command": "asyncell.runAbove", "arguments": [session.uri, 1]})
    assert queued["queued"] and [e["cell"] for e in queued["executions"]] == [1]
    reply = client.request("workspace/executeCommand", {"command": run_second["command"], "arguments": run_second["arguments"]})
    assert reply["executions"][0]["cell"] == 3  # "cell N" counts all cells, as `asyncell check` does
    session.wait_for_text(reply["executionId"], "value 21\n")
    session.wait_for(lambda m: m.get("method") == "window/logMessage" and "value 21" in m["params"]["message"])

    # A failing cell is reported with window/showMessage.
    client.request("workspace/executeCommand", {"command": "asyncell.runCell", "arguments": [session.uri, 2]})
    shown = session.wait_for(lambda m: m.get("method") == "window/showMessage" and "failed" in m["params"]["message"])["params"]
    assert shown["type"] == 1 and "ZeroDivisionError" in shown["message"] and "cell 4 failed" in shown["message"]

    restarted = client.request("workspace/executeCommand", {"command": "asyncell.restart", "arguments": [session.uri]})
    assert restarted["pid"] == session.status()["pid"]
    interrupted = client.request("workspace/executeCommand", {"command": "asyncell.interrupt", "arguments": [session.uri]})
    assert interrupted["how"] == "not_running"


def test_capabilities_advertise_lenses_and_commands(asyncell_bin, tmp_path):
    from lsp_client import LspClient

    client = LspClient.start(asyncell_bin, cwd=tmp_path)
    try:
        capabilities = client.initialize(root=tmp_path)["capabilities"]
        assert capabilities["codeLensProvider"] == {"resolveProvider": False}
        assert set(capabilities["executeCommandProvider"]["commands"]) == {
            "asyncell.runCell", "asyncell.runBelow", "asyncell.runAbove", "asyncell.interrupt",
            "asyncell.restart", "asyncell.showOutput",
        }
        assert "asyncell/execute" in capabilities["experimental"]["asyncell"]["methods"]
    finally:
        client.kill()
