"""Clients without an asyncell plugin (Helix, eglot, lsp-mode, Zed, plain Neovim) over
standard LSP only: no `asyncell/*` notifications, run code actions carrying their commands,
`workspace/executeCommand` that replies when the run is queued, `$/progress` while it
runs, and the result as an inlay hint, a diagnostic and a read-only output document.

The requests are Helix's exactly: `textDocument/codeAction` with `only` unset and the
chosen action's `command` sent as `workspace/executeCommand`; `:lsp-workspace-command`
sends the command with no `arguments` key at all (and `"arguments": null` means the same)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from exec_support import host_cache  # noqa: F401
from lsp_client import LspClient, LspError

CELLS = """\
# %%
value = 41

# %% [markdown]
# notes

# %%
value + 1

# %%
def f():
    raise RuntimeError("boom")

f()
"""

PLAIN = {
    "window": {"workDoneProgress": True, "showDocument": {"support": True}},
    "workspace": {"inlayHint": {"refreshSupport": True}},
}


@pytest.fixture
def plain(asyncell_bin, tmp_path, host_cache):
    client = LspClient.start(asyncell_bin, env={"XDG_CACHE_HOME": str(host_cache)}, cwd=tmp_path)
    client.initialize(root=tmp_path, options={"python": sys.executable}, plugin=False, extra_capabilities=PLAIN)
    path = tmp_path / "cells.py"
    path.write_text(CELLS)
    uri = path.as_uri()
    client.open(uri, CELLS)
    yield client, uri
    try:
        client.shutdown_and_exit(timeout=10)
    except Exception:
        client.kill()


def seen(client: LspClient, method: str) -> list[dict]:
    """Every notification or server request received so far with that method."""
    while not client.notifications.empty():
        client._seen.append(client.notifications.get())
    return [m for m in client._seen + client.server_requests if m.get("method") == method]


def wait_seen(client: LspClient, method: str, predicate=lambda message: True, timeout=10.0) -> list[dict]:
    """The messages with that method once one matches: the result is recorded (and its
    hint answered) a moment before the progress end and the refresh go out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = seen(client, method)
        if any(predicate(m) for m in messages):
            return messages
        time.sleep(0.05)
    raise AssertionError(f"no matching {method}: {seen(client, method)}")


def actions_at(client, uri, line):
    position = {"line": line, "character": 0}
    return client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": {"start": position, "end": position}, "context": {"diagnostics": []}},
    )


def wait_hint(client, uri, predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hints = client.request(
            "textDocument/inlayHint",
            {"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}}},
        )
        if predicate(hints):
            return hints
        time.sleep(0.1)
    raise AssertionError(f"no matching inlay hint: {hints}")


def test_code_action_runs_the_cell_and_shows_the_result(plain):
    client, uri = plain
    titles = [a["title"] for a in actions_at(client, uri, 7)]
    assert titles == ["Run cell 3", "Run cell 3 and below", "Run the cells above cell 3", "Interrupt the running cell"]
    first = actions_at(client, uri, 1)[0]
    assert first["kind"] == "asyncell.run.cell" and first["command"]["command"] == "asyncell.runCell"
    reply = client.request("workspace/executeCommand", {"command": first["command"]["command"], "arguments": first["command"]["arguments"]})
    assert reply["queued"] is True and reply["executions"][0]["cell"] == 1
    wait_hint(client, uri, lambda hints: any(h["label"].startswith("✓") and h["position"]["line"] == 1 for h in hints))
    run_third = actions_at(client, uri, 7)[0]
    client.request("workspace/executeCommand", run_third["command"])
    hints = wait_hint(client, uri, lambda hints: any(h["label"].startswith("→ 42 · ") for h in hints))
    assert [h["position"] for h in hints if h["label"].startswith("→")] == [{"line": 7, "character": 9}]
    # Progress ran and ended with the result; the hints were refreshed.
    wait_seen(
        client,
        "$/progress",
        lambda m: m["params"]["value"]["kind"] == "end" and "cell 3: → 42" in m["params"]["value"].get("message", ""),
    )
    wait_seen(client, "workspace/inlayHint/refresh")
    # Nothing custom reached this client.
    assert not [m for m in client._seen if m.get("method", "").startswith("asyncell/")]
    # The output opens as a document: a read-only file.
    show = [a for a in actions_at(client, uri, 7) if a["kind"] == "asyncell.output.show"]
    assert show and show[0]["title"] == "Show the output of cell 3"
    shown = client.request("workspace/executeCommand", show[0]["command"])
    assert seen(client, "window/showDocument")[-1]["params"]["uri"] == shown["uri"]
    path = Path(shown["path"])
    assert "42" in path.read_text() and not os.access(path, os.W_OK) or os.geteuid() == 0


def test_a_failure_is_a_diagnostic_a_message_and_a_hint_until_edited(plain):
    client, uri = plain
    action = actions_at(client, uri, 13)[0]
    assert action["title"] == "Run cell 4"
    client.request("workspace/executeCommand", action["command"])
    diagnostics = client.diagnostics_for(uri, lambda d: any(x.get("source") == "asyncell run" for x in d), timeout=20)
    failure = next(d for d in diagnostics if d.get("source") == "asyncell run")
    assert failure["range"]["start"]["line"] == 11  # the raise inside f, the innermost cell frame
    assert failure["message"].startswith("RuntimeError: boom")
    assert "Traceback" in failure["relatedInformation"][0]["message"]
    message = client.wait_for("window/showMessage", lambda p: "failed" in p["message"], timeout=10)
    assert message["type"] == 1 and "cell 4 failed: RuntimeError: boom" in message["message"]
    wait_hint(client, uri, lambda hints: any(h["label"] == "✗ RuntimeError: boom" for h in hints))
    # Editing the cell clears its diagnostic and hint.
    client.change(uri, 2, [{"range": {"start": {"line": 11, "character": 27}, "end": {"line": 11, "character": 27}}, "text": " "}])
    client.diagnostics_for(uri, lambda d: not any(x.get("source") == "asyncell run" for x in d), timeout=10)
    wait_hint(client, uri, lambda hints: hints == [])


def test_a_long_cell_does_not_hold_the_reply(plain):
    client, uri = plain
    long = CELLS + "\n# %%\nimport time\nfor i in range(300):\n    print('tick', i, flush=True)\n    time.sleep(0.1)\n"
    client.change(uri, 2, [{"text": long}])
    action = actions_at(client, uri, 17)[0]
    assert action["title"] == "Run cell 5"
    started = time.monotonic()
    reply = client.request("workspace/executeCommand", action["command"], timeout=5)
    assert time.monotonic() - started < 2 and reply["queued"]
    # Progress says which cell, for how long, and its last line.
    report = client.wait_for(
        "$/progress", lambda p: p["value"]["kind"] == "report" and "tick" in p["value"].get("message", ""), timeout=15
    )
    assert report["value"]["message"].startswith("Running cell 5 · ")
    # The editor keeps working meanwhile; interrupting (no arguments: the last cell asked) ends it.
    assert actions_at(client, uri, 1)[0]["title"] == "Run cell 1"
    client.request("workspace/executeCommand", {"command": "asyncell.interrupt"})
    wait_hint(client, uri, lambda hints: any(h["label"] == "⊘ interrupted" for h in hints))


def test_a_queued_cell_says_it_is_queued_until_its_turn(plain):
    client, uri = plain
    slow = CELLS + "\n# %%\nimport time\nprint('asleep', flush=True)\ntime.sleep(3)\n"
    client.change(uri, 2, [{"text": slow}])
    client.request("workspace/executeCommand", actions_at(client, uri, 17)[0]["command"])
    # Cell 5 runs once its output shows in the progress (the host has started).
    client.wait_for("$/progress", lambda p: p["value"].get("message", "").startswith("Running cell 5 · ") and "asleep" in p["value"]["message"], timeout=15)
    # Cell 1 is asked for while cell 5 sleeps: its progress does not claim it runs.
    first = client.request("workspace/executeCommand", actions_at(client, uri, 1)[0]["command"])
    token = f"asyncell/{first['executions'][0]['executionId']}"
    begin = client.wait_for("$/progress", lambda p: p["token"] == token and p["value"]["kind"] == "begin", timeout=10)
    assert begin["value"]["message"] == "cell 1 is queued behind a running cell"
    report = client.wait_for("$/progress", lambda p: p["token"] == token and p["value"]["kind"] == "report", timeout=10)
    assert report["value"]["message"].startswith("cell 1 is queued behind a running cell · ")
    end = client.wait_for("$/progress", lambda p: p["token"] == token and p["value"]["kind"] == "end", timeout=15)
    assert end["value"]["message"].startswith("cell 1: ✓")


def test_helix_workspace_command_without_arguments(asyncell_bin, tmp_path, host_cache):
    client = LspClient.start(asyncell_bin, env={"XDG_CACHE_HOME": str(host_cache)}, cwd=tmp_path)
    try:
        client.initialize(root=tmp_path, options={"python": sys.executable}, plugin=False)
        path = tmp_path / "cells.py"
        path.write_text(CELLS)
        client.open(path.as_uri(), CELLS)
        # Before any code action: the error says what to pass.
        with pytest.raises(LspError) as error:
            client.request("workspace/executeCommand", {"command": "asyncell.runCell"})
        assert "[uri, cellIndex]" in str(error.value) and "code action" in str(error.value)
        actions_at(client, path.as_uri(), 1)
        reply = client.request("workspace/executeCommand", {"command": "asyncell.runCell"})
        assert reply["executions"][0]["cell"] == 1
        wait_hint(client, path.as_uri(), lambda hints: any(h["label"].startswith("✓") for h in hints))
        actions_at(client, path.as_uri(), 7)
        # `"arguments": null` (what some clients send for a command with none) means the same.
        reply = client.request("workspace/executeCommand", {"command": "asyncell.runCell", "arguments": None})
        assert reply["executions"][0]["cell"] == 3
        # No workDoneProgress, no refresh support: the result still shows in the hint and log.
        wait_hint(client, path.as_uri(), lambda hints: any(h["label"].startswith("→ 42") for h in hints))
        assert not seen(client, "$/progress")
        wait_seen(client, "window/logMessage", lambda m: m["params"]["message"].startswith("asyncell: cell 3 → 42"))
    finally:
        client.kill()


def test_plugins_get_custom_notifications_and_no_run_actions(asyncell_bin, tmp_path, host_cache):
    client = LspClient.start(asyncell_bin, env={"XDG_CACHE_HOME": str(host_cache)}, cwd=tmp_path)
    try:
        client.initialize(root=tmp_path, options={"python": sys.executable})
        path = tmp_path / "cells.py"
        path.write_text(CELLS)
        client.open(path.as_uri(), CELLS)
        assert actions_at(client, path.as_uri(), 7) == []
        result = client.request("asyncell/execute", {"textDocument": {"uri": path.as_uri()}, "code": "print('hi')"}, timeout=30)
        client.wait_for("asyncell/output", lambda p: p["executionId"] == result["executionId"])
    finally:
        client.kill()


def test_commands_run_in_the_order_they_came(plain):
    """lsp-mode sends the next command before the last one ends: the cells still run in
    order (cell 3 uses what cell 1 defines)."""
    client, uri = plain
    first, third = actions_at(client, uri, 1)[0], actions_at(client, uri, 7)[0]
    client.request("workspace/executeCommand", first["command"])
    client.request("workspace/executeCommand", third["command"])
    wait_hint(client, uri, lambda hints: any(h["label"].startswith("→ 42") for h in hints))


def test_run_below_runs_the_cell_and_those_after_it_and_stops_at_a_failure(plain):
    client, uri = plain
    text = CELLS + "\n# %%\nnever = True\n"
    client.change(uri, 2, [{"text": text}])
    below = next(a for a in actions_at(client, uri, 1) if a["kind"] == "asyncell.run.below")
    assert below["title"] == "Run cell 1 and below"
    reply = client.request("workspace/executeCommand", below["command"])
    assert [e["cell"] for e in reply["executions"]] == [1, 3, 4, 5]
    hints = wait_hint(client, uri, lambda hints: any(h["label"].startswith("✗") for h in hints))
    labels = {h["position"]["line"]: h["label"] for h in hints}
    assert labels[1].startswith("✓") and labels[7].startswith("→ 42") and labels[13] == "✗ RuntimeError: boom"
    # Cell 5 never runs after cell 4 failed.
    time.sleep(0.5)
    assert 16 not in {h["position"]["line"] for h in wait_hint(client, uri, lambda hints: True)}
    above = next(a for a in actions_at(client, uri, 16) if a["kind"] == "asyncell.run.above")
    assert above["title"] == "Run the cells above cell 5"
    assert [e["cell"] for e in client.request("workspace/executeCommand", above["command"])["executions"]] == [1, 3, 4]


def test_rerunning_a_failed_cell_clears_its_diagnostic(plain):
    client, uri = plain
    # Cell 3 fails until cell 1 has run: re-running it, unedited, must clear its failure.
    action = actions_at(client, uri, 7)[0]
    client.request("workspace/executeCommand", action["command"])
    client.diagnostics_for(uri, lambda d: any(x.get("source") == "asyncell run" and "NameError" in x["message"] for x in d), timeout=20)
    client.request("workspace/executeCommand", actions_at(client, uri, 1)[0]["command"])
    client.request("workspace/executeCommand", actions_at(client, uri, 7)[0]["command"])
    wait_hint(client, uri, lambda hints: any(h["label"].startswith("→ 42") for h in hints))
    client.diagnostics_for(uri, lambda d: not any(x.get("source") == "asyncell run" for x in d), timeout=10)


def test_background_output_goes_to_the_output_file_and_a_failed_task_is_shown(plain):
    """What a plugin shows from `asyncell/output` and `asyncell/event` after a cell
    finished: its background task's output is added to the cell's output document, and a
    task that fails is a `window/showMessage` error."""
    client, uri = plain
    text = CELLS + (
        "\n# %%\nimport trio\n"
        "async def beats():\n"
        "    for n in range(3):\n"
        "        await trio.sleep(0.3)\n"
        "        print('beat', n, flush=True)\n"
        "    raise RuntimeError('task blew up')\n"
        "background.start_soon(beats, name='beats')\n"
        "print('started')\n"
    )
    client.change(uri, 2, [{"text": text}])
    action = actions_at(client, uri, 17)[0]
    assert action["title"] == "Run cell 5"
    client.request("workspace/executeCommand", action["command"])
    wait_hint(client, uri, lambda hints: any(h["label"].startswith("→ started") for h in hints))
    failed = client.wait_for("window/showMessage", lambda p: "task blew up" in p["message"], timeout=20)
    assert failed["type"] == 1 and 'background task "beats"' in failed["message"], failed
    show = next(a for a in actions_at(client, uri, 17) if a["kind"] == "asyncell.output.show")
    path = Path(client.request("workspace/executeCommand", show["command"])["path"])
    deadline = time.monotonic() + 10
    while "RuntimeError: task blew up" not in path.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    output = path.read_text()
    assert output.index("started") < output.index("[background output, after the cell finished]") < output.index("beat 2")
    assert "RuntimeError: task blew up" in output
    assert not os.access(path, os.W_OK) or os.geteuid() == 0
