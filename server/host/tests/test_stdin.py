"""input() and getpass() in a cell: asked of the front end when the execution allows
stdin (`"stdin": true`, a Jupyter client's allow_stdin), refused with a clear error when
it does not; an interrupt ends the wait."""

from __future__ import annotations

import pytest

from conftest import ASYNCIO_HEARTBEAT, BEATING, HEARTBEAT


def input_request(host, id):
    return host.wait_for(lambda e: e.get("ev") == "input_request" and e.get("id") == id)


def test_input_asks_the_front_end_and_returns_its_answer(trio_host):
    id = trio_host.submit("print('before')\nname = input('Name: ')\nprint('hello', name)",
                          stdin=True)
    request = input_request(trio_host, id)
    assert request["prompt"] == "Name: " and request["password"] is False
    # What the cell printed before the question was sent before it.
    with trio_host._cond:
        events = list(trio_host.events)
    before = next(i for i, e in enumerate(events) if e.get("ev") == "output" and e.get("id") == id)
    assert before < events.index(request)
    trio_host.send(op="input_reply", prompt_id=request["prompt_id"], value="Ann")
    result = trio_host.result(id)
    assert result.status == "ok"
    assert result.stdout == "before\nhello Ann\n"
    assert trio_host.run("name").results[0]["data"]["text/plain"] == "'Ann'"


def test_getpass_asks_for_a_password(trio_host):
    id = trio_host.submit("import getpass\nsecret = getpass.getpass()\nlen(secret)", stdin=True)
    request = input_request(trio_host, id)
    assert request["password"] is True and request["prompt"] == "Password: "
    trio_host.send(op="input_reply", prompt_id=request["prompt_id"], value="hunter2")
    assert trio_host.result(id).results[0]["data"]["text/plain"] == "7"


def test_without_stdin_input_and_getpass_say_why_at_once(trio_host):
    for code in ("input('Name: ')", "import getpass\ngetpass.getpass()"):
        result = trio_host.run(code)
        assert result.status == "error"
        [error] = result.errors
        assert error["ename"] == "StdinNotImplementedError"
        assert "allow_stdin" in error["evalue"] and "asyncell run" in error["evalue"]
    assert not [e for e in trio_host.events if e.get("ev") == "input_request"]


def test_input_in_a_background_task_is_refused(trio_host):
    id = trio_host.submit(
        "import trio\n"
        "async def asks():\n"
        "    input('? ')\n"
        "background.start_soon(asks)\n"
        "await trio.sleep(0.2)",
        stdin=True,
    )
    result = trio_host.result(id)
    assert result.status == "ok"
    assert "StdinNotImplementedError" in result.stderr
    assert "background task" in result.stderr
    assert not [e for e in trio_host.events if e.get("ev") == "input_request"]


@pytest.mark.parametrize("loop", ["trio", "asyncio"])
def test_an_interrupt_ends_the_wait_and_a_late_answer_is_dropped(start_host, loop):
    host = start_host(loop)
    host.run(HEARTBEAT if loop == "trio" else ASYNCIO_HEARTBEAT)
    id = host.submit("value = input('> ')", stdin=True)
    request = input_request(host, id)
    reply, seconds = host.interrupt(id)
    assert reply["how"] == "keyboard_interrupt"
    result = host.result(id)
    assert result.status == "cancelled"
    assert result.errors[0]["ename"] == "KeyboardInterrupt"
    assert seconds < 1.0, seconds
    # The loop runs on; an answer to the interrupted question reaches nobody.
    host.send(op="input_reply", prompt_id=request["prompt_id"], value="late")
    sleep = "trio.sleep" if loop == "trio" else "asyncio.sleep"
    assert host.run(BEATING.format(sleep=sleep)).stdout == "beating True\n"
    again = host.submit("input('again: ')", stdin=True)
    second = input_request(host, again)
    assert second["prompt_id"] != request["prompt_id"]
    host.send(op="input_reply", prompt_id=second["prompt_id"], value="fresh")
    assert host.result(again).results[0]["data"]["text/plain"] == "'fresh'"
    assert host.run("'value' in globals()").results[0]["data"]["text/plain"] == "False"


def test_ctrl_d_in_the_input_box_is_eof(trio_host):
    id = trio_host.submit("input()", stdin=True)
    request = input_request(trio_host, id)
    trio_host.send(op="input_reply", prompt_id=request["prompt_id"], value="\x04")
    assert trio_host.result(id).errors[0]["ename"] == "EOFError"
