"""A one-shot timer the command reader thread waits on, with no thread woken to arm it.

``started`` does not need a write of its own: a cell that ends within ``STARTED_DELAY``
sends it in front of its other frames (``Channel.defer``), so a short round trip wakes
the supervisor once, not twice.  A cell that runs longer must still say ``started``
promptly; this timer, a Linux ``timerfd`` in the reader thread's epoll set, wakes that
thread then, and only then: arming and disarming it are two system calls on the loop
thread, whereas waking a Python thread to keep time costs two GIL hand-offs per cell.

Where there is no timerfd (not Linux, no epoll, ctypes cannot find libc), ``make()``
returns None and ``started`` is written at once, as before.
"""

from __future__ import annotations

import ctypes
import os
import select
from typing import Optional

#: How long a running cell's ``started`` may wait for the cell's next frame.
STARTED_DELAY = 0.010
_CLOCK_MONOTONIC = 1


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _Itimerspec(ctypes.Structure):
    _fields_ = [("it_interval", _Timespec), ("it_value", _Timespec)]


class ReaderTimer:
    def __init__(self, libc, fd: int, delay: float):
        self.fd = fd
        self._settime = libc.timerfd_settime
        self._settime.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
        self._settime.restype = ctypes.c_int
        # Both structures live as long as the timer: the calls pass their addresses.
        self._armed_spec = _Itimerspec()
        self._armed_spec.it_value.tv_sec = int(delay)
        self._armed_spec.it_value.tv_nsec = int((delay - int(delay)) * 1e9)
        self._disarmed_spec = _Itimerspec()
        self._armed = ctypes.addressof(self._armed_spec)
        self._disarmed = ctypes.addressof(self._disarmed_spec)

    def arm(self) -> None:
        """Fire once, ``delay`` seconds from now (re-arming restarts it)."""
        self._settime(self.fd, 0, self._armed, None)

    def disarm(self) -> None:
        self._settime(self.fd, 0, self._disarmed, None)

    def clear(self) -> None:
        """Consume an expiry (the reader thread, after its epoll said readable)."""
        try:
            os.read(self.fd, 8)
        except OSError:
            pass


def make(delay: float = STARTED_DELAY) -> Optional[ReaderTimer]:
    if not hasattr(select, "epoll"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        create = libc.timerfd_create
        create.argtypes = (ctypes.c_int, ctypes.c_int)
        create.restype = ctypes.c_int
        fd = create(_CLOCK_MONOTONIC, os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            return None
        timer = ReaderTimer(libc, fd, delay)
        timer.disarm()
        return timer
    except (OSError, AttributeError, ValueError):
        return None
