"""Hardening of the host's start (issue 11): what the interpreter writes is read within
bounds, host files are verified rather than trusted by their name (locally and through
the ssh bootstrap), `--write` never follows a planted symlink, and `asyncell run` refuses
a FIFO instead of hanging. Every case drives the real `asyncell run` binary."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

CELL = "print('hello from the host')\n"
# A host file that only proves it ran: a planted or tampered copy must never get here.
PLANTED = "open({marker!r}, 'w').write('planted host ran')\nraise SystemExit(9)\n"

needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="planting a directory owned by another user needs root (chown)"
)


def run(asyncell_bin, *args, env=None, timeout=60, cwd=None):
    full_env = {**os.environ, **(env or {})}
    full_env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [str(asyncell_bin), "run", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env=full_env, cwd=cwd,
    )


def unusable_homes(tmpdir: Path) -> dict:
    """Environment in which only the `$TMPDIR/asyncell-<uid>` fallback root is usable
    (`/dev/null/...` cannot be created, even by root)."""
    return {"XDG_CACHE_HOME": "/dev/null/cache", "HOME": "/dev/null", "TMPDIR": str(tmpdir)}


def script(tmp_path: Path, text: str = CELL, name: str = "cell.py") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o755)
    return path


def hand_to_nobody(path: Path) -> None:
    nobody = pwd.getpwnam("nobody")
    for root, dirs, files in os.walk(path):
        for name in [root, *(os.path.join(root, d) for d in dirs), *(os.path.join(root, f) for f in files)]:
            os.lchown(name, nobody.pw_uid, nobody.pw_gid)


def plant_host(directory: Path, marker: Path) -> None:
    """A complete-looking host directory whose every entry point writes `marker`."""
    (directory / "asyncell").mkdir(parents=True)
    for relative in ("asyncell_host.py", "asyncell/__init__.py", "asyncell/host.py"):
        (directory / relative).write_text(PLANTED.format(marker=str(marker)))
    for path in (directory, directory / "asyncell"):
        path.chmod(0o755)


def extracted_name(asyncell_bin, tmp_path: Path) -> str:
    """This build's host directory name (`host-<version>-<hash>`), from a clean run."""
    clean = tmp_path / "clean-tmp"
    clean.mkdir()
    done = run(asyncell_bin, script(tmp_path, name="probe.py"), "--python", sys.executable,
               env=unusable_homes(clean))
    assert done.returncode == 0, done.stderr
    root = clean / f"asyncell-{os.getuid()}"
    names = [p.name for p in root.iterdir() if p.name.startswith("host-")]
    assert len(names) == 1, names
    return names[0]


# ---------------------------------------------------------------------------------------
# Bounded reads of what the interpreter writes


def peak_rss_kib(argv, env, timeout=10):
    """Runs argv under a fresh Python (killing it after `timeout` s) and returns its exit
    code (None if killed), its stderr and its peak RSS in KiB."""
    probe = (
        "import resource, subprocess, sys, tempfile\n"
        "err = tempfile.TemporaryFile()\n"
        "child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=err)\n"
        "try:\n"
        "    code = child.wait(timeout=%d)\n"
        "except subprocess.TimeoutExpired:\n"
        "    child.kill(); child.wait(); code = None\n"
        "err.seek(0); sys.stderr.buffer.write(err.read(100000))\n"
        "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n" % timeout
    )
    done = subprocess.run([sys.executable, "-c", probe, *map(str, argv)],
                          capture_output=True, text=True, timeout=timeout + 20, env=env)
    code, rss = done.stdout.split()
    return (None if code == "None" else int(code)), done.stderr, int(rss)


@pytest.mark.parametrize("flood, what", [
    ("exec cat /dev/zero", "more than 1.0 MiB to stdout"),
    ("exec yes 'not a hello'", "more than 1000 lines to stdout"),
])
def test_an_interpreter_that_floods_stdout_fails_fast_within_bounds(asyncell_bin, tmp_path, flood, what):
    interpreter = executable(tmp_path / "flood.sh", f"#!/bin/sh\n{flood}\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    started = time.monotonic()
    code, stderr, rss = peak_rss_kib(
        [asyncell_bin, "run", script(tmp_path), "--python", interpreter], env)
    elapsed = time.monotonic() - started
    assert code == 2, f"exit {code} after {elapsed:.1f} s, peak RSS {rss >> 10} MiB: {stderr[-500:]}"
    assert "HostStartFailed" in stderr and what in stderr, stderr
    assert f"(started with `{interpreter}`)" in stderr, stderr
    if "zero" in flood:
        assert '"\\x00\\x00\\x00' in stderr, stderr  # the first bytes, escaped
    else:
        assert '"not a hello\\n"' in stderr, stderr
    assert len(stderr) < 2000, stderr
    assert elapsed < 10, elapsed
    assert rss < 200 * 1024, f"peak RSS {rss} KiB"


def test_a_flood_before_hello_fails_over_lsp_too(asyncell_bin, tmp_path):
    """The argv from editor settings, `python = ["sh", "-c", "cat /dev/zero"]`."""
    from exec_support import Session, start_server, stop_server

    doc = script(tmp_path, "# %%\nprint(1)\n")
    client = start_server(asyncell_bin, tmp_path, tmp_path / "cache",
                          python=["sh", "-c", "cat /dev/zero"])
    try:
        session = Session(client, doc.as_uri())
        client.open(doc.as_uri(), doc.read_text())
        started = time.monotonic()
        result = session.run("print(1)", timeout=10)
        assert time.monotonic() - started < 10
        error = result["outputs"][-1]
        assert error["ename"] == "HostStartFailed", result
        assert "more than 1.0 MiB" in error["evalue"] and "`sh -c cat /dev/zero`" in error["evalue"]
        rss_kib = int(next(line.split()[1] for line in
                           Path(f"/proc/{client.proc.pid}/status").read_text().splitlines()
                           if line.startswith("VmHWM")))
        assert rss_kib < 200 * 1024, f"server peak RSS {rss_kib} KiB"
    finally:
        stop_server(client)


def test_non_utf8_and_huge_stderr_lines_do_not_stop_the_host_or_its_stderr(asyncell_bin, tmp_path):
    marker = tmp_path / "later-write-succeeded"
    interpreter = executable(tmp_path / "noisy.sh", (
        "#!/bin/sh\n"
        "printf 'bad \\377\\376 bytes\\n' >&2\n"
        "head -c 200000 /dev/zero | tr '\\0' x >&2; echo >&2\n"
        # Written once the supervisor has read past both lines: it must still be reading.
        f"( sleep 1; echo later-line >&2 && touch {marker} ) &\n"
        f"exec {sys.executable} \"$@\"\n"
    ))
    cells = script(tmp_path, (
        "# %%\nimport time\ntime.sleep(2)\nprint('first cell ran')\n"
        "# %%\nimport os\nos.kill(os.getpid(), 9)\n"
    ))
    done = run(asyncell_bin, cells, "--python", interpreter, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert done.returncode == 1, done.stderr
    assert done.stdout == "first cell ran\n"
    assert marker.exists(), "the host's stderr stopped being read"
    # The crash report quotes the stderr tail, decoded lossily and cut per line.
    assert "HostDied" in done.stderr
    assert "bad \ufffd\ufffd bytes" in done.stderr, done.stderr
    assert "later-line" in done.stderr, done.stderr
    assert "x" * 400 in done.stderr and "x" * 10_000 not in done.stderr


def test_an_output_larger_than_a_frame_is_dropped_with_a_note_and_the_host_lives_on(asyncell_bin, tmp_path):
    cells = script(tmp_path, (
        "# %%\nclass Big:\n    def _repr_html_(self):\n        return 'x' * (70 << 20)\n"
        "    def __repr__(self):\n        return 'Big()'\nBig()\n"
        "# %%\nprint('after the big output')\n"
    ))
    done = run(asyncell_bin, cells, "--python", sys.executable,
               env={"XDG_CACHE_HOME": str(tmp_path / "cache")}, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "an output of 70.0 MiB was dropped: one output may be at most 64.0 MiB" in done.stderr
    assert done.stdout.endswith("after the big output\n"), done.stdout[-500:]


# ---------------------------------------------------------------------------------------
# Host files are verified, not trusted by their name


@needs_root
def test_a_planted_fallback_root_of_another_user_is_never_executed(asyncell_bin, tmp_path):
    name = extracted_name(asyncell_bin, tmp_path)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    marker = tmp_path / "marker"
    planted = tmpdir / f"asyncell-{os.getuid()}"
    plant_host(planted / name, marker)
    planted.chmod(0o755)
    hand_to_nobody(planted)
    done = run(asyncell_bin, script(tmp_path), "--python", sys.executable, env=unusable_homes(tmpdir))
    assert not marker.exists(), "the planted host ran"
    assert done.returncode == 0, done.stderr
    assert done.stdout == "hello from the host\n"
    assert f"{planted} is owned by uid {pwd.getpwnam('nobody').pw_uid}, not by you" in done.stderr
    # The planted tree is left alone; ours went to a fresh private directory.
    assert (planted / name / "asyncell_host.py").read_text().startswith("open(")
    private = [p for p in tmpdir.iterdir() if p != planted]
    assert len(private) == 1 and stat.S_IMODE(private[0].stat().st_mode) == 0o700, private


@needs_root
def test_a_foreign_host_dir_in_our_own_root_is_replaced(asyncell_bin, tmp_path):
    name = extracted_name(asyncell_bin, tmp_path)
    tmpdir = tmp_path / "tmp"
    root = tmpdir / f"asyncell-{os.getuid()}"
    root.mkdir(parents=True, mode=0o700)
    marker = tmp_path / "marker"
    plant_host(root / name, marker)
    hand_to_nobody(root / name)
    done = run(asyncell_bin, script(tmp_path), "--python", sys.executable, env=unusable_homes(tmpdir))
    assert not marker.exists(), "the planted host ran"
    assert done.returncode == 0, done.stderr
    assert done.stdout == "hello from the host\n"
    assert (root / name).stat().st_uid == os.getuid()
    assert [p.name for p in root.iterdir()] == [name]


def test_a_group_writable_or_tampered_own_copy_is_replaced(asyncell_bin, tmp_path):
    name = extracted_name(asyncell_bin, tmp_path)
    tmpdir = tmp_path / "clean-tmp"  # holds a good extraction now
    host_dir = tmpdir / f"asyncell-{os.getuid()}" / name
    host_py = host_dir / "asyncell" / "host.py"
    pristine = host_py.read_bytes()
    marker = tmp_path / "marker"
    host_py.write_text(PLANTED.format(marker=str(marker)))
    done = run(asyncell_bin, script(tmp_path), "--python", sys.executable, env=unusable_homes(tmpdir))
    assert not marker.exists(), "the tampered host ran"
    assert done.returncode == 0, done.stderr
    assert done.stdout == "hello from the host\n"
    assert "asyncell/host.py was modified" in done.stderr
    assert host_py.read_bytes() == pristine

    host_dir.chmod(0o777)
    done = run(asyncell_bin, script(tmp_path), "--python", sys.executable, env=unusable_homes(tmpdir))
    assert done.returncode == 0, done.stderr
    assert "can be written by other users" in done.stderr
    assert stat.S_IMODE(host_dir.stat().st_mode) == 0o700


def ssh_run(asyncell_bin, tmp_path, tmpdir):
    """`asyncell run --python "ssh box python"` with an `ssh` on PATH that runs the remote
    command locally, as a remote shell would: the bootstrap path runs for real, with
    `tmpdir` as the "remote" temp dir."""
    bin_dir = tmp_path / "bin"
    if not bin_dir.exists():
        bin_dir.mkdir()
        executable(bin_dir / "ssh", '#!/bin/sh\nshift\nexec sh -c "$*"\n')
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "TMPDIR": str(tmpdir),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return run(asyncell_bin, script(tmp_path), "--python", f"ssh box {sys.executable}", env=env)


@needs_root
def test_a_planted_remote_host_dir_of_another_user_is_never_executed(asyncell_bin, tmp_path):
    clean = tmp_path / "clean-remote"
    clean.mkdir()
    done = ssh_run(asyncell_bin, tmp_path, clean)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "hello from the host\n"
    (remote_name,) = [p.name for p in clean.iterdir() if p.name.startswith("asyncell-host-")]

    tmpdir = tmp_path / "remote-tmp"
    tmpdir.mkdir()
    marker = tmp_path / "marker"
    plant_host(tmpdir / remote_name, marker)
    hand_to_nobody(tmpdir / remote_name)
    done = ssh_run(asyncell_bin, tmp_path, tmpdir)
    assert not marker.exists(), "the planted remote host ran"
    assert done.returncode == 0, done.stderr
    assert done.stdout == "hello from the host\n"
    fresh = [p for p in tmpdir.iterdir() if p.name != remote_name]
    assert len(fresh) == 1 and stat.S_IMODE(fresh[0].stat().st_mode) == 0o700, fresh


def test_a_tampered_remote_copy_is_replaced(asyncell_bin, tmp_path):
    tmpdir = tmp_path / "remote-tmp"
    tmpdir.mkdir()
    done = ssh_run(asyncell_bin, tmp_path, tmpdir)
    assert done.returncode == 0, done.stderr
    (home,) = [p for p in tmpdir.iterdir() if p.name.startswith("asyncell-host-")]
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    host_py = home / "asyncell" / "host.py"
    pristine = host_py.read_bytes()
    marker = tmp_path / "marker"
    host_py.write_text(PLANTED.format(marker=str(marker)))
    done = ssh_run(asyncell_bin, tmp_path, tmpdir)
    assert not marker.exists(), "the tampered remote host ran"
    assert done.returncode == 0, done.stderr
    assert done.stdout == "hello from the host\n"
    assert host_py.read_bytes() == pristine
    assert [p.name for p in tmpdir.iterdir()] == [home.name]


# ---------------------------------------------------------------------------------------
# --write and the input file


def test_write_never_follows_a_symlink_planted_at_a_temporary_name(asyncell_bin, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "result.ipynb"
    cells = script(tmp_path, "# %%\nimport time\ntime.sleep(1.5)\nprint(42)\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("VIRTUAL_ENV", None)
    process = subprocess.Popen(
        [str(asyncell_bin), "run", str(cells), "--python", sys.executable, "--write", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    # While the cell runs: links at the names a writer would predict, its pid included.
    planted = [f".result.ipynb.tmp-{process.pid}", ".result.ipynb.tmp", "result.ipynb.tmp",
               ".result.ipynb.swp", "result.ipynb~"]
    for name in planted:
        (out_dir / name).symlink_to(victim)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert victim.read_text() == "precious"
    assert not out.is_symlink()
    notebook = json.loads(out.read_text())
    assert notebook["cells"][0]["outputs"][0]["text"] == "42\n"
    assert sorted(p.name for p in out_dir.iterdir()) == sorted([*planted, "result.ipynb"])


def test_run_refuses_a_fifo_promptly(asyncell_bin, tmp_path):
    fifo = tmp_path / "cells.py"
    os.mkfifo(fifo)
    started = time.monotonic()
    done = run(asyncell_bin, fifo, "--python", sys.executable, timeout=15)
    assert time.monotonic() - started < 10
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {fifo}: is a FIFO (named pipe), not a regular file"), done.stderr


def test_run_refuses_a_device(asyncell_bin, tmp_path):
    done = run(asyncell_bin, "/dev/null", "--python", sys.executable, timeout=15)
    assert done.returncode == 2
    assert "is a character device, not a regular file" in done.stderr
