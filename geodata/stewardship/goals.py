"""Goals planners set for incubation space after the plan's own (stored, never in code)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from geodata.stewardship.audit import change_table, check_who, undo_table_change
from spatial.errors import SpaceMapError

MIN_YEAR, MAX_YEAR = 2000, 2100


def set_goal(goal_m2: float, goal_year: int, *, set_by: str, reason: str, path: Path | None = None,
             now: datetime | None = None) -> dict:
    """Record a new goal (area in m², to be reached by the end of ``goal_year``); it is in force from now.

    The earlier goals stay in the table as history. Written all or nothing with an audit entry
    (who = ``set_by``: the logged-in account in the app, ``--by`` in the CLI); undone by :func:`undo_goal`.

    Raises
    ------
    SpaceMapError
        For a non-positive area, a year outside 2000–2100, or a blank name or reason.
    """
    if not isinstance(goal_m2, (int, float)) or goal_m2 != goal_m2 or goal_m2 <= 0 or goal_m2 > 1e9:
        raise SpaceMapError(f"goal must be a positive area in m² up to 1e9, got {goal_m2!r}")
    if not isinstance(goal_year, int) or not MIN_YEAR <= goal_year <= MAX_YEAR:
        raise SpaceMapError(f"goal year must be between {MIN_YEAR} and {MAX_YEAR}, got {goal_year!r}")
    if not str(reason or "").strip():
        raise SpaceMapError("give a reason for the new goal")
    stamp = now or datetime.now(timezone.utc)
    row = {"id": f"goal-{stamp:%Y%m%d%H%M%S%f}", "goal_m2": float(goal_m2), "goal_year": int(goal_year),
           "set_at": stamp.isoformat(timespec="seconds"), "set_by": check_who(set_by), "reason": str(reason).strip()}
    done = change_table("progress_goals", who=row["set_by"], action="goal", add=pd.DataFrame([row]),
                        reason=row["reason"], location=path)
    return {**row, "audit_id": done["audit_id"]}


def undo_goal(*, who: str, path: Path | None = None) -> dict:
    """Withdraw the latest goal change not yet undone (the goal before it is in force again), audited."""
    return undo_table_change("progress_goals", who=who, location=path)
