"""`asyncell check` output formats and CI flags, as CI systems and people read them.

The fixture set (tests/e2e/fixtures/check_formats) is a plain script (with a tab-indented
line), a `# %%` cell file (with a finding spanning three lines), a notebook and a clean
file. Every test runs the real binary on a copy of it; output is compared exactly where a
program parses it (GitHub's workflow commands, `full`'s layout) and structurally where a
parser is the reader (SARIF, JUnit, GitLab).
"""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "check_formats"
FILES = ["clean.py", "script.py", "cells.py", "notebook.ipynb"]

MESSAGES = {
    "refresh": "`refresh()` is async but its coroutine is dropped: the body never runs "
    "(RuntimeWarning: coroutine 'refresh' was never awaited)",
    "run": "`asyncio.run()` at cell top level, which already runs on the loop: "
    "RuntimeError: asyncio.run() cannot be called from a running event loop",
    "tick": "`tick()` is async but its coroutine is dropped: the body never runs "
    "(RuntimeWarning: coroutine 'tick' was never awaited)",
    "fetch": "`fetch()` is async but its coroutine is dropped: the body never runs "
    "(RuntimeWarning: coroutine 'fetch' was never awaited)",
    "await": "`await` at module level of a script: SyntaxError: 'await' outside function. "
    "It only works in a notebook cell; wrap it in `async def main()` and run that",
}

SUMMARY = [
    "Found 5 errors in 3 of 4 files.",
    "[*] 1 fixable with `--fix` (2 hidden fixes can be enabled with the `--unsafe-fixes` option).",
]

CONCISE = [
    # `[*]` marks what `--fix` would apply: LOOP300's `await` fix is unsafe (the
    # function now really runs), so it is not marked; LOOP200's is safe.
    f"cells.py:13:1: LOOP300 {MESSAGES['refresh']}",
    f"cells.py:14:10: LOOP200 [*] {MESSAGES['run']}",
    f"notebook.ipynb:cell 3:2:1: LOOP300 {MESSAGES['tick']}",
    f"script.py:10:2: LOOP300 {MESSAGES['fetch']}",
    f"script.py:12:1: LOOP100 {MESSAGES['await']}",
]


@pytest.fixture
def project(tmp_path):
    """A copy of the fixtures in a repository of its own (`.git` stops config discovery)."""
    for name in FILES:
        shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / ".git").mkdir()
    return tmp_path


def plain_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "ASYNCELL_OUTPUT_FORMAT")}
    env.update(extra)
    return env


def check(binary, cwd, *args, env=None, files=FILES):
    proc = subprocess.run(
        [str(binary), "check", *args, *files],
        cwd=cwd, capture_output=True, text=True, timeout=60, env=env or plain_env(),
    )
    return proc.returncode, proc.stdout, proc.stderr


def check_on_terminal(binary, cwd, *args, env=None, files=FILES):
    """Runs with stdout on a pseudo-terminal; returns (code, stdout, stderr)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [str(binary), "check", *args, *files], cwd=cwd, env=env or plain_env(),
        stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=60)
    # The terminal turns "\n" into "\r\n".
    return proc.returncode, b"".join(chunks).decode().replace("\r\n", "\n"), stderr


FULL_CELLS = f"""\
cells.py:14:10: LOOP200 [*] {MESSAGES['run']}
   |
14 | result = asyncio.run(
   |          ^^^^^^^^^^^^
15 |     refresh()
   |     ^^^^^^^^^
16 | )
   | ^ LOOP200
   |
   = help: Replace with `await refresh()`
"""

FULL_NOTEBOOK = f"""\
notebook.ipynb:cell 3:2:1: LOOP300 {MESSAGES['tick']}
  |
2 | tick()
  | ^^^^^^ LOOP300
  |
  = help: Add `await`
"""

# The tab before `fetch` is shown as four spaces, and the carets stay under the call.
FULL_SCRIPT = f"""\
script.py:10:2: LOOP300 {MESSAGES['fetch']}
   |
10 |     fetch("a")
   |     ^^^^^^^^^^ LOOP300
   |
"""


def test_concise_is_the_default_off_a_terminal(asyncell_bin, project):
    code, stdout, stderr = check(asyncell_bin, project)
    assert code == 1
    assert stdout.splitlines() == CONCISE
    assert "\x1b[" not in stdout
    # Findings are in 3 of the 4 files: the summary counts files with findings.
    assert stderr.splitlines() == SUMMARY
    code, stdout, _ = check(asyncell_bin, project, "--output-format", "text")
    assert stdout.splitlines() == CONCISE, "`text`, the old name, still works"


def test_full_shows_the_source_line_carets_and_the_fix(asyncell_bin, project):
    code, stdout, _ = check(asyncell_bin, project, "--output-format", "full")
    assert code == 1
    blocks = stdout.split("\n\n")
    assert blocks[-1] == "", "every block ends with a blank line"
    assert len(blocks) == 6
    assert blocks[1] + "\n" == FULL_CELLS
    # A notebook finding shows the cell's own line numbers, as concise output does.
    assert blocks[2] + "\n" == FULL_NOTEBOOK
    assert blocks[3] + "\n" == FULL_SCRIPT


def test_full_is_the_default_on_a_terminal_with_colour_unless_no_color(asyncell_bin, project):
    code, coloured, _ = check_on_terminal(asyncell_bin, project, files=["notebook.ipynb"])
    assert code == 1
    assert coloured.splitlines()[0] == (
        "\x1b[1mnotebook.ipynb\x1b[0m:cell 3:2:1: \x1b[1;33mLOOP300\x1b[0m "
        f"{MESSAGES['tick']}"
    )
    assert "\x1b[1;34m2 |\x1b[0m tick()" in coloured
    assert "\x1b[1;33m^^^^^^ LOOP300\x1b[0m" in coloured
    _, coloured, _ = check_on_terminal(asyncell_bin, project, files=["cells.py"])
    assert "\x1b[1;31mLOOP200\x1b[0m \x1b[1;36m[*]\x1b[0m" in coloured
    code, uncoloured, _ = check_on_terminal(
        asyncell_bin, project, files=["notebook.ipynb"], env=plain_env(NO_COLOR="1"))
    assert uncoloured == FULL_NOTEBOOK + "\n"
    # The variable chooses the format where no flag does, on a terminal too.
    _, concise, _ = check_on_terminal(
        asyncell_bin, project, env=plain_env(NO_COLOR="1", ASYNCELL_OUTPUT_FORMAT="concise"))
    assert concise.splitlines() == CONCISE
    # An error-severity code is red.
    _, coloured, _ = check_on_terminal(asyncell_bin, project, "--select", "LOOP100",
                                       files=["script.py"])
    assert "\x1b[1;31mLOOP100\x1b[0m" in coloured


def test_a_bad_output_format_variable_is_a_usage_error(asyncell_bin, project):
    code, stdout, stderr = check(asyncell_bin, project, env=plain_env(ASYNCELL_OUTPUT_FORMAT="sarf"))
    assert (code, stdout) == (2, "")
    assert "$ASYNCELL_OUTPUT_FORMAT" in stderr and "sarif" in stderr


def test_github_workflow_commands(asyncell_bin, project):
    code, stdout, stderr = check(asyncell_bin, project, "--output-format", "github")
    assert code == 1
    assert stdout.splitlines() == [
        "::warning title=LOOP300,file=cells.py,line=13,col=1,endLine=13,endColumn=10::"
        + MESSAGES["refresh"],
        "::error title=LOOP200,file=cells.py,line=14,col=10,endLine=16,endColumn=2::"
        + MESSAGES["run"],
        # A notebook's rows are not lines of the .ipynb file: a file-level annotation
        # that names the cell.
        "::warning title=LOOP300,file=notebook.ipynb::cell 3:2:1: " + MESSAGES["tick"],
        "::warning title=LOOP300,file=script.py,line=10,col=2,endLine=10,endColumn=12::"
        + MESSAGES["fetch"],
        "::error title=LOOP100,file=script.py,line=12,col=1,endLine=12,endColumn=17::"
        + MESSAGES["await"],
    ]
    assert stderr.splitlines() == SUMMARY


def test_github_paths_are_relative_to_the_working_directory(asyncell_bin, project):
    for given in [".", str(project / "script.py")]:
        _, stdout, _ = check(asyncell_bin, project, "--output-format", "github", "--select",
                             "LOOP100", files=[given])
        assert stdout.startswith("::error title=LOOP100,file=script.py,line=12,"), given


def test_sarif_is_valid_2_1_0_with_a_rules_section(asyncell_bin, project):
    code, stdout, _ = check(asyncell_bin, project, "--output-format", "sarif")
    assert code == 1
    log = json.loads(stdout)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "asyncell" and driver["version"]
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == ["LOOP100", "LOOP200", "LOOP300"]
    for rule in rules:
        assert rule["name"] and rule["shortDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning")
        assert "helpUri" not in rule, "no rule pages online: no link without a base"
    levels = {rule["id"]: rule["defaultConfiguration"]["level"] for rule in rules}
    assert levels == {"LOOP100": "error", "LOOP200": "error", "LOOP300": "warning"}
    results = run["results"]
    assert len(results) == 5
    for result in results:
        assert result["message"]["text"]
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == levels[result["ruleId"]]
        [location] = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert physical["region"]["startLine"] >= 1 and physical["region"]["startColumn"] >= 1
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    multi_line = results[1]
    assert multi_line["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "cells.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 14, "startColumn": 10, "endLine": 16, "endColumn": 2},
    }
    notebook = results[2]
    assert notebook["message"]["text"] == "cell 3:2:1: " + MESSAGES["tick"]
    assert notebook["properties"] == {"cell": 3, "cellRow": 2, "cellColumn": 1}


def test_sarif_help_uri_follows_the_rule_url_base(asyncell_bin, project):
    base = "https://example.org/asyncell/docs/rules/{code}.md"
    _, stdout, _ = check(asyncell_bin, project, "--output-format", "sarif", "--rule-url-base", base)
    rules = json.loads(stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["helpUri"] for rule in rules] == [
        f"https://example.org/asyncell/docs/rules/{code}.md"
        for code in ("LOOP100", "LOOP200", "LOOP300")
    ]


def test_junit_counts(asyncell_bin, project):
    (project / "broken.ipynb").write_text('{"cells": [')
    code, stdout, _ = check(asyncell_bin, project, "--output-format", "junit",
                            files=[*FILES, "broken.ipynb"])
    assert code == 2, "an unreadable file is still exit 2"
    root = ET.fromstring(stdout)
    assert root.tag == "testsuites"
    # 5 failing cases, 1 passing case for clean.py, 1 error case for broken.ipynb.
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("7", "5", "1")
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert sorted(suites) == ["broken.ipynb", "cells.py", "clean.py", "notebook.ipynb", "script.py"]
    counts = {name: (s.get("tests"), s.get("failures"), s.get("errors")) for name, s in suites.items()}
    assert counts == {
        "broken.ipynb": ("1", "0", "1"),
        "cells.py": ("2", "2", "0"),
        "clean.py": ("1", "0", "0"),
        "notebook.ipynb": ("1", "1", "0"),
        "script.py": ("2", "2", "0"),
    }
    for name, suite in suites.items():
        cases = suite.findall("testcase")
        assert len(cases) == int(suite.get("tests"))
        assert len(suite.findall("testcase/failure")) == int(suite.get("failures"))
        assert len(suite.findall("testcase/error")) == int(suite.get("errors"))
    [failure] = suites["notebook.ipynb"].findall("testcase/failure")
    assert failure.get("type") == "LOOP300"
    assert failure.get("message") == MESSAGES["tick"]
    assert failure.text == "notebook.ipynb:cell 3:2:1: LOOP300 " + MESSAGES["tick"]
    assert suites["cells.py"].find("testcase").get("line") == "13"
    assert "not valid notebook JSON" in suites["broken.ipynb"].find("testcase/error").get("message")


def test_gitlab_fingerprints_are_stable_and_distinct(asyncell_bin, project):
    def report():
        _, stdout, _ = check(asyncell_bin, project, "--output-format", "gitlab")
        return json.loads(stdout)

    first = report()
    assert len(first) == 5
    for issue in first:
        assert issue["check_name"] and issue["description"].startswith(issue["check_name"] + ": ")
        assert issue["severity"] in ("critical", "major")
        assert issue["location"]["path"] in FILES and issue["location"]["lines"]["begin"] >= 1
    fingerprints = [issue["fingerprint"] for issue in first]
    assert len(set(fingerprints)) == 5
    assert [issue["fingerprint"] for issue in report()] == fingerprints
    # Two identical calls on identical lines still get distinct fingerprints.
    script = project / "script.py"
    script.write_text(script.read_text().replace('\tfetch("a")\n', '\tfetch("a")\n\tfetch("a")\n'))
    twice = [issue for issue in report() if issue["location"]["path"] == "script.py"
             and issue["check_name"] == "LOOP300"]
    assert len(twice) == 2 and twice[0]["fingerprint"] != twice[1]["fingerprint"]
    assert twice[0]["fingerprint"] == fingerprints[3], "the first one kept its fingerprint"
    # Lines added above a finding move it, but it keeps its fingerprint.
    cells = project / "cells.py"
    cells.write_text("# Notes\n# more notes\n" + cells.read_text())
    moved = report()
    assert moved[0]["location"]["lines"]["begin"] == 15
    assert [issue["fingerprint"] for issue in moved[:2]] == fingerprints[:2]


def test_json_lines_hold_the_json_items(asyncell_bin, project):
    _, array, _ = check(asyncell_bin, project, "--output-format", "json")
    _, lines, _ = check(asyncell_bin, project, "--output-format", "json-lines")
    assert [json.loads(line) for line in lines.splitlines()] == json.loads(array)
    assert all(item["url"] is None for item in json.loads(array))


def test_statistics_count_per_code(asyncell_bin, project):
    code, stdout, stderr = check(asyncell_bin, project, "--statistics")
    assert code == 1
    assert stdout.splitlines() == [
        "3  LOOP300      unawaited-coroutine",
        "1  LOOP100      top-level-await-in-script",
        "1  LOOP200  [*] nested-loop-run",
    ]
    assert stderr.splitlines() == SUMMARY
    _, stdout, _ = check(asyncell_bin, project, "--statistics", "--output-format", "json")
    assert json.loads(stdout) == [
        {"code": "LOOP300", "name": "unawaited-coroutine", "count": 3, "fixable": False},
        {"code": "LOOP100", "name": "top-level-await-in-script", "count": 1, "fixable": False},
        {"code": "LOOP200", "name": "nested-loop-run", "count": 1, "fixable": True},
    ]


def test_exit_zero_and_quiet(asyncell_bin, project):
    code, stdout, stderr = check(asyncell_bin, project, "--exit-zero")
    assert code == 0
    assert stdout.splitlines() == CONCISE
    assert stderr.splitlines() == SUMMARY
    code, stdout, stderr = check(asyncell_bin, project, "-q")
    assert (code, stdout.splitlines(), stderr) == (1, CONCISE, "")
    code, stdout, stderr = check(asyncell_bin, project, "--quiet", files=["clean.py"])
    assert (code, stdout, stderr) == (0, "", "")
    # An unreadable file is still exit 2: --exit-zero is about findings only.
    (project / "broken.ipynb").write_text("{")
    code, _, stderr = check(asyncell_bin, project, "--exit-zero", files=["broken.ipynb"])
    assert code == 2 and "broken.ipynb" in stderr


def codes(stdout):
    return [line.split(": ")[1].split()[0] for line in stdout.splitlines()]


def test_extend_select_and_extend_ignore_build_on_the_configuration(asyncell_bin, project):
    (project / "pyproject.toml").write_text('[tool.asyncell]\nselect = ["LOOP2"]\n')
    _, stdout, _ = check(asyncell_bin, project)
    assert codes(stdout) == ["LOOP200"]
    _, stdout, _ = check(asyncell_bin, project, "--extend-select", "loop100,LOOP300")
    assert codes(stdout) == ["LOOP300", "LOOP200", "LOOP300", "LOOP300", "LOOP100"]
    _, stdout, _ = check(asyncell_bin, project, "--extend-select", "LOOP", "--extend-ignore", "LOOP3")
    assert codes(stdout) == ["LOOP200", "LOOP100"]
    # `--select` starts afresh: the file's selection and its extensions are replaced.
    _, stdout, _ = check(asyncell_bin, project, "--select", "LOOP100")
    assert codes(stdout) == ["LOOP100"]
    # An opt-in rule comes in with a selector naming it, as with `select`.
    (project / "pyproject.toml").unlink()
    _, stdout, _ = check(asyncell_bin, project, "--extend-select", "ASYNC115", files=["clean.py"])
    assert codes(stdout) == []
    (project / "sleeps.py").write_text("import trio\n\nasync def f():\n    await trio.sleep(0)\n")
    _, stdout, _ = check(asyncell_bin, project, "--extend-ignore", "ASYNC115", files=["sleeps.py"])
    assert codes(stdout) == []
    code, _, stderr = check(asyncell_bin, project, "--extend-select", "LOOOP300")
    assert code == 2 and "--extend-select" in stderr and "LOOOP300" in stderr


def test_config_overrides_are_highest_and_bad_keys_exit_two(asyncell_bin, project):
    (project / "pyproject.toml").write_text('[tool.asyncell]\nignore = ["LOOP300"]\n')
    _, stdout, _ = check(asyncell_bin, project)
    assert "LOOP300" not in codes(stdout)
    _, stdout, _ = check(asyncell_bin, project, "--ignore", "LOOP100",
                         "--config", 'ignore = ["LOOP200", "LOOP100"]')
    assert codes(stdout) == ["LOOP300", "LOOP300", "LOOP300"]
    _, stdout, _ = check(asyncell_bin, project, "--config", "select = ['LOOP1']",
                         "--config", "extend-select = ['LOOP200']")
    assert codes(stdout) == ["LOOP200", "LOOP100"]
    code, stdout, stderr = check(asyncell_bin, project, "--config", 'selct = ["LOOP"]')
    assert (code, stdout) == (2, "")
    assert "selct" in stderr and "--config" in stderr and "[tool.asyncell]" in stderr
    code, _, stderr = check(asyncell_bin, project, "--config", "loop = trio")
    assert code == 2 and "TOML" in stderr and "loop = \"trio\"" in stderr
    code, _, stderr = check(asyncell_bin, project, "--config", "select = ['LOOOP']")
    assert code == 2 and "--config select" in stderr and "LOOOP" in stderr


def test_bare_asyncell_on_a_terminal_says_it_is_a_language_server(asyncell_bin, tmp_path):
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(asyncell_bin)], cwd=tmp_path, stdin=slave,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=plain_env())
    os.close(slave)
    try:
        said = b""
        deadline = time.monotonic() + 20
        while b"check --help" not in said and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stderr], [], [], 1)
            if ready:
                said += os.read(proc.stderr.fileno(), 4096)
        assert b"language server" in said and b"asyncell check --help" in said
        assert proc.poll() is None, "it still serves"
    finally:
        proc.kill()
        proc.wait(timeout=10)
        os.close(master)
    # Editors start it with pipes: nothing is said, and stdout stays the LSP channel.
    proc = subprocess.run([str(asyncell_bin)], cwd=tmp_path, input=b"", capture_output=True,
                          timeout=30, env=plain_env())
    assert b"language server" not in proc.stderr
    assert proc.stdout == b""


def test_the_editors_code_link_follows_rule_url_base(asyncell_bin, tmp_path):
    """The language server links a diagnostic's code only under a configured base."""
    from lsp_client import LspClient

    (tmp_path / ".git").mkdir()
    text = "# %%\nimport asyncio\nasync def f(): ...\n# %%\nasyncio.run(f())\n"
    for options, expected in [
        (None, None),
        ({"asyncell": {"ruleUrlBase": "https://example.org/rules/{code}.html"}},
         {"href": "https://example.org/rules/LOOP200.html"}),
    ]:
        client = LspClient.start(asyncell_bin, cwd=tmp_path)
        try:
            client.initialize(root=tmp_path, options=options)
            uri = (tmp_path / "cells.py").as_uri()
            client.open(uri, text)
            [diagnostic] = client.diagnostics_for(uri, lambda d: bool(d))
            assert diagnostic["code"] == "LOOP200"
            assert diagnostic.get("codeDescription") == expected
        finally:
            client.kill()
    # A pyproject.toml can set it too (it is a [tool.asyncell] key).
    (tmp_path / "pyproject.toml").write_text('[tool.asyncell]\nrule-url-base = "https://example.org/r/"\n')
    client = LspClient.start(asyncell_bin, cwd=tmp_path)
    try:
        client.initialize(root=tmp_path)
        uri = (tmp_path / "cells.py").as_uri()
        client.open(uri, text)
        [diagnostic] = client.diagnostics_for(uri, lambda d: bool(d))
        assert diagnostic["codeDescription"] == {"href": "https://example.org/r/LOOP200"}
    finally:
        client.kill()


def test_the_pre_commit_hook_prints_concise_lines_on_its_pseudo_terminal(asyncell_bin, project):
    """pre-commit runs hooks on a pty when it prints in colour; its entry pins `concise`,
    and a hook's `args` (appended after the entry) can still choose another format."""
    hooks = (Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text()
    entries = [line.split(":", 1)[1].split() for line in hooks.splitlines()
               if line.strip().startswith("entry:")]
    assert len(entries) == 2, entries  # asyncell-check, asyncell-fix
    for entry in entries:
        assert entry[:2] == ["asyncell", "check"] and "--output-format" in entry, entry
        assert entry[entry.index("--output-format") + 1] == "concise", entry
    hook_args = entries[0][2:]  # the reporting hook (the other one writes fixes)
    _, stdout, _ = check_on_terminal(asyncell_bin, project, *hook_args, env=plain_env(NO_COLOR="1"))
    assert stdout.splitlines() == CONCISE
    _, stdout, _ = check_on_terminal(asyncell_bin, project, *hook_args, "--output-format=github",
                                     files=["script.py"])
    assert stdout.startswith("::warning title=LOOP300,file=script.py,")


def test_the_fix_marker_follows_what_this_run_would_fix(asyncell_bin, project):
    """`[*]` means "`--fix` would apply this" in every human format and in statistics:
    with --unsafe-fixes, LOOP300's unsafe `await` fix is marked too."""
    _, stdout, _ = check(asyncell_bin, project, "--unsafe-fixes", "--output-format", "full",
                         files=["notebook.ipynb"])
    assert stdout.splitlines()[0] == f"notebook.ipynb:cell 3:2:1: LOOP300 [*] {MESSAGES['tick']}"
    _, stdout, _ = check(asyncell_bin, project, "--unsafe-fixes", "--statistics")
    assert stdout.splitlines()[0] == "3  LOOP300  [*] unawaited-coroutine"
    _, stdout, _ = check(asyncell_bin, project, "--output-format", "json", files=["notebook.ipynb"])
    assert json.loads(stdout)[0]["fix"]["applicability"] == "unsafe"


def test_each_format_names_the_rules_severity(asyncell_bin, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(
        "import asyncio\n\nasync def main():\n"
        "    await asyncio.sleep(1, loop=None)\n"
        "    loop = asyncio.get_event_loop()\n"
    )
    args = ("--extend-select", "LOOP502")
    _, stdout, _ = check(asyncell_bin, tmp_path, *args, "--output-format", "json", files=["app.py"])
    assert {i["code"]: i["severity"] for i in json.loads(stdout)} == {
        "LOOP501": "error", "LOOP502": "information"}
    _, stdout, _ = check(asyncell_bin, tmp_path, *args, "--output-format", "sarif", files=["app.py"])
    [run] = json.loads(stdout)["runs"]
    assert {r["ruleId"]: r["level"] for r in run["results"]} == {"LOOP501": "error", "LOOP502": "note"}
    _, stdout, _ = check(asyncell_bin, tmp_path, *args, "--output-format", "github", files=["app.py"])
    assert sorted(line.split(" ", 1)[0] for line in stdout.splitlines()) == ["::error", "::notice"]
    _, stdout, _ = check(asyncell_bin, tmp_path, *args, "--output-format", "gitlab", files=["app.py"])
    assert sorted(i["severity"] for i in json.loads(stdout)) == ["critical", "info"]
