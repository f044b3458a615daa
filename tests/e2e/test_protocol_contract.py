"""A real LSP session (the real binary, its real trio host) against
docs/schema/lsp-extension.schema.json: every asyncell/* request's params and result and
every asyncell/* notification of a session that runs cells (ok, error, an image),
background tasks (one printing, one failing), interrupts an awaiting cell, asks for
status, cancels a task, completes, inspects and lists variables while a cell awaits,
restarts and shuts down, validates against the method's subschema (strictly: no field
the schema does not name), and every method and event kind is seen at least once."""

from __future__ import annotations

import json

from exec_support import HEARTBEAT, host_cache, start_server, stop_server, wait_until  # noqa: F401
from schema_support import load, problems, validator

SCHEMA = load("lsp-extension.schema.json")
PARAMS = {m: validator(SCHEMA, e["params"]) for kind in ("requests", "notifications") for m, e in SCHEMA[kind].items()}
RESULTS = {m: validator(SCHEMA, e["result"]) for m, e in SCHEMA["requests"].items()}

DOCUMENT = """\
# %%
import trio
print("first cell")

# %%
value = 6 * 7
value
"""


class Recorder:
    """Wraps an LspClient: records every asyncell/* request (params, then result) and
    notification that crosses the wire, as the bytes' JSON, before anyone reads them."""

    def __init__(self, client):
        self.client = client
        self.requests = {}  # id -> {"method", "params", "result"?}
        self.notifications = []  # {"method", "params"}
        send, dispatch = client._send, client._dispatch

        def recording_send(message):
            if str(message.get("method", "")).startswith("asyncell/") and "id" in message:
                self.requests[message["id"]] = {"method": message["method"], "params": message.get("params")}
            send(message)

        def recording_dispatch(body):
            message = json.loads(body)
            if "id" in message and "method" not in message and message["id"] in self.requests:
                entry = self.requests[message["id"]]
                entry["result" if "result" in message else "error"] = message.get("result", message.get("error"))
            elif "id" not in message and str(message.get("method", "")).startswith("asyncell/"):
                self.notifications.append({"method": message["method"], "params": message.get("params")})
            dispatch(body)

        client._send = recording_send
        client._dispatch = recording_dispatch

    def events(self, kind):
        return [n["params"] for n in self.notifications if n["method"] == "asyncell/event" and n["params"]["kind"] == kind]


def test_every_message_of_a_real_session_is_in_the_schema(asyncell_bin, tmp_path, host_cache):
    client = start_server(asyncell_bin, tmp_path, host_cache, loop="trio")
    recorder = Recorder(client)
    uri = (tmp_path / "cells.py").as_uri()
    doc = {"textDocument": {"uri": uri}}
    try:
        client.open(uri, DOCUMENT)

        def request(method, timeout=30.0, **params):
            return client.request(method, {**doc, **params}, timeout=timeout)

        # Cells by index, by position, by code; ok, error, an image.
        assert request("asyncell/execute", cell=0, executionId="contract-1")["status"] == "ok"
        assert request("asyncell/execute", position={"line": 5, "character": 0})["status"] == "ok"
        assert request("asyncell/execute", code="1/0")["status"] == "error"
        image = request("asyncell/execute", code=(
            "from asyncell import display\n"
            "class Picture:\n"
            "    def _repr_png_(self):\n"
            "        return b'\\x89PNG\\r\\n\\x1a\\n' + bytes(16)\n"
            "display(Picture())"
        ))
        assert any(o["output_type"] == "display_data" and "image/png" in o["data"] for o in image["outputs"]), image
        # A display updated in place and a cleared cell: editors get nbformat outputs only
        # (an update as a display of its own, no clear), the reply has them applied.
        changing = request("asyncell/execute", code=(
            "from asyncell import clear_output\n"
            "print('soon cleared')\n"
            "clear_output()\n"
            "bar = display('10%', display_id=True)\n"
            "bar.update('100%')"
        ))
        assert changing["outputs"] == [
            {"output_type": "display_data", "data": {"text/plain": "'100%'"}, "metadata": {}}], changing
        assert wait_until(lambda: [n["params"]["output"]["data"]["text/plain"] for n in recorder.notifications
                                   if n["method"] == "asyncell/output"
                                   and n["params"]["output"]["output_type"] == "display_data"
                                   and "text/plain" in n["params"]["output"]["data"]
                                   and "%" in n["params"]["output"]["data"]["text/plain"]]
                          == ["'10%'", "'100%'"], 10)

        # Background tasks: one prints then finishes, one fails.
        assert request("asyncell/execute", code=(
            "async def chatty():\n"
            "    await trio.sleep(0.1)\n"
            "    print('from the task')\n"
            "async def broken():\n"
            "    raise RuntimeError('boom')\n"
            "background.start_soon(chatty, name='chatty')\n"
            "background.start_soon(broken, name='broken')"
        ))["status"] == "ok"
        assert wait_until(lambda: recorder.events("taskFailed") and recorder.events("taskFinished"), 10)
        assert wait_until(lambda: any(n["params"].get("taskId") for n in recorder.notifications
                                      if n["method"] == "asyncell/output"), 10)

        # A heartbeat, and an awaiting cell: status, questions and cancelTask meanwhile.
        assert request("asyncell/execute", code=HEARTBEAT)["status"] == "ok"
        sleeping = next(client._ids)
        client._send({"jsonrpc": "2.0", "id": sleeping, "method": "asyncell/execute",
                      "params": {**doc, "code": "await trio.sleep(30)", "executionId": "contract-sleep"}})
        assert wait_until(lambda: request("asyncell/status")["state"] == "busy", 10)
        assert request("asyncell/complete", code="heart", cursor=5)["matches"]
        assert request("asyncell/inspect", code="trio.sleep", cursor=10)["found"] is True
        assert request("asyncell/inspect", code="trio.sleep", cursor=10, detail=1)["found"] is True
        assert request("asyncell/variables", limit=10)["total"] > 0
        heartbeat = next(t["id"] for t in request("asyncell/status")["tasks"] if t["name"] == "heartbeat")
        assert request("asyncell/cancelTask", taskId=heartbeat)["cancelled"] is True
        assert request("asyncell/cancelTask", taskId="t999")["cancelled"] is False
        outcome = request("asyncell/interrupt")
        assert outcome["interrupted"] is True and outcome["how"] == "cancelled", outcome
        assert wait_until(lambda: "result" in recorder.requests.get(sleeping, {}), 10)
        assert recorder.requests[sleeping]["result"]["status"] == "cancelled"
        assert request("asyncell/interrupt")["interrupted"] is False

        # Restart and shut down.
        assert request("asyncell/restart")["pid"] > 0
        assert request("asyncell/status")["state"] in ("idle", "starting")
        assert request("asyncell/shutdown")["stopped"] is True
        assert request("asyncell/shutdown")["stopped"] is False
        assert wait_until(lambda: any(e.get("stopped") for e in recorder.events("hostExited")), 10)
    finally:
        stop_server(client)

    found = []
    for entry in recorder.requests.values():
        method = entry["method"]
        assert "error" not in entry, entry
        assert "result" in entry, "no answer to %s" % method
        found += problems(PARAMS[method], entry["params"], method + " params")
        found += problems(RESULTS[method], entry["result"], method + " result")
    for note in recorder.notifications:
        found += problems(PARAMS[note["method"]], note["params"], note["method"])
    assert not found, "\n".join(found)

    methods = {e["method"] for e in recorder.requests.values()} | {n["method"] for n in recorder.notifications}
    assert methods == set(SCHEMA["requests"]) | set(SCHEMA["notifications"]), methods
    kinds = {n["params"]["kind"] for n in recorder.notifications if n["method"] == "asyncell/event"}
    assert kinds == set(SCHEMA["$defs"]["EventKind"]["enum"]), kinds
    output_types = {n["params"]["output"]["output_type"] for n in recorder.notifications
                    if n["method"] == "asyncell/output"}
    in_schema = {v["properties"]["output_type"]["const"] for v in SCHEMA["$defs"]["NbOutput"]["oneOf"]}
    assert output_types == in_schema, output_types
    statuses = {e["result"]["status"] for e in recorder.requests.values() if e["method"] == "asyncell/execute"}
    assert statuses == set(SCHEMA["$defs"]["ExecStatus"]["enum"]), statuses


def test_a_renamed_field_fails_validation():
    """The strictness the session test relies on: a renamed or retyped field is caught."""
    event = {"textDocument": {"uri": "file:///x.py"}, "kind": "taskFailed", "message": "m", "taskId": "t1"}
    assert not problems(PARAMS["asyncell/event"], event)
    renamed = {**{k: v for k, v in event.items() if k != "taskId"}, "task_id": "t1"}
    assert problems(PARAMS["asyncell/event"], renamed)
    output = {"textDocument": {"uri": "file:///x.py"}, "executionId": "e1",
              "output": {"output_type": "stream", "name": "stdout", "text": "x"}}
    assert not problems(PARAMS["asyncell/output"], output)
    assert problems(PARAMS["asyncell/output"], {**output, "output": {**output["output"], "name": "stdoot"}})
    status = {"state": "idle", "executionCount": 0, "queued": 0, "tasks": [], "exec_count": 1}
    assert problems(RESULTS["asyncell/status"], status)
