"""The processes cells started do not outlive the server.

A cell that runs ``subprocess.Popen(["sleep", "1000"])`` leaves a child the user never
sees again once the session ends.  The server kills the host's process group when it
stops a host, but a server that dies (SIGKILL, OOM killer, a crash) kills nothing, and
its SIGKILL parent-death signal takes the host down before the host can clean up: the
children are orphaned, re-parented to init, and run forever.

So the host watches for the server's death itself:

* stdin EOF (the server's end of the pipe closed) — ``Session._stop_reading`` calls
  ``kill_cell_processes`` at once, from whichever thread read the EOF;
* on Linux, the parent-death signal is replaced by SIGTERM (``arm``), whose handler does
  the same, so that even a host whose reader thread is starved still cleans up as soon
  as the main thread runs Python code again.

What is killed: every descendant of the host (found through /proc on Linux, ps(1)
elsewhere), and, when
the host leads its own process group (the server starts it with ``process_group(0)``),
every member of that group — a double-forked daemon left the tree but not the group.
Never the host's own group when it shares it with its parent (the test harness, a
terminal), which would kill whoever started it.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Callable, Dict, Optional, Set, Tuple

_PR_SET_PDEATHSIG = 1


def arm(on_server_death: Callable[[], None]) -> bool:
    """Linux only: the server's death delivers SIGTERM (not SIGKILL) to the host, and
    SIGTERM runs ``on_server_death``.  Call on the main thread.  Whether it was armed."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
            return False
    except Exception:
        return False
    signal.signal(signal.SIGTERM, lambda _sig, _frame: on_server_death())
    if os.getppid() == 1:
        on_server_death()  # the server died before the signal was armed
    return True


def _linux_processes() -> Dict[int, Tuple[int, int]]:
    """pid -> (parent pid, process group) of every process we can see."""
    table: Dict[int, Tuple[int, int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as stat:
                data = stat.read()
        except OSError:
            continue  # gone meanwhile
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
        fields = data[data.rfind(b")") + 2 :].split()
        try:
            table[int(name)] = (int(fields[1]), int(fields[2]))
        except (IndexError, ValueError):
            continue
    return table


def _ps_processes() -> Dict[int, Tuple[int, int]]:
    """The same table from ps(1), where there is no /proc (macOS, the BSDs)."""
    import subprocess

    listing = subprocess.run(["ps", "-A", "-o", "pid=,ppid=,pgid="], capture_output=True,
                             timeout=2, check=False).stdout
    table: Dict[int, Tuple[int, int]] = {}
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) == 3 and all(f.isdigit() for f in fields):
            table[int(fields[0])] = (int(fields[1]), int(fields[2]))
    return table


def cell_processes(me: Optional[int] = None) -> Set[int]:
    """The pids to kill (never the host itself)."""
    me = os.getpid() if me is None else me
    leader = os.getpgrp() == me
    try:
        table = _linux_processes() if os.path.isdir("/proc/self") else _ps_processes()
    except (OSError, ValueError, Exception):
        return set()
    found = {pid for pid, (_ppid, group) in table.items() if leader and group == me}
    parents = {me}
    while parents:  # breadth first down the tree
        children = {pid for pid, (ppid, _group) in table.items()
                    if ppid in parents and pid not in found}
        found |= children
        parents = children
    found.discard(me)
    return found


def kill_cell_processes() -> None:
    """SIGKILL whatever the cells started (SIGKILL: the server is gone, nobody is left
    to wait for a graceful exit, and a child ignoring SIGTERM must not survive)."""
    for pid in cell_processes():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
