"""The pipeline from an enquiry to a signed lease: stages, the moves allowed between them, and
what each move must record. Pure: the store keeps the enquiries and their history
(:mod:`geodata.stewardship.market`); this module only says what may happen.

received → screened → shortlisted → visit_arranged → visited → offer → signed → moved_in, one
stage at a time; any stage before signed may be closed with a reason code (a signed lease is not
closed: it moves in, or the signing is undone); nothing leaves moved_in or closed (a mistake is
undone, not moved back).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from layers.vocab import CLOSE_REASONS, ENQUIRY_STAGES
from spatial.errors import SpaceMapError

STAGES = ("received", "screened", "shortlisted", "visit_arranged", "visited", "offer", "signed", "moved_in")
"""The stages in order (``closed`` is apart: an end from any stage before ``moved_in``)."""
CLOSED = "closed"
ENDS = ("moved_in", CLOSED)
OPEN_STAGES = tuple(s for s in STAGES if s not in ENDS)
REPLY_DAYS = 3
"""The district's service promise: an enquiry is answered (screened) within 3 days."""
STAGE_DAYS = {"screened": 7, "shortlisted": 14, "visit_arranged": 14, "visited": 14, "offer": 30, "signed": 90}
"""Days an enquiry may stay in a stage before it is overdue for its next step."""

assert set(STAGES) | {CLOSED} == set(ENQUIRY_STAGES), "the vocabulary and the stage machine disagree"


class TransitionError(SpaceMapError):
    """A move the pipeline does not allow (e.g. from received straight to signed), or one that lacks
    what it must record (a reason to close, units to shortlist, a lease to sign)."""


@dataclass(frozen=True)
class Lease:
    """What a signed lease records."""

    carrier_id: str
    unit_ids: tuple[str, ...]
    area_m2: float
    start: date
    end: date | None = None
    rent_cny_m2_month: float | None = None


def allowed_moves(stage: str) -> tuple[str, ...]:
    """The stages an enquiry in ``stage`` may move to (the next one, and closed)."""
    if stage in ENDS:
        return ()
    if stage not in STAGES:
        raise TransitionError(f"unknown stage {stage!r}; stages: {', '.join((*STAGES, CLOSED))}")
    nxt = STAGES[STAGES.index(stage) + 1]
    return (nxt,) if stage == "signed" else (nxt, CLOSED)


def check_move(current: str, to: str, *, reason: str | None = None, units=(), lease: Lease | None = None) -> None:
    """:class:`TransitionError` unless an enquiry in ``current`` may move to ``to`` with what is given:
    ``closed`` needs a reason code; ``shortlisted`` at least one unit or carrier; ``signed`` a lease
    (carrier, area above 0, start date; an end after the start)."""
    if to not in (*STAGES, CLOSED):
        raise TransitionError(f"unknown stage {to!r}; stages: {', '.join((*STAGES, CLOSED))}")
    if to not in allowed_moves(current):
        possible = ", ".join(allowed_moves(current)) or "none (it has ended)"
        raise TransitionError(f"an enquiry in {current} cannot move to {to}; possible: {possible}")
    if to == CLOSED and reason not in CLOSE_REASONS:
        raise TransitionError(f"closing needs a reason code: {', '.join(CLOSE_REASONS)}")
    picked = [units] if isinstance(units, str) else list(units or ())
    if to == "shortlisted" and not picked:
        raise TransitionError("shortlisting needs at least one unit or carrier")
    if to == "signed":
        _check_lease(lease)


def _day(value) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _check_lease(lease: Lease | None) -> None:
    if lease is None:
        raise TransitionError("signing records the lease: units or carrier, area, start date (and end, rent)")
    area = lease.area_m2
    if not lease.carrier_id or area is None or not math.isfinite(float(area)) or float(area) <= 0:
        raise TransitionError("a signed lease needs its carrier and a finite area above 0 m²")
    start, end = _day(lease.start), _day(lease.end)
    if start is None:
        raise TransitionError("a signed lease needs its start date")
    if end is not None and end <= start:
        raise TransitionError(f"the lease ends ({end}) before or when it starts ({start})")
    rent = lease.rent_cny_m2_month
    if rent is not None and (not math.isfinite(float(rent)) or float(rent) < 0):
        raise TransitionError(f"the lease's rent must be a finite amount of at least 0, got {rent}")


def reached(stage: str, closed_from: str | None = None) -> tuple[str, ...]:
    """The stages an enquiry now in ``stage`` has passed through (for a closed one, those up to the
    stage it was closed from)."""
    last = closed_from if stage == CLOSED else stage
    if last not in STAGES:
        return ()
    return STAGES[:STAGES.index(last) + 1]


def due_at(stage: str, since: datetime) -> datetime | None:
    """When the next step of an enquiry that entered ``stage`` at ``since`` is due (None: ended)."""
    if stage in ENDS:
        return None
    if stage not in STAGES:
        raise TransitionError(f"unknown stage {stage!r}")
    days = REPLY_DAYS if stage == "received" else STAGE_DAYS.get(stage, 14)
    return since + timedelta(days=days)
