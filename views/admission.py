"""Admission: how many page runs a process works on at once, and who goes first when more arrive
(issue 20 · many visitors at once; goal 4, overload is polite).

Streamlit runs every session's script in a thread of its own. Fifty visitors arriving together are fifty
threads taking turns at one interpreter lock: each page then takes fifty times as long, nobody's page
appears before everybody's is nearly done, and a staff member opening the workspace waits behind all
of them. :class:`Gate` lets :data:`SLOTS` runs work at once and keeps the rest in line, which costs
a waiting thread nothing. Staff sessions go before anonymous ones and have one slot of their own, so a
crowd of visitors never starves the investment-promotion team. A visitor who waits longer than
:data:`NOTICE_AFTER_S` sees a short "busy — you are n-th in line, the page opens by itself" notice at
once (instead of a blank page), updated every second; it goes when their page starts.

What the line cannot do: it sees a session only once Streamlit has started its run. With visitors
arriving faster than pages are served for long, the wait forms earlier, inside Streamlit's server (the
websocket opens within seconds, the run's first message many seconds later), before any of the app's
code runs for them; there the browser shows Streamlit's own connecting state.
``benchmarks/bench_overload.py`` measures it; more processes (``scripts/serve_many.sh``) are the remedy.

Pure threading; the page side is :func:`views.chrome.admitted`.
"""
from __future__ import annotations

import heapq
import itertools
import threading
from dataclasses import dataclass, field

import settings

STAFF, VISITOR = 0, 1
"""Priorities: lower goes first."""


SLOTS = settings.page_slots()
"""Page runs worked on at once by one process (``$SPACEMAP_PAGE_SLOTS``, default 2: the interpreter runs
one at a time; a second keeps it busy while the other waits for the database. Measured with 50 sessions
at once, 2 served 10-40 % more pages per second than 4 or 50.)"""
NOTICE_AFTER_S = 0.5
"""A visitor waiting longer than this sees the busy notice."""


@dataclass(order=True)
class Ticket:
    """A place in line: ordered by priority, then arrival."""
    priority: int
    seq: int
    admitted: threading.Event = field(default_factory=threading.Event, compare=False)


class Gate:
    """At most ``slots`` holders at once (staff: one more); waiters admitted staff first, then in order of
    arrival. ``enter`` → a ticket (already admitted when a slot was free); ``wait``; ``leave`` once per
    admitted ticket, or ``cancel`` one that gave up."""

    def __init__(self, slots: int = SLOTS, staff_reserve: int = 1):
        self.slots, self.reserve = slots, staff_reserve
        self.busy = 0
        self._line: list[Ticket] = []
        self._seq = itertools.count()
        self._lock = threading.Lock()

    def _room(self, priority: int) -> bool:
        return self.busy < self.slots + (self.reserve if priority == STAFF else 0)

    def enter(self, priority: int) -> Ticket:
        ticket = Ticket(priority, next(self._seq))
        with self._lock:
            if not self._line and self._room(priority) or priority == STAFF and self._room(priority):
                self.busy += 1
                ticket.admitted.set()
            else:
                heapq.heappush(self._line, ticket)
        return ticket

    def wait(self, ticket: Ticket, timeout: float | None = None) -> bool:
        """Whether ``ticket`` was admitted within ``timeout`` seconds."""
        return ticket.admitted.wait(timeout)

    def position(self, ticket: Ticket) -> int:
        """1 for the next in line; 0 when admitted."""
        with self._lock:
            if ticket.admitted.is_set():
                return 0
            return 1 + sum(1 for other in self._line if other < ticket)

    def leave(self) -> None:
        with self._lock:
            self.busy -= 1
            self._admit()

    def cancel(self, ticket: Ticket) -> None:
        """Give up a place in line (the session closed or reran while waiting); leaves if admitted meanwhile."""
        with self._lock:
            if not ticket.admitted.is_set():
                self._line.remove(ticket)
                heapq.heapify(self._line)
                return
        self.leave()

    def _admit(self) -> None:
        while self._line and self._room(self._line[0].priority):
            ticket = heapq.heappop(self._line)
            self.busy += 1
            ticket.admitted.set()

    def waiting(self) -> int:
        with self._lock:
            return len(self._line)


GATE = Gate()
"""The process's gate (every session of this app process)."""
