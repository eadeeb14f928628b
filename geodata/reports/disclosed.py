"""The public indicator tables: the disclosure rule (:func:`spatial.disclosure.suppress`) on each
table; the carrier table, the finest, also protected against every published row of the other levels
(a cluster's row minus its published carriers must not give a withheld carrier back), and the earlier
span's withheld cells kept withheld through the year-on-year change."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from spatial.disclosure import Rule, suppress, withheld_in, withhold_changes
from spatial.indicators import NOT_PLACED, indicators

AGGREGATES = ("cluster", "subdistrict", "hetao", "district")
"""The levels whose published rows are sums of carrier rows."""


@dataclass(frozen=True)
class Context:
    """What every table of one span is built from: placements, qualifications, and per level the
    carriers' units and floor areas (``units(level) -> (member, floor)``) and the units' order."""

    placements: pd.DataFrame
    flags: pd.DataFrame
    units: Callable[[str], tuple[pd.DataFrame, pd.DataFrame]]
    order: Callable[[str], list]
    rule: Rule


def raw(level: str, sums: pd.DataFrame, ctx: Context, *, prev: pd.DataFrame | None = None,
        occupancy_rows: pd.DataFrame | None = None) -> dict:
    """The unsuppressed table of ``level`` (:func:`spatial.indicators.indicators`)."""
    member, floor = ctx.units(level)
    return indicators(sums, ctx.placements, member, flags=ctx.flags, floor=floor, prev_sums=prev,
                      occupancy_rows=occupancy_rows, order=ctx.order(level))


def _groups(rows: pd.DataFrame, level_rows: pd.DataFrame, member: pd.DataFrame) -> list:
    """(carrier row positions, withheld fields) for every row of another level's public table."""
    position = {str(u): i for i, u in enumerate(rows["unit"])}
    carriers = member.assign(carrier_id=member["carrier_id"].astype(str)).groupby("unit")["carrier_id"].agg(list)
    out = []
    for unit, hidden in zip(level_rows["unit"], level_rows["suppressed"]):
        ids = [NOT_PLACED] if unit == NOT_PLACED else carriers.get(unit, [])
        out.append((np.array([position[c] for c in ids if c in position], dtype=np.int64), frozenset(hidden or ())))
    return out


def published(level: str, result: dict, sums: pd.DataFrame, ctx: Context, *,
              years: list[pd.DataFrame] = ()) -> tuple[pd.DataFrame, dict]:
    """``result`` (the raw table of ``level`` for ``sums``) as the public may see it. ``years``: for a
    range, each of its years' sums; a cell withheld in any year's public table is withheld in the range
    (else the range minus the published years would give it back)."""
    rows = result["rows"].reset_index(drop=True)
    forced = withheld_in([published(level, raw(level, y, ctx), y, ctx) for y in years], rows) if years else None
    if level != "carrier":
        return suppress(rows, result["total"], rule=ctx.rule, forced=forced)
    groups = []
    for other in AGGREGATES:
        other_rows, _ = published(other, raw(other, sums, ctx), sums, ctx, years=years)
        groups += _groups(rows, other_rows, ctx.units(other)[0])
    return suppress(rows, result["total"], rule=ctx.rule, groups=groups, forced=forced)


def public_tables(level: str, result: dict, sums: pd.DataFrame, prev: pd.DataFrame | None, ctx: Context, *,
                  years: list[pd.DataFrame] = (), years_before: list[pd.DataFrame] = ()) -> tuple[pd.DataFrame, dict]:
    """The public table of ``level``; a change on a base withheld in the earlier span's public table is
    withheld; ``years`` / ``years_before``: each year's sums of a range and of the range before (see
    :func:`published`)."""
    rows, total = published(level, result, sums, ctx, years=years)
    if prev is not None:
        rows, total = withhold_changes(rows, total, *published(level, raw(level, prev, ctx), prev, ctx,
                                                               years=years_before))
    return rows, total
