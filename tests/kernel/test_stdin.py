"""input() and getpass() through jupyter_client: an `input_request` on the stdin
channel under the execute_request, answered with `input_reply`; refused when the client
did not allow stdin; an interrupt ends the wait and leaves the loop running."""

from __future__ import annotations

import time
from queue import Empty

from kernel_support import collect, reply_to, run, stdout
from test_client import BEATING, HEARTBEAT


def next_input_request(kc, timeout: float = 30) -> dict:
    msg = kc.get_stdin_msg(timeout=timeout)
    assert msg["msg_type"] == "input_request", msg
    return msg


def no_stdin_message(kc, seconds: float = 0.5) -> bool:
    try:
        kc.get_stdin_msg(timeout=seconds)
    except Empty:
        return True
    return False


def test_input_is_asked_on_stdin_and_answered(trio_kernel):
    _, kc = trio_kernel
    msg_id = kc.execute("print('before')\nname = input('Name: ')\nprint('hello', name)",
                        allow_stdin=True)
    request = next_input_request(kc)
    # (jupyter_kernel_test's schema types `password` as a number; the spec and ipykernel
    # say boolean, so the fields are checked here.)
    assert request["parent_header"]["msg_id"] == msg_id
    assert request["header"]["msg_type"] == "input_request"
    assert request["content"] == {"prompt": "Name: ", "password": False}
    kc.input("Ann")
    messages = collect(kc, msg_id)
    # What it printed before and after the question, under the cell.
    assert stdout(messages) == "before\nhello Ann\n"
    reply = reply_to(kc, msg_id)["content"]
    assert reply["status"] == "ok"
    _, messages = run(kc, "print(name)")
    assert stdout(messages) == "Ann\n"


def test_getpass_asks_for_a_password(trio_kernel):
    _, kc = trio_kernel
    msg_id = kc.execute("import getpass\nsecret = getpass.getpass('Token: ')\nlen(secret)",
                        allow_stdin=True)
    request = next_input_request(kc)
    assert request["content"] == {"prompt": "Token: ", "password": True}
    kc.input("hunter2")
    assert reply_to(kc, msg_id)["content"]["status"] == "ok"


def test_without_allow_stdin_input_raises_and_says_why(trio_kernel):
    _, kc = trio_kernel
    reply, messages = run(kc, "input('Name: ')", allow_stdin=False)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "StdinNotImplementedError"
    assert "allow_stdin" in reply["content"]["evalue"]
    assert no_stdin_message(kc)


def test_an_interrupt_ends_the_wait_and_a_late_answer_reaches_nobody(trio_kernel):
    km, kc = trio_kernel
    run(kc, HEARTBEAT)
    waiting = kc.execute("value = input('> ')", allow_stdin=True)
    next_input_request(kc)
    started = time.monotonic()
    km.interrupt_kernel()
    reply = reply_to(kc, waiting, timeout=10)["content"]
    latency = time.monotonic() - started
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    assert latency < 2, f"interrupt took {latency:.2f} s"
    kc.input("late")  # the front end answers after all: nobody waits for it
    _, messages = run(kc, BEATING)
    assert stdout(messages) == "beating\n"
    again = kc.execute("input('again: ')", allow_stdin=True)
    request = next_input_request(kc)
    assert request["parent_header"]["msg_id"] == again
    kc.input("fresh")
    results = [m for m in collect(kc, again) if m["msg_type"] == "execute_result"]
    assert results[0]["content"]["data"]["text/plain"] == "'fresh'"
    assert reply_to(kc, again)["content"]["status"] == "ok"
    _, messages = run(kc, "print('value' in globals())")
    assert stdout(messages) == "False\n"
