"""The store's write lock, as both backends hold it: one thread of this process at a time (a
re-entrant thread lock per store), and for the outermost holder in the process the backend's
lock across processes (a lock file, or a PostgreSQL advisory lock)."""
from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

from spatial.errors import StoreBusyError

BUSY = "store busy, try again (another import or edit is being written)"

_threads: dict[str, threading.RLock] = {}
_threads_guard = threading.Lock()
_depth: dict[str, int] = {}  # stores this process holds, with nesting depth (touched only by the holding thread)


def _thread_lock(key: str) -> threading.RLock:
    with _threads_guard:
        return _threads.setdefault(key, threading.RLock())


@contextlib.contextmanager
def held(key: str, across_processes: Callable[[float], contextlib.AbstractContextManager], *, timeout: float):
    """Hold the write lock of the store ``key``; :class:`StoreBusyError` after ``timeout`` s.

    Re-entrant in the holding thread; another thread of the process waits like another
    process would. ``across_processes(seconds_left)`` takes the backend's own lock.
    """
    deadline = time.monotonic() + timeout
    mine = _thread_lock(key)
    if not mine.acquire(timeout=max(timeout, 0.0)):
        raise StoreBusyError(BUSY)
    try:
        if _depth.get(key):
            _depth[key] += 1
            try:
                yield
            finally:
                _depth[key] -= 1
            return
        with across_processes(max(deadline - time.monotonic(), 0.0)):
            _depth[key] = 1
            try:
                yield
            finally:
                _depth.pop(key, None)
    finally:
        mine.release()


def wait_until(try_once: Callable[[], bool], seconds: float) -> None:
    """Call ``try_once`` every 50 ms until it returns true; :class:`StoreBusyError` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not try_once():
        if time.monotonic() >= deadline:
            raise StoreBusyError(BUSY)
        time.sleep(0.05)
