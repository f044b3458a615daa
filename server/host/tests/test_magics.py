"""The magics notebook users type work in the host, on both loops, at the right line."""

import json
import os
import time
import subprocess
import sys
from pathlib import Path

import pytest

HOST_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["trio", "asyncio"])
def host(request, start_host):
    return start_host(request.param)


def test_shell_escape_streams_into_the_cell_and_keeps_the_exit_status(host):
    result = host.run("print('before')\n!echo from shell; echo err >&2; exit 3\n"
                      "print('status', _exit_code)")
    assert result.status == "ok"  # a failing !cmd does not raise, as in IPython
    assert result.stdout == "before\nfrom shell\nstatus 3\n" and result.stderr == "err\n"


def test_shell_escape_expands_python_values_and_assigns_lines(host):
    result = host.run("name = 'world'\nfor i in range(2):\n    !echo {i} $name\n"
                      "lines = !printf 'a\\nb\\n'\nlines")
    assert result.stdout == "0 world\n1 world\n"
    assert result.results[0]["data"]["text/plain"] == "['a', 'b']"


def test_pip_runs_the_hosts_own_interpreter(host):
    result = host.run("%pip --version", timeout=60)
    assert result.status == "ok", result
    # "pip X.Y from <site-packages of this interpreter>"
    assert result.stdout.startswith("pip ") and " from " in result.stdout


def test_time_line_and_cell_magic_time_code_that_awaits(host):
    loop = host.request("status")["loop"]
    library = "trio" if loop == "trio" else "asyncio"
    line = host.run("import %s\n%%time await %s.sleep(0.05)\n%%time y = 6 * 7\n%%time y"
                    % (library, library))
    assert line.status == "ok", line
    assert line.stdout.count("CPU times: user") == 3 and line.stdout.count("Wall time:") == 3
    assert line.results[0]["data"]["text/plain"] == "42"  # the timed expression's value
    cell = host.run("%%%%time\nawait %s.sleep(0.05)\nprint('in cell')\n1 + 1" % library)
    assert cell.stdout.startswith("in cell\nCPU times: user") and " ms" in cell.stdout
    assert cell.results[0]["data"]["text/plain"] == "2"


def test_timeit_prints_mean_and_std(host):
    result = host.run("%timeit sum(range(100))")
    assert result.status == "ok"
    assert " ± " in result.stdout and "per loop (mean ± std. dev. of 7 runs," in result.stdout


def test_env_cd_who_matplotlib(host, tmp_path):
    result = host.run("%%env ASYNCELL_T=v1\nimport os\nprint(os.environ['ASYNCELL_T'])\n"
                      "%%cd %s\nprint(os.getcwd())\n%%matplotlib inline\n%%who\n"
                      "%%env ASYNCELL_T" % tmp_path)
    assert result.status == "ok", result
    assert result.stdout.split("\n")[:4] == ["env: ASYNCELL_T=v1", "v1", str(tmp_path),
                                             str(tmp_path)]
    assert "os" in result.stdout.split("\n")[4].split("\t")
    assert result.results[0]["data"]["text/plain"] == "'v1'"


def test_question_mark_shows_signature_doc_and_source(host):
    result = host.run("def f(a, b=2):\n    'adds things'\n    return a\nf?\nf??\nnothing_here?")
    assert "Signature: f(a, b=2)" in result.stdout and "Docstring: adds things" in result.stdout
    assert "Source:\ndef f(a, b=2):\n    'adds things'\n    return a" in result.stdout
    assert "Object `nothing_here` not found." in result.stdout
    big = host.run("x = list(range(100000))\nx?")
    assert len(big.stdout) < 1000  # the repr is bounded


def test_a_failing_magic_points_at_its_line_with_the_text_the_user_wrote(host):
    result = host.run("x = 1\n\n%cd /no/such/dir\nprint('not reached')")
    assert result.status == "error" and result.stdout == ""
    traceback = "\n".join(result.errors[0]["traceback"])
    assert "line 3" in traceback and "%cd /no/such/dir" in traceback


def test_lines_may_end_in_a_lone_carriage_return_as_python_allows(host):
    # The checker counts lines the same way (LOOP102 looks at the same first line).
    result = host.run("%%time\rx = 1\r!echo ok\rprint('x', x)")
    assert result.status == "ok" and result.stdout.startswith("ok\nx 1\n")


def test_magic_lines_in_strings_and_brackets_are_left_alone(host):
    result = host.run("t = '''\n%time x\n'''\nu = (1,\n  2)\n!echo ok\nprint(repr(t), u)")
    assert result.stdout == "ok\n'\\n%time x\\n' (1, 2)\n"


def test_the_supported_list_is_one_json_literal():
    listing = subprocess.run([sys.executable, "-m", "asyncell.magics"], cwd=HOST_DIR,
                             capture_output=True, check=True).stdout
    supported = json.loads(listing)
    assert "pip" in supported["line_magics"] and supported["cell_magics"] == ["time"]
    assert supported["escapes"] == ["!", "?", "??"]


def _children_named(pid, name):
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % entry) as stat:
                fields = stat.read().rsplit(")", 1)
        except (OSError, ValueError):
            continue
        state, ppid = fields[1].split()[:2]
        if fields[0].endswith("(" + name) and int(ppid) == pid and state != "Z":  # not dead
            found.append(int(entry))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_interrupting_a_shell_escape_stops_the_cell_and_its_command(host):
    id = host.submit("!exec sleep 100\nprint('not reached')")
    host.started(id)
    pid = host.proc.pid
    deadline = time.monotonic() + 5
    while not _children_named(pid, "sleep") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _children_named(pid, "sleep")
    reply, took = host.interrupt(id)
    result = host.result(id)
    assert reply["how"] == "keyboard_interrupt" and result.status == "cancelled", result
    assert result.stdout == "" and _children_named(pid, "sleep") == []
