"""IPython's output history (In, Out, _, _N, _iN...) and warnings that name the cell."""


def test_in_out_and_underscores_follow_ipython(trio_host):
    trio_host.run("6 * 7", count=1)
    trio_host.run("'two'", count=2)
    trio_host.run("x = 3", count=3)
    trio_host.run("[1]", count=4)
    result = trio_host.run(
        "print(In[0] == '', In[1], In[3], _i1, _i, _ii, _iii)\n"
        "print(Out, _1, _2, _4)\n"
        "print(_, __, ___)", count=5)
    assert result.stdout.split("\n")[:3] == [
        "True 6 * 7 x = 3 6 * 7 [1] x = 3 'two'",
        "{1: 42, 2: 'two', 4: [1]} 42 two [1]",
        "[1] two 42",
    ]


def test_underscore_bound_by_the_user_is_left_alone(trio_host):
    trio_host.run("1", count=1)
    trio_host.run("for _ in range(3): pass", count=2)
    result = trio_host.run("5", count=3)
    assert result.results[0]["data"]["text/plain"] == "5"
    assert trio_host.run("print(_, Out[3])", count=4).stdout == "2 5\n"


def test_a_coroutine_result_is_kept_and_never_warned_about_from_host_files(trio_host):
    trio_host.run("async def co():\n    pass\nco()", count=1)
    results = [trio_host.run(str(n), count=n) for n in range(2, 7)]  # _ __ ___ move on
    result = trio_host.run("import gc\ngc.collect()\nprint(type(Out[1]).__name__)", count=7)
    assert result.stdout == "coroutine\n"
    assert all("never awaited" not in r.stderr for r in results + [result])


def test_a_hidden_result_is_warned_about_at_the_users_cell(trio_host, asyncio_host):
    for host in (trio_host, asyncio_host):
        host.run("async def co():\n    pass", count=1)
        result = host.run("x = 1\nco();", count=2)
        assert "coroutine 'co' was never awaited" in result.stderr
        assert result.stderr.startswith("<cell [2]>:"), result.stderr
        assert "execution.py" not in result.stderr and "asyncell" not in result.stderr
