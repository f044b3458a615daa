"""Supervised background tasks: they outlive cells, and their failures stay contained."""

from conftest import BEATING, HEARTBEAT


def test_heartbeat_started_in_one_cell_keeps_beating_in_later_cells(trio_host):
    assert trio_host.run(HEARTBEAT).status == "ok"
    for _ in range(3):
        assert trio_host.run(BEATING.format(sleep="trio.sleep")).stdout == "beating True\n"
    [started] = trio_host.task_events("started")
    assert started["task"]["name"] == "heartbeat"
    assert started["task"]["state"] == "running"
    tasks = trio_host.request("status")["tasks"]
    assert [t["name"] for t in tasks] == ["heartbeat"]


def test_task_failing_after_started_is_reported_and_contained(trio_host):
    trio_host.run(HEARTBEAT)
    id = trio_host.submit(
        "async def f(task_status=trio.TASK_STATUS_IGNORED):\n"
        "    task_status.started('ready')\n"
        "    await trio.sleep(0.05)\n"
        "    raise RuntimeError('late failure')\n"
        "value = await GLOBAL_NURSERY.start(f)\n"
        "print(value)\n"
        "await trio.sleep(0.3)\n",
        count=5,
    )
    result = trio_host.result(id)
    assert result.status == "ok"
    assert result.stdout == "ready\n"
    failed = trio_host.wait_for(lambda e: e.get("ev") == "task" and e["kind"] == "failed")
    assert failed["task"]["name"] == "f" and failed["task"]["state"] == "failed"
    assert failed["task"]["startedBy"] == id
    assert "RuntimeError: late failure" in failed["traceback"]
    assert 'File "<cell [5]>", line 4, in f' in failed["traceback"]
    assert failed["message"] == "RuntimeError: late failure"
    # the traceback is a stderr output of the cell that started the task, tagged with the task
    stderr = [o for o in result.events if o["ev"] == "output" and o["output"].get("name") == "stderr"]
    assert stderr and all(o["task"] == failed["task"]["id"] for o in stderr)
    assert "late failure" in "".join(o["output"]["text"] for o in stderr)
    assert "asyncell" not in failed["traceback"]
    # the loop and sibling tasks keep running
    assert trio_host.run(BEATING.format(sleep="trio.sleep")).stdout == "beating True\n"


def test_exception_before_started_propagates_to_the_caller(trio_host):
    result = trio_host.run(
        "import trio\n"
        "async def f(task_status=trio.TASK_STATUS_IGNORED):\n"
        "    raise KeyError('early')\n"
        "await background.start(f)\n"
    )
    assert result.status == "error"
    assert result.errors[0]["ename"] == "KeyError"
    assert trio_host.run("1").status == "ok"


def test_start_soon_failure_goes_to_the_starting_cell_and_status(trio_host):
    first = trio_host.submit(
        "import trio\n"
        "async def crash():\n"
        "    await trio.sleep(0.1)\n"
        "    1/0\n"
        "background.start_soon(crash)\n"
        "print(background.tasks()[-1].id)\n"
    )
    tid = trio_host.result(first).stdout.strip()
    trio_host.run("await trio.sleep(0.3)")  # a later cell is running when it fails
    failed = trio_host.wait_for(lambda e: e.get("ev") == "task" and e["kind"] == "failed")
    assert failed["task"]["id"] == tid
    outputs = [e for e in trio_host.events if e.get("ev") == "output" and e.get("task") == tid]
    assert outputs and all(e["id"] == first for e in outputs)
    states = {t["id"]: t["state"] for t in trio_host.request("status")["tasks"]}
    assert states[tid] == "failed"


def test_output_of_a_background_task_belongs_to_the_cell_that_started_it(trio_host):
    starter = trio_host.submit(
        "import trio\n"
        "async def talker():\n"
        "    await trio.sleep(0.2)\n"
        "    print('from the task')\n"
        "background.start_soon(talker)\n"
    )
    trio_host.result(starter)
    later = trio_host.run("await trio.sleep(0.4)\nprint('from the cell')")
    assert later.stdout == "from the cell\n"
    event = trio_host.wait_for(lambda e: e.get("ev") == "output" and e.get("task") is not None)
    assert event["id"] == starter and event["output"]["text"] == "from the task\n"
    finished = trio_host.wait_for(lambda e: e.get("ev") == "task" and e["kind"] == "finished")
    assert finished["task"]["state"] == "done"


def test_cancel_task_op_and_python_cancel(trio_host):
    trio_host.run(HEARTBEAT)
    tid = trio_host.task_events("started")[0]["task"]["id"]
    assert trio_host.request("cancel_task", task=tid)["cancelled"] is True
    cancelled = trio_host.wait_for(lambda e: e.get("ev") == "task" and e["kind"] == "cancelled")
    assert cancelled["task"]["id"] == tid
    assert trio_host.request("cancel_task", task=tid)["cancelled"] is False
    assert trio_host.request("cancel_task", task="t999")["cancelled"] is False
    result = trio_host.run(
        "background.start_soon(trio.sleep_forever)\n"
        "tid = background.tasks()[-1].id\n"
        "await trio.sleep(0)\n"
        "print(background.cancel(tid), [t.state for t in background.tasks() if t.id == tid])\n"
        "await trio.sleep(0.05)\n"
        "print([t.state for t in background.tasks() if t.id == tid])\n"
    )
    assert result.stdout == "True ['running']\n['cancelled']\n"


def test_coroutine_object_instead_of_function_is_a_clear_error(trio_host):
    result = trio_host.run("import trio\nbackground.start_soon(trio.sleep(1))")
    assert result.errors[0]["ename"] == "TypeError"
    assert "async function" in result.errors[0]["evalue"]


def test_start_soon_returns_none_like_trio_so_a_cell_shows_no_result(trio_host, asyncio_host):
    trio_result = trio_host.run("import trio\nGLOBAL_NURSERY.start_soon(trio.sleep, 0)")
    asyncio_result = asyncio_host.run("import asyncio\nbackground.start_soon(asyncio.sleep, 0)")
    for result in (trio_result, asyncio_result):
        assert result.status == "ok" and result.results == [], result
    assert trio_host.run("print(background.tasks()[-1].id)").stdout == "t1\n"


def test_tasks_show_as_a_table(trio_host):
    trio_host.run(
        "import trio\n"
        "async def beat():\n"
        "    await trio.sleep_forever()\n"
        "async def broken():\n"
        "    raise RuntimeError('boom <here>')\n"
        "background.start_soon(beat, name='heartbeat')\n"
        "background.start_soon(broken, name='broken')",
        count=7, cell=2,
    )
    trio_host.wait_for(lambda e: e.get("ev") == "task" and e.get("kind") == "failed")
    result = trio_host.run("background.tasks()")
    [shown] = result.results
    text = shown["data"]["text/plain"]
    lines = text.splitlines()
    assert lines[0].split() == ["id", "name", "state", "started", "in", "age", "outcome"]
    # Started in the editor's cell 2, which ran as [7].
    assert lines[1].split()[:6] == ["t1", "heartbeat", "running", "cell", "2", "[7]"]
    assert "failed" in lines[2] and "RuntimeError: boom <here>" in lines[2]
    assert lines[-1] == "1 running, 1 finished"
    html = shown["data"]["text/html"]
    assert html.startswith("<table") and html.count("<tr>") == 3
    assert "heartbeat" in html and "boom &lt;here&gt;" in html
    # Still a list to code.
    assert trio_host.run("print(background.tasks()[0].name, len(background.tasks()))").stdout \
        == "heartbeat 2\n"


def test_no_tasks_says_so(trio_host):
    shown = trio_host.run("background.tasks()").results[0]["data"]
    assert shown["text/plain"] == "no background tasks"
    assert "no background tasks" in shown["text/html"]
