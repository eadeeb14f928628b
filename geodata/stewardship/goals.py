"""Goals planners set for incubation space after the plan's own (stored, never in code)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from geodata.storage import open_store
from spatial.errors import SpaceMapError

MIN_YEAR, MAX_YEAR = 2000, 2100


def set_goal(goal_m2: float, goal_year: int, *, set_by: str, reason: str, path: Path | None = None,
             now: datetime | None = None) -> dict:
    """Record a new goal (area in m², to be reached by the end of ``goal_year``); it is in force from now.

    The earlier goals stay in the table as history. Written all or nothing.

    Raises
    ------
    SpaceMapError
        For a non-positive area, a year outside 2000–2100, or a blank name or reason.
    """
    if not isinstance(goal_m2, (int, float)) or goal_m2 != goal_m2 or goal_m2 <= 0 or goal_m2 > 1e9:
        raise SpaceMapError(f"goal must be a positive area in m² up to 1e9, got {goal_m2!r}")
    if not isinstance(goal_year, int) or not MIN_YEAR <= goal_year <= MAX_YEAR:
        raise SpaceMapError(f"goal year must be between {MIN_YEAR} and {MAX_YEAR}, got {goal_year!r}")
    if not str(set_by or "").strip():
        raise SpaceMapError("say who sets the goal (set_by)")
    if not str(reason or "").strip():
        raise SpaceMapError("give a reason for the new goal")
    store = open_store(path)
    with store.lock():  # read and write as one step: two planners never lose each other's goal
        goals = store.read_layer("progress_goals")
        stamp = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
        row = {"id": f"goal-{len(goals) + 1:03d}", "goal_m2": float(goal_m2), "goal_year": int(goal_year),
               "set_at": stamp, "set_by": str(set_by).strip(), "reason": str(reason).strip()}
        updated = pd.concat([goals, pd.DataFrame([row])], ignore_index=True) if len(goals) else pd.DataFrame([row])
        store.replace_layers({"progress_goals": updated})
    return row
