"""Cells on one persistent asyncio loop over LSP."""

from __future__ import annotations

from exec_support import asyncio_session, errors_of, host_cache, text_of  # noqa: F401


def test_tasks_created_in_one_cell_finish_in_the_next(asyncio_session):
    session = asyncio_session
    result = session.run(
        "import asyncio\n"
        "async def fetch(n):\n"
        "    await asyncio.sleep(0.05)\n"
        "    return n * 2\n"
        "loop = asyncio.get_running_loop()\n"
        "task = loop.create_task(fetch(21))\n"
    )
    assert result["status"] == "ok", result
    result = session.run("await asyncio.sleep(0.1)\ntask.done(), task.result()")
    assert result["outputs"][0]["data"]["text/plain"] == "(True, 42)"
    assert session.status()["loop"] == "asyncio"


def test_run_until_complete_says_already_running(asyncio_session):
    session = asyncio_session
    result = session.run(
        "import asyncio\n"
        "asyncio.get_running_loop().run_until_complete(asyncio.sleep(0))\n"
    )
    assert result["status"] == "error"
    [error] = errors_of(result)
    assert error["ename"] == "RuntimeError" and "already running" in error["evalue"]
    # The loop survived the attempt.
    assert text_of(session.run("await asyncio.sleep(0)\nprint('alive')")) == "alive\n"


def test_background_tasks_survive_an_interrupt(asyncio_session):
    session = asyncio_session
    session.run(
        "import asyncio\n"
        "beats = []\n"
        "async def heartbeat():\n"
        "    while True:\n"
        "        beats.append(1)\n"
        "        await asyncio.sleep(0.01)\n"
        "hb = asyncio.get_running_loop().create_task(heartbeat())\n"
        "bg = background.start_soon(heartbeat, name='supervised')\n"
    )
    request = session.submit("print('waiting', flush=True)\nawait asyncio.sleep(30)\n", executionId="long")
    session.wait_for_text("long", "waiting")
    outcome = session.request("asyncell/interrupt")
    assert outcome["interrupted"] and outcome["how"] == "cancelled", outcome
    assert session.response(request)["status"] == "cancelled"
    result = session.run("n = len(beats)\nawait asyncio.sleep(0.1)\nprint(len(beats) > n, hb.done())")
    assert text_of(result) == "True False\n"
    tasks = session.status()["tasks"]
    assert [t["state"] for t in tasks if t["name"] == "supervised"] == ["running"]
