"""Questions about the live namespace (completion, inspection, variables), answered
while cells run: idle, awaiting, or busy in Python, and never held up by user code."""

from __future__ import annotations

import time

from conftest import HEARTBEAT


def counting(host):
    host.run(HEARTBEAT)
    host.run("count = 0\nasync def counter():\n    global count\n    while True:\n"
             "        count += 1\n        await trio.sleep(0.01)\n"
             "GLOBAL_NURSERY.start_soon(counter)\nheartbeat_rate = 50")


def test_variables_change_while_a_cell_awaits(trio_host):
    counting(trio_host)
    sleeping = trio_host.submit("await trio.sleep(10)")
    trio_host.started(sleeping)
    first = {v["name"]: v for v in trio_host.request("variables")["variables"]}
    time.sleep(0.2)
    second = {v["name"]: v for v in trio_host.request("variables")["variables"]}
    assert first["count"]["type"] == "int" and int(second["count"]["repr"]) > int(first["count"]["repr"])
    assert first["beats"]["size"].startswith("len ")
    assert first["heartbeat"]["kind"] == "function"
    assert "trio" not in first and "GLOBAL_NURSERY" not in first  # modules, host names
    trio_host.interrupt(sleeping)


def test_completion_finds_live_names_attributes_and_keys(trio_host):
    counting(trio_host)
    trio_host.run("settings = {'timeout': 3, 'tries': 5}")
    answer = trio_host.request("complete", code="heart", cursor=5)
    names = [m["text"] for m in answer["matches"]]
    assert "heartbeat" in names and "heartbeat_rate" in names
    assert answer["cursorStart"] == 0 and answer["cursorEnd"] == 5
    assert all(m["live"] for m in answer["matches"] if m["text"].startswith("heart"))
    answer = trio_host.request("complete", code="x = trio.sl", cursor=11)
    assert "sleep" in [m["text"] for m in answer["matches"]] and answer["cursorStart"] == 9
    answer = trio_host.request("complete", code="settings['t", cursor=11)
    assert [m["text"] for m in answer["matches"]] == ["timeout", "tries"]


def test_inspect_gives_signature_doc_and_type_while_busy(trio_host):
    trio_host.run("import trio")
    busy = trio_host.submit("import time\nend = time.monotonic() + 3\nwhile time.monotonic() < end:\n    pass")
    trio_host.started(busy)
    started = time.monotonic()
    answer = trio_host.request("inspect", code="trio.sleep(1)", cursor=8)
    assert time.monotonic() - started < 0.5
    assert answer["found"] and answer["name"] == "trio.sleep"
    assert answer["signature"].startswith("sleep(seconds")
    assert "seconds" in answer["doc"]
    detailed = trio_host.request("inspect", code="trio.sleep", cursor=3, detail=1)
    assert "def sleep" in detailed["source"]
    assert trio_host.request("inspect", code="nothing_here", cursor=3)["found"] is False
    trio_host.interrupt(busy)


def test_a_repr_that_never_returns_does_not_block_the_answer(trio_host):
    trio_host.run("import time\nclass Stuck:\n    def __repr__(self):\n        time.sleep(1000)\n"
                  "stuck = Stuck()\nfine = [1, 2, 3]")
    started = time.monotonic()
    found = {v["name"]: v for v in trio_host.request("variables")["variables"]}
    assert time.monotonic() - started < 2
    assert "did not return" in found["stuck"]["repr"]
    assert found["fine"]["repr"] == "[1, 2, 3]"
    # The host goes on running cells.
    assert trio_host.run("1 + 1").status == "ok"


def test_variables_page_through_a_large_namespace(trio_host):
    trio_host.run("for i in range(250):\n    globals()[f'v{i:03}'] = i")
    everything = [v["name"] for v in trio_host.request("variables", limit=1000)["variables"]]
    assert len(everything) == 251  # v000 ... v249, and i
    page = trio_host.request("variables", offset=100, limit=50)
    assert page["total"] == 251 and page["offset"] == 100
    assert [v["name"] for v in page["variables"]] == everything[100:150]
