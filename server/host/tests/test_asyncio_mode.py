"""asyncio mode: one long-lived loop that cells share."""

import os

from conftest import ASYNCIO_HEARTBEAT, BEATING


def test_task_created_in_one_cell_is_read_in_the_next(asyncio_host):
    assert asyncio_host.events[0]["loop"] == "asyncio"
    first = asyncio_host.run(
        "import asyncio\n"
        "async def work():\n"
        "    await asyncio.sleep(0.1)\n"
        "    return 42\n"
        "loop = asyncio.get_running_loop()\n"
        "t = loop.create_task(work())\n"
    )
    assert first.status == "ok"
    second = asyncio_host.run("print(loop is asyncio.get_running_loop())\nawait t")
    assert second.stdout == "True\n"
    assert second.results[0]["data"]["text/plain"] == "42"


def test_sync_cell_sees_the_running_loop(asyncio_host):
    result = asyncio_host.run("import asyncio\nasyncio.get_running_loop().is_running()")
    assert result.results[0]["data"]["text/plain"] == "True"


def test_run_until_complete_explains_the_loop_is_already_running(asyncio_host):
    result = asyncio_host.run(
        "import asyncio\nasyncio.get_event_loop().run_until_complete(asyncio.sleep(0))"
    )
    assert result.status == "error"
    [error] = result.errors
    assert error["ename"] == "RuntimeError"
    assert "already running" in error["evalue"]
    assert asyncio_host.run("1").status == "ok"


def test_unretrieved_task_exception_is_reported_to_the_creating_cell(asyncio_host):
    creator = asyncio_host.submit(
        "import asyncio, gc\n"
        "async def crash():\n"
        "    raise ValueError('nobody awaited me')\n"
        "asyncio.get_running_loop().create_task(crash())\n"
        "await asyncio.sleep(0.05)\n"
        "gc.collect()\n",
        count=3,
    )
    asyncio_host.result(creator)
    asyncio_host.run("import gc\ngc.collect()\nawait asyncio.sleep(0.05)")
    failed = asyncio_host.wait_for(lambda e: e.get("ev") == "task" and e["kind"] == "failed")
    assert failed["task"]["startedBy"] == creator and failed["task"]["state"] == "failed"
    assert "ValueError: nobody awaited me" in failed["traceback"]
    assert "<cell [3]>" in failed["traceback"]
    stderr = [e for e in asyncio_host.events
              if e.get("ev") == "output" and e["output"].get("name") == "stderr"]
    assert stderr and stderr[0]["id"] == creator
    assert "never retrieved" in "".join(e["output"]["text"] for e in stderr)


def test_background_api_in_asyncio_mode(asyncio_host):
    asyncio_host.run(ASYNCIO_HEARTBEAT)
    result = asyncio_host.run(
        "async def server(port, task_status):\n"
        "    task_status.started(port + 1)\n"
        "    await asyncio.sleep(0.05)\n"
        "    raise OSError('connection lost')\n"
        "print(await background.start(server, 8000, name='server'))\n"
        "await asyncio.sleep(0.2)\n"
    )
    assert result.stdout == "8001\n"
    failed = asyncio_host.wait_for(lambda e: e.get("ev") == "task" and e["kind"] == "failed")
    assert failed["task"]["name"] == "server"
    assert "OSError: connection lost" in result.stderr
    assert asyncio_host.run(BEATING.format(sleep="asyncio.sleep")).stdout == "beating True\n"
    names = {t["name"]: t["state"] for t in asyncio_host.request("status")["tasks"]}
    assert names == {"heartbeat": "running", "server": "failed"}


def test_start_raises_in_the_caller_when_the_task_fails_before_started(asyncio_host):
    result = asyncio_host.run(
        "import asyncio\n"
        "async def broken(task_status):\n"
        "    raise KeyError('early')\n"
        "await background.start(broken)\n"
    )
    assert result.errors[0]["ename"] == "KeyError"
    assert "early" not in result.stderr  # not reported twice


def test_autoawait_asyncio_is_accepted_in_asyncio_mode(asyncio_host):
    result = asyncio_host.run("%autoawait asyncio\nimport asyncio\nawait asyncio.sleep(0)\nprint('ok')")
    assert result.status == "ok" and result.stdout == "ok\n"


def test_a_cell_stopping_the_loop_does_not_end_the_session(asyncio_host):
    asyncio_host.run(ASYNCIO_HEARTBEAT)
    asyncio_host.run("import asyncio\nasyncio.get_running_loop().stop()\nawait asyncio.sleep(0.05)")
    assert asyncio_host.run(BEATING.format(sleep="asyncio.sleep")).stdout == "beating True\n"


def test_a_cell_that_does_not_await_is_a_task_too(asyncio_host):
    """Its ContextVars end with it, as an awaiting cell's do, its errors show only its
    frames, its value is displayed and kept as ``_``, and cancelling
    ``asyncio.current_task()`` in it ends that cell, not the host (a cell run on the
    host's runner task instead, to save a task per cell, wedged the host here)."""
    asyncio_host.run("import contextvars\nv = contextvars.ContextVar('v', default='unset')")
    assert asyncio_host.run("v.set('sync')").status == "ok"
    assert asyncio_host.run("print(v.get())").stdout == "unset\n"
    asyncio_host.run("import asyncio\nv.set('async')\nawait asyncio.sleep(0)")
    assert asyncio_host.run("print(v.get())").stdout == "unset\n"
    asyncio_host.run("def f():\n    return 1 / 0", count=6)
    error = asyncio_host.run("y = 1\nf()", count=7).errors[0]
    text = "\n".join(error["traceback"])
    assert error["ename"] == "ZeroDivisionError"
    assert 'File "<cell [7]>", line 2, in <module>' in text and 'File "<cell [6]>", line 2, in f' in text
    assert "asyncell" not in text and "asyncio" + os.sep not in text, text
    assert asyncio_host.run("6 * 7").results[0]["data"]["text/plain"] == "42"
    assert asyncio_host.run("_ + 1").results[0]["data"]["text/plain"] == "43"
    assert asyncio_host.run("asyncio.current_task().cancel()\nx = 1").status == "cancelled"
    assert asyncio_host.run("print('alive')").stdout == "alive\n"
