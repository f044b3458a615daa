"""The task objects the host sends are exactly the supervisor's ``TaskInfo``.

The supervisor reads every ``task`` event into a typed ``TaskInfo`` (docs/schema/
host-protocol.schema.json); an event that does not parse is skipped, so a host that
renamed or dropped a field would silently lose its task events and its status list.
"""

import json
from pathlib import Path

import jsonschema

SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "schema" / "host-protocol.schema.json"


def _task_info():
    schema = json.loads(SCHEMA.read_text())
    # The definition, with the other definitions it refers to (TaskState).
    return dict(schema["$defs"]["TaskInfo"], **{"$defs": schema["$defs"]})


def _check(task):
    info = _task_info()
    jsonschema.validate(task, info)
    assert set(task) == set(info["properties"]), task


def test_trio_task_events_and_status_carry_task_infos(trio_host):
    trio_host.run(
        "import trio\n"
        "async def flaky():\n"
        "    await trio.sleep(0.02)\n"
        "    raise RuntimeError('late')\n"
        "GLOBAL_NURSERY.start_soon(flaky)\n"
        "await trio.sleep(0.2)\n"
    )
    trio_host.wait_for(lambda e: e.get("ev") == "task" and e["kind"] == "failed")
    events = trio_host.task_events()
    assert [e["kind"] for e in events] == ["started", "failed"]
    for event in events:
        _check(event["task"])
    [listed] = trio_host.request("status")["tasks"]
    _check(listed)
    assert listed["state"] == "failed"


def test_an_unannounced_asyncio_task_failure_carries_a_task_info(asyncio_host):
    asyncio_host.run(
        "import asyncio, gc\n"
        "async def crash():\n"
        "    raise ValueError('nobody awaited me')\n"
        "asyncio.get_running_loop().create_task(crash())\n"
        "await asyncio.sleep(0.05)\n"
        "gc.collect()\n"
    )
    asyncio_host.run("import gc\ngc.collect()\nawait asyncio.sleep(0.05)")
    failed = asyncio_host.wait_for(lambda e: e.get("ev") == "task" and e["kind"] == "failed")
    _check(failed["task"])
