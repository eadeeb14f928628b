"""The rows of a database tally, in the order and shape of :func:`spatial.tally.tally_by`,
filled from the sums the passes of :mod:`geodata.storage.tally_sql` return."""
from __future__ import annotations

import pandas as pd

from spatial.tally import HETAO_OUTSIDE, OUTSIDE, STATED_FIELDS, UNLOCATED, stated_column

N = len(STATED_FIELDS)
OUT, UNLOC = -1, -2
"""Group codes of a pass row: located in no unit, no location (units are 0, 1, …)."""
WIDTH = 4 + 4 * N
"""Sums per pass row: count, polygons, polygon area, area of non-crossing polygons, then per
stated field (sum, known) for all and for the non-crossing only."""


def row_order(rec) -> tuple:
    """Units in order, then outside, then no location (the embedded tally's order)."""
    return (0, rec[0]) if rec[0] >= 0 else (1, 0) if rec[0] == OUT else (2, 0)


class TallyRows:
    """The tally rows in the order :mod:`spatial.tally` gives them, filled from the passes' sums."""

    def __init__(self, units: list[str], kind: str, *, land: str, stated: str):
        self.units, self.kind, self.land, self.stated = units, kind, land, stated
        self.order = list(units) + ([OUTSIDE] if kind == "hetao" else [])
        self.rows = {u: _empty_row(u) for u in self.order}
        self.every = [0.0] * WIDTH

    def _row(self, name: str) -> dict:
        if name not in self.rows:
            self.order.append(name)
            self.rows[name] = _empty_row(name)
        return self.rows[name]

    def _fill(self, name: str, rec) -> None:
        r = self._row(name)
        r["count"] += int(rec[0])
        r["polygon_count"] += int(rec[1])
        r["land_area_m2"] += float(rec[2] if self.land == "centroid" else rec[3])
        offset = 4 if self.stated == "centroid" else 4 + 2 * N
        _add_stats(r, [(float(rec[offset + 2 * i]), int(rec[offset + 2 * i + 1])) for i in range(N)])

    def count_in_total(self, sums) -> None:
        self.every = [a + float(b) for a, b in zip(self.every, sums)]

    def add(self, rec, *, in_total: bool = True, sign: int = 1) -> None:
        """One pass row: (group, sums…) with the group a unit ord, OUT or UNLOC; its sums count in
        the totals row unless ``in_total`` is false (``sign=-1`` takes them out again)."""
        group, sums = rec[0], [sign * float(v) for v in rec[1:]]
        if in_total:
            self.count_in_total(sums)
        if group == UNLOC:
            if sums[0]:
                r = self._row(UNLOCATED)
                r["count"] += int(sums[0])
                _add_stats(r, [(float(sums[4 + 2 * i]), int(sums[5 + 2 * i])) for i in range(N)])
        elif group == OUT:
            if sums[0]:
                self._fill(OUTSIDE, sums)
        else:
            self._fill(self.units[group], sums)

    def add_cut(self, rec) -> None:
        r = self._row(self.units[rec[0]] if rec[0] is not None else OUTSIDE)
        r["land_area_m2"] += float(rec[1] or 0.0)
        if self.stated == "apportion":
            _add_stats(r, [(float(rec[2 + 2 * i] or 0.0), int(rec[3 + 2 * i])) for i in range(N)])

    def frame(self) -> pd.DataFrame:
        for r in self.rows.values():  # a figure whose every contribution was taken out again is unknown
            for field in STATED_FIELDS:
                if not r[f"{stated_column(field)}_known"]:
                    r[stated_column(field)] = None
        frame = pd.DataFrame([self.rows[u] for u in self.order])
        if self.kind == "hetao":
            frame["unit"] = frame["unit"].replace({OUTSIDE: HETAO_OUTSIDE})
        return frame

    def total(self) -> dict:
        e = self.every
        tot = {"unit": "total", "count": int(e[0]), "polygon_count": int(e[1]), "land_area_m2": float(e[2])}
        for i, field in enumerate(STATED_FIELDS):
            known = int(e[5 + 2 * i])
            tot[stated_column(field)] = float(e[4 + 2 * i]) if known else None
            tot[f"{stated_column(field)}_known"] = known
        return tot


def _empty_row(unit: str) -> dict:
    row = {"unit": unit, "count": 0, "polygon_count": 0, "land_area_m2": 0.0}
    for field in STATED_FIELDS:
        row[stated_column(field)] = None
        row[f"{stated_column(field)}_known"] = 0
    return row


def _add_stats(row: dict, stats) -> None:
    for field, (value, known) in zip(STATED_FIELDS, stats):
        col = stated_column(field)
        if known:
            row[col] = value + (row[col] or 0.0)
        row[f"{col}_known"] += known
