"""What many sessions share: a view built once and handed, read-only, to every session that asks for it
(issue 20 · many visitors at once).

Most of a public page's work is the same for every visitor with the same view — the rendered map, a
tally's table and chart, the progress figures. A page names that view by a key (the store's revision,
the scope, the language, the controls' values, the date) and :func:`shared` builds it once per process
and key. Unlike ``st.cache_data`` nothing is hashed, pickled or copied per run: the key is a tuple of
plain values and the value is handed out as it is, so it must never be changed by a caller.

When many sessions ask for a view nobody has built yet (a new store revision, a burst of visitors on a
cold process), one of them builds it and the others wait for it rather than building it again each.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

HELD = 32
"""Views kept per kind (least recently used dropped first)."""

_shelves: dict[str, OrderedDict] = {}
_building: dict[tuple, threading.Event] = {}
_lock = threading.Lock()


def shared(kind: str, key: tuple, build, *, held: int = HELD):
    """The view ``key`` of ``kind``, made by ``build()`` on the first request; every later request with
    an equal key gets the same object. A build that raises is not kept (the next request tries again)."""
    while True:
        with _lock:
            shelf = _shelves.setdefault(kind, OrderedDict())
            if key in shelf:
                shelf.move_to_end(key)
                return shelf[key]
            waiting = _building.get((kind, key))
            if waiting is None:
                mine = _building[(kind, key)] = threading.Event()
                break
        waiting.wait()  # another session is building it: take theirs (or build it if theirs failed)
    try:
        value = build()
        with _lock:
            shelf[key] = value
            while len(shelf) > held:
                shelf.popitem(last=False)
        return value
    finally:
        with _lock:
            _building.pop((kind, key), None)
        mine.set()


def forget(kind: str | None = None) -> None:
    """Drop the views of ``kind`` (all kinds when None): keys hold the store's revision, so this is only
    for freeing memory or for tests."""
    with _lock:
        for name in [kind] if kind else list(_shelves):
            _shelves.pop(name, None)


def held(kind: str) -> int:
    """How many views of ``kind`` are kept (for tests and the load benchmark's checks)."""
    with _lock:
        return len(_shelves.get(kind, ()))
