"""The real host against docs/schema/host-protocol.schema.json (generated from the
supervisor's Rust types, server/src/exec/protocol.rs): every line it writes while cells
run, fail, display images, start background tasks, are interrupted and answer questions
validates against the schema's `events` (and a `reply` against `replies[op]`), and every
command the suite sends validates against `commands`.

Validation is strict: an object may hold only the fields its schema names (unless the
schema says `additionalProperties: true`, as for MIME bundles), so a field renamed on
either side fails here even where the field is optional."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from conftest import HEARTBEAT

# tests/schema_support.py: the strict schema reading the LSP e2e contract test uses too.
_SUPPORT = Path(__file__).resolve().parents[3] / "tests" / "schema_support.py"
_spec = importlib.util.spec_from_file_location("schema_support", _SUPPORT)
schema_support = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(schema_support)
problems = schema_support.problems

SCHEMA = schema_support.load("host-protocol.schema.json")

EVENTS = schema_support.validator(SCHEMA, SCHEMA["events"])
COMMANDS = schema_support.validator(SCHEMA, SCHEMA["commands"])
REPLIES = {op: schema_support.validator(SCHEMA, schema) for op, schema in SCHEMA["replies"].items()}


class Recorder:
    """Sends commands to a real host (validating each) and tracks the ops of requests."""

    def __init__(self, host):
        self.host = host
        self.ops = {}  # req -> op
        self.sent = []
        real_send = host.send

        def send(**message):
            self.sent.append(message)
            if "req" in message:
                self.ops[message["req"]] = message["op"]
            real_send(**message)

        host.send = send


@pytest.fixture
def recorded(trio_host):
    return Recorder(trio_host)


def run_everything(host):
    """One session that makes the host write every kind of event it has."""
    assert host.run("print('hello')\n40 + 2").status == "ok"
    assert host.run("1/0").status == "error"
    values = host.run("y = 2", user_expressions={"ok": "y", "fails": "1/0"}).done["user_expressions"]
    assert values["ok"]["status"] == "ok" and values["fails"]["status"] == "error"
    assert host.request("status")["busy"] is None
    image = host.run(
        "from asyncell import display\n"
        "class Picture:\n"
        "    def _repr_png_(self):\n"
        "        return b'\\x89PNG\\r\\n\\x1a\\n' + bytes(16)\n"
        "    def __repr__(self):\n"
        "        return '<Picture>'\n"
        "display(Picture())"
    )
    assert image.displays and "image/png" in image.displays[0]["data"], image
    # A display that is updated, and a cleared cell.
    changing = host.run(
        "from asyncell import clear_output, display\n"
        "handle = display('1', display_id=True)\n"
        "handle.update('2')\n"
        "clear_output(wait=True)"
    )
    assert [o["output_type"] for o in changing.outputs] == [
        "display_data", "update_display_data", "clear_output"]
    # Background tasks: one that prints and finishes, one that fails, one cancelled.
    host.run(
        "import trio\n"
        "async def chatty():\n"
        "    print('from the task')\n"
        "async def broken():\n"
        "    raise RuntimeError('boom')\n"
        "background.start_soon(chatty, name='chatty')\n"
        "background.start_soon(broken, name='broken')"
    )
    host.wait_for(lambda e: e.get("ev") == "task" and e.get("kind") == "failed")
    host.wait_for(lambda e: e.get("ev") == "task" and e.get("kind") == "finished")
    host.run(HEARTBEAT)
    heartbeat = next(e["task"]["id"] for e in host.task_events("started") if e["task"]["name"] == "heartbeat")
    # Questions while a cell awaits, then an interrupt of it.
    sleeping = host.submit("await trio.sleep(30)")
    host.started(sleeping)
    assert host.request("complete", code="heart", cursor=5)["matches"]
    assert host.request("inspect", code="trio.sleep", cursor=10)["found"] is True
    assert host.request("inspect", code="trio.sleep", cursor=10, detail=1)["found"] is True
    assert host.request("variables")["variables"]
    assert host.request("cancel_task", task=heartbeat)["cancelled"] is True
    assert host.request("cancel_task", task="t999")["cancelled"] is False
    host.wait_for(lambda e: e.get("ev") == "task" and e.get("kind") == "cancelled")
    reply, _ = host.interrupt(sleeping)
    assert reply["how"] == "cancelled"
    assert host.result(sleeping).status == "cancelled"
    # A cell busy in Python: KeyboardInterrupt.
    busy = host.submit("import time\nwhile True:\n    time.sleep(0.01)")
    host.started(busy)
    reply, _ = host.interrupt(busy)
    assert reply["how"] == "keyboard_interrupt", reply
    host.result(busy)
    # Interrupting nothing.
    reply, _ = host.interrupt("e-not-running")
    # input() where the front end answers it.
    asking = host.submit("print('hi', input('Name: '))", stdin=True)
    request = host.wait_for(lambda e: e.get("ev") == "input_request" and e.get("id") == asking)
    host.send(op="input_reply", prompt_id=request["prompt_id"], value="Ann")
    assert host.result(asking).stdout == "hi Ann\n"


def test_every_line_the_host_writes_is_in_the_schema(recorded):
    host = recorded.host
    run_everything(host)
    found = []
    kinds = set()
    with host._cond:
        events = list(host.events)
    for event in events:
        if event.get("ev") == "__eof__":
            continue
        kinds.add(event.get("ev"))
        if event.get("ev") == "task":
            kinds.add("task:%s" % event.get("kind"))
        found += problems(EVENTS, event)
        if event.get("ev") == "reply":
            op = recorded.ops[event["req"]]
            kinds.add("reply:%s" % op)
            fields = {k: v for k, v in event.items() if k not in ("ev", "req")}
            found += problems(REPLIES[op], fields)
    assert not found, "\n".join(found)
    assert not host.noise, host.noise
    wanted = {"hello", "started", "output", "done", "interrupted", "task", "reply", "input_request",
              "task:started", "task:finished", "task:failed", "task:cancelled",
              "reply:status", "reply:complete", "reply:inspect", "reply:variables", "reply:cancel_task"}
    assert wanted <= kinds, wanted - kinds
    # Every event kind the schema lists, but the two of a host that cannot start.
    in_schema = {variant["properties"]["ev"]["const"] for variant in SCHEMA["$defs"]["Event"]["oneOf"]}
    assert in_schema - kinds == {"fatal"}, in_schema - kinds
    assert set(SCHEMA["replies"]) == {op for op in recorded.ops.values() if op in SCHEMA["replies"]}


def test_every_command_the_suite_sends_is_in_the_schema(recorded):
    run_everything(recorded.host)
    found = []
    for message in recorded.sent:
        found += problems(COMMANDS, message)
    assert not found, "\n".join(found)
    ops = {message["op"] for message in recorded.sent}
    assert {"execute", "interrupt", "status", "complete", "inspect", "variables", "cancel_task",
            "input_reply"} <= ops


def test_a_renamed_field_fails_validation():
    """The strictness the two tests above rely on: a renamed field is caught."""
    done = {"ev": "done", "id": "e1", "status": "ok", "duration_ms": 1.5}
    assert not problems(EVENTS, done)
    renamed = dict(done)
    renamed["durationMs"] = renamed.pop("duration_ms")
    assert problems(EVENTS, renamed)
    output = {"ev": "output", "id": "e1", "output": {"output_type": "stream", "name": "stdout", "txt": "x"}}
    assert problems(EVENTS, output)
    question = {"op": "complete", "req": 3, "code": "x", "cursor": 1}
    assert not problems(COMMANDS, question)
    assert problems(COMMANDS, {**question, "cursor_pos": 1})
