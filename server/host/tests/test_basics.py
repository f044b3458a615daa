"""The everyday contract: hello, results, streams, namespace, errors, status."""

import os
import sys


def test_hello_describes_the_host(trio_host):
    hello = trio_host.events[0]
    assert hello["ev"] == "hello"
    assert hello["protocol"] == 1
    assert hello["loop"] == "trio"
    assert hello["python"] == sys.executable
    assert hello["pid"] == trio_host.proc.pid
    assert hello["version"] == sys.version
    assert isinstance(hello["bridge"], bool)


def test_last_expression_is_the_execute_result_with_the_supervisors_count(trio_host):
    result = trio_host.run("1+1", count=7)
    assert result.status == "ok"
    assert result.results == [
        {"output_type": "execute_result", "execution_count": 7,
         "data": {"text/plain": "2"}, "metadata": {}}
    ]
    assert result.done["duration_ms"] >= 0


def test_trailing_semicolon_suppresses_the_result(trio_host):
    assert trio_host.run("1+1;").results == []


def test_events_are_started_outputs_then_done(trio_host):
    id = trio_host.submit("print('hello')\nprint('world')")
    result = trio_host.result(id)
    kinds = [e["ev"] for e in result.events]
    assert kinds[0] == "started" and kinds[-1] == "done"
    assert result.stdout == "hello\nworld\n"


def test_print_streams_while_the_cell_is_still_running(trio_host):
    id = trio_host.submit("import trio\nprint('early', flush=True)\nawait trio.sleep(1)")
    trio_host.wait_for(lambda e: e.get("ev") == "output" and e.get("id") == id)
    with trio_host._cond:
        assert not any(e.get("ev") == "done" and e.get("id") == id for e in trio_host.events)
    assert trio_host.result(id).stdout == "early\n"


def test_namespace_persists_across_executions(trio_host):
    trio_host.run("x = 41\ndef f(): return x + 1")
    assert trio_host.run("f()").results[0]["data"]["text/plain"] == "42"
    assert trio_host.run("__name__").results[0]["data"]["text/plain"] == "'__main__'"


def test_background_and_global_nursery_are_one_object_not_builtins(trio_host):
    result = trio_host.run(
        "import builtins\n"
        "from asyncell import background as bg\n"
        "print(GLOBAL_NURSERY is background, bg.tasks() == background.tasks(),\n"
        "      hasattr(builtins, 'GLOBAL_NURSERY'))"
    )
    assert result.stdout == "True True False\n"


def test_sync_cell_runs_inside_the_trio_loop(trio_host):
    result = trio_host.run("import trio\nt = trio.current_time()\nprint(type(t).__name__)")
    assert result.status == "ok", result
    assert result.stdout == "float\n"


def test_error_shows_only_user_frames_with_cell_lines(trio_host):
    trio_host.run("import trio\n\nasync def f():\n    await trio.sleep(0)\n    raise ValueError('boom')",
                  count=1)
    result = trio_host.run("x = 1\nawait f()", count=2)
    assert result.status == "error"
    [error] = result.errors
    assert error["ename"] == "ValueError" and error["evalue"] == "boom"
    text = "\n".join(error["traceback"])
    assert 'File "<cell [2]>", line 2' in text and "await f()" in text
    assert 'File "<cell [1]>", line 5, in f' in text and "raise ValueError('boom')" in text
    assert "asyncell" not in text and "trio" + os.sep not in text and "_run.py" not in text


def test_frames_name_the_cell_number_and_the_count_when_the_front_end_sends_the_cell(trio_host):
    """Users see "cell 3" in the editor and `[7]` as the prompt: the frame says both."""
    trio_host.run("def f():\n    return 1 / 0", count=6, cell=2)
    result = trio_host.run("y = 1\nf()", count=7, cell=3)
    text = "\n".join(result.errors[0]["traceback"])
    assert 'File "<cell 3 [7]>", line 2, in <module>' in text
    assert 'File "<cell 2 [6]>", line 2, in f' in text
    # The same cell run again under a count used before keeps both sources apart.
    again = trio_host.run("f()", count=7, cell=3)
    assert 'File "<cell 3 [7].1>", line 1' in "\n".join(again.errors[0]["traceback"])
    # The task list says where a task started the same way.
    trio_host.run("from asyncell import background\nimport trio\n"
                  "background.start_soon(trio.sleep_forever)", count=8, cell=4)
    listing = trio_host.run("print(repr(background.tasks()))", count=9, cell=5)
    assert "cell 4 [8]" in listing.stdout, listing.stdout


def test_annotations_are_evaluated_until_a_cell_imports_annotations_from_the_future(trio_host):
    """Cells do not inherit the host's own future imports; a cell's future import holds
    for the cells after it, as in IPython."""
    plain = trio_host.run("def f(x: int): pass\nprint(f.__annotations__)")
    assert plain.stdout == "{'x': <class 'int'>}\n", plain.stdout
    trio_host.run("from __future__ import annotations")
    later = trio_host.run("def g(x: int): pass\nprint(g.__annotations__)")
    assert later.stdout == "{'x': 'int'}\n", later.stdout


def test_syntax_error_points_into_the_cell(trio_host):
    result = trio_host.run("x = (1,\ny = 2 2", count=3)
    assert result.status == "error"
    [error] = result.errors
    assert error["ename"] == "SyntaxError"
    assert any("<cell [3]>" in line for line in error["traceback"])


def test_system_exit_in_a_cell_does_not_end_the_host(trio_host):
    result = trio_host.run("import sys\nsys.exit(4)")
    assert result.status == "error" and result.errors[0]["ename"] == "SystemExit"
    assert trio_host.run("1").status == "ok"


def test_input_cannot_read_protocol_commands(trio_host):
    # Without a front end that answers (test_stdin.py), input() says so; stdin is empty.
    result = trio_host.run("input()")
    assert result.errors[0]["ename"] == "StdinNotImplementedError"
    assert trio_host.run("import sys\nsys.stdin.readline()").results[0]["data"]["text/plain"] == "''"
    assert trio_host.run("2").results[0]["data"]["text/plain"] == "2"


def test_status_reports_busy_execution_and_tasks(trio_host):
    id = trio_host.submit("import trio\nawait trio.sleep(0.5)")
    trio_host.started(id)
    reply = trio_host.request("status")
    assert reply["loop"] == "trio" and reply["busy"] == id and reply["tasks"] == []
    trio_host.result(id)
    assert trio_host.request("status")["busy"] is None


def test_user_expressions_are_evaluated_after_an_ok_cell(trio_host):
    id = trio_host.submit("x = 20", user_expressions={"double": "x * 2", "missing": "nope + 1",
                                                      "bad": "x ="})
    done = trio_host.result(id).done
    values = done["user_expressions"]
    assert values["double"] == {"status": "ok", "data": {"text/plain": "40"}, "metadata": {}}
    assert values["missing"]["status"] == "error" and values["missing"]["ename"] == "NameError"
    assert values["missing"]["traceback"]
    assert values["bad"]["ename"] == "SyntaxError"
    # After a failing cell, none are evaluated (as in ipykernel).
    failing = trio_host.submit("1/0", user_expressions={"double": "x * 2"})
    assert "user_expressions" not in trio_host.result(failing).done
    # A cell without any answers none.
    assert "user_expressions" not in trio_host.result(trio_host.submit("x")).done
