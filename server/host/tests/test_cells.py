"""Notebook syntax that is not Python gets a clear answer, not a host traceback."""

import pytest


def test_an_unknown_magic_is_one_error_naming_it_and_the_rest_of_the_cell_runs(trio_host):
    result = trio_host.run("x = 1\n%nosuchmagic arg\nprint('reached', x)")
    assert result.status == "error" and result.stdout == "reached 1\n"
    [error] = result.errors
    assert error["ename"] == "UsageError"
    assert error["evalue"].startswith("unknown magic %nosuchmagic (asyncell supports: %autoawait")
    assert not any("asyncell" in line and "File" in line for line in error["traceback"])
    assert trio_host.run("1").status == "ok"  # the failure belonged to that cell only


@pytest.mark.parametrize("code, message", [
    ("%%bash\necho hi", "unknown cell magic %%bash"),
    ("x = 1\n%%time\nprint('not reached')", "%%time must be the first line"),
])
def test_a_cell_magic_that_cannot_run_stops_the_cell_before_it_runs(trio_host, code, message):
    result = trio_host.run(code)
    assert result.status == "error" and result.stdout == ""
    assert message in result.errors[0]["evalue"]


def test_percent_lines_inside_strings_are_not_magics(trio_host):
    result = trio_host.run('text = """\n%d items\n!important\n"""\nprint(text.split())')
    assert result.status == "ok" and result.stdout == "['%d', 'items', '!important']\n"


def test_autoawait_matching_the_loop_is_a_no_op(trio_host):
    result = trio_host.run("%autoawait trio\nimport trio\nawait trio.sleep(0)\n1/0")
    assert result.status == "error"
    assert "line 4" in "\n".join(result.errors[0]["traceback"])  # line numbers unchanged


def test_mismatched_autoawait_tells_the_user_to_restart_with_that_loop(trio_host):
    result = trio_host.run("%autoawait asyncio\nprint('not reached')")
    assert result.status == "error" and result.stdout == ""
    evalue = result.errors[0]["evalue"]
    assert "asyncio" in evalue and "restart" in evalue and "loop" in evalue


def test_mismatched_autoawait_in_asyncio_mode(asyncio_host):
    result = asyncio_host.run("%autoawait trio\n1")
    assert result.status == "error"
    assert "trio" in result.errors[0]["evalue"] and "asyncell/restart" in result.errors[0]["evalue"]


def test_top_level_async_constructs(trio_host):
    result = trio_host.run(
        "import trio\n"
        "async def agen():\n"
        "    for i in range(3):\n"
        "        await trio.sleep(0)\n"
        "        yield i\n"
        "[i async for i in agen()]\n"
    )
    assert result.results[0]["data"]["text/plain"] == "[0, 1, 2]"


def test_cell_definitions_are_picklable_via_main(trio_host):
    result = trio_host.run(
        "import pickle, dataclasses\n"
        "@dataclasses.dataclass\n"
        "class Point:\n"
        "    x: int\n"
        "pickle.loads(pickle.dumps(Point(3)))\n"
    )
    assert result.results[0]["data"]["text/plain"] == "Point(x=3)"


@pytest.mark.parametrize("code, shown", [
    ("1 + 1", "2"),
    ("1 + 1;", None),
    ("(y := 21) * 2", "42"),
    ("await trio.sleep(0) or 'awaited'", "'awaited'"),
    ("max([1, 5, 3], key=lambda v: -v)", "1"),  # an '=' inside: the general path
    ("x = 7", None),
    ("x  # a comment", "7"),
    ("\n\nx\n", "7"),
])
def test_one_line_expressions_show_their_value_like_any_cell(trio_host, code, shown):
    trio_host.run("import trio\nx = 7")
    result = trio_host.run(code)
    assert result.status == "ok", result
    assert [r["data"]["text/plain"] for r in result.results] == ([shown] if shown else [])


@pytest.mark.parametrize("code, ename, line", [
    ("1/0", "ZeroDivisionError", "line 1"),
    ("\n\n1/0", "ZeroDivisionError", "line 3"),
    ("1 +", "SyntaxError", "line 1"),
    (" 1 + 1", "IndentationError", "line 1"),
    ("yield 1", "SyntaxError", "line 1"),
])
def test_one_line_expression_errors_read_as_before(trio_host, code, ename, line):
    result = trio_host.run(code)
    assert result.status == "error"
    [error] = result.errors
    assert error["ename"] == ename
    assert line in "\n".join(error["traceback"])
