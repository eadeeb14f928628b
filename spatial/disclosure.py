"""Disclosure control for the indicator tables: which cells of :func:`spatial.indicators.indicators`
may be shown without revealing a single enterprise's figures. Pure; the thresholds are data
(:class:`Rule`, from the caller's settings).

Rules, applied to each row and to the total:

1. **Too few enterprises.** A row built from fewer than ``min_enterprises`` enterprises (but more
   than none) has every field suppressed: the counts, the magnitudes, the derived figures and the
   industries. A row of no enterprise discloses nothing and is left as it is. Likewise a magnitude
   known for fewer than ``min_enterprises`` of the row's enterprises (``known_<field>``, more than
   none) is suppressed: the cell is built from those few.
2. **Dominance.** A magnitude (employees, revenue, tax, R&D, patents) is suppressed where the
   largest single enterprise (``max_<field>``) exceeds ``dominance`` × the cell's (positive) value.
3. **Derived follow their base.** ``tax_per_m2`` and ``tax_yoy`` go with ``tax_cny``,
   ``revenue_per_m2`` and ``revenue_yoy`` with ``revenue_cny``.
4. **Complementary suppression** (rows only), per additive field (counts and magnitudes): when the
   total of the field is published and the rows are a partition of it — their known values add up
   to the total — a single suppressed cell could be recovered as the total minus the published
   cells. Then another published non-zero cell is suppressed as well, with its derived figures: the
   smallest at least as large as the withheld one (the first on a tie), else the largest — so that the
   withheld value is not pinned to a narrow range by a small complement; where there is no such cell the total's field is
   suppressed instead. Two or more suppressed cells are left as they are. Rows that are not a
   partition of the total (overlapping clusters) are not complemented: the caller adds remainder
   rows so that tables are partitions where they can be.

5. **Linked tables.** Where the rows of one table add up to a cell of another published table (the
   carriers of a cluster to the cluster's row), the caller passes those groups: no field of such a
   relation is left with exactly one unknown (see :func:`_linked`); rules 4 and 5 repeat until stable.
6. **Per m² on part of a cell.** ``tax_per_m2`` × ``floor_area_m2`` is the tax of the enterprises in
   carriers with a known floor area; the tax minus it, that of the others. Where both parts exist,
   the per-m² figure is published only if each part, on its own, passes rules 1 and 2.

Suppressed cells become None (unknown figures stay NaN); each row and the total gain
``suppressed``, the sorted names of their suppressed fields; the hidden ``max_*``, ``known_*`` and ``part_*``
columns are dropped.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from spatial.indicators import COUNTS, DERIVED, HIDDEN, MAGNITUDES

FIELDS = (*COUNTS, *MAGNITUDES, *DERIVED, "industries")
"""Every field that may be suppressed (floor areas and occupancy are not enterprise figures)."""
ADDITIVE = (*COUNTS, *MAGNITUDES)
FOLLOWERS = {base: tuple(d for d, b in DERIVED.items() if b == base) for base in MAGNITUDES}


@dataclass(frozen=True)
class Rule:
    """The disclosure thresholds: the fewest enterprises a published cell may hold, and the share of
    a cell's value above which its largest enterprise dominates it."""

    min_enterprises: int = 3
    dominance: float = 0.8

    def __post_init__(self):
        if self.min_enterprises < 1 or not 0 < self.dominance <= 1:
            raise ValueError(f"disclosure rule {self}: min_enterprises must be ≥ 1 and dominance in (0, 1]")


def _numbers(frame: pd.DataFrame, field: str) -> np.ndarray:
    if field not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[field], errors="coerce").to_numpy(dtype=float)


def _primary(frame: pd.DataFrame, rule: Rule) -> dict[str, np.ndarray]:
    """Rules 1–3: per field, which rows of ``frame`` are suppressed."""
    count = np.nan_to_num(_numbers(frame, "enterprises"), nan=0.0)
    few = (count > 0) & (count < rule.min_enterprises)
    marks = {field: few.copy() for field in FIELDS}
    for field in MAGNITUDES:
        value, largest, known = (_numbers(frame, p + field) for p in ("", "max_", "known_"))
        with np.errstate(invalid="ignore"):
            dominated = (value > 0) & (largest > rule.dominance * value)
        few_known = (known > 0) & (known < rule.min_enterprises)
        for name in (field, *FOLLOWERS[field]):
            marks[name] |= dominated | few_known
    for derived, base in (("tax_per_m2", "tax_cny"), ("revenue_per_m2", "revenue_cny")):
        marks[derived] |= _mixed_floor(frame, base, rule)
    return marks


def _unfit(frame: pd.DataFrame, name: str, rule: Rule) -> np.ndarray:
    """Rows where the hidden cell ``name`` (a part of a figure) is built from too few enterprises or
    dominated by one."""
    value, largest, known = (_numbers(frame, p + name) for p in ("", "max_", "known_"))
    with np.errstate(invalid="ignore"):
        return ((known > 0) & (known < rule.min_enterprises)) | ((value > 0) & (largest > rule.dominance * value))


def _mixed_floor(frame: pd.DataFrame, base: str, rule: Rule) -> np.ndarray:
    """Rows whose per-m² figure would give away the ``base`` of the enterprises in carriers of unknown
    floor area (the figure minus per-m² × area): withheld unless that part and the part in carriers of
    known area are each fit to publish (rule 6)."""
    off = np.nan_to_num(_numbers(frame, f"known_part_off_{base}"), nan=0.0) > 0
    if f"known_part_off_{base}" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return off & (_unfit(frame, f"part_off_{base}", rule) | _unfit(frame, f"part_on_{base}", rule))


def _pick(values: np.ndarray, free: np.ndarray, withheld: np.ndarray) -> int:
    """The complementary cell among ``free``: the smallest at least as large as the largest withheld one
    (so the withheld value is not pinned to a narrow range), else the largest."""
    target = float(np.nanmax(np.abs(values[withheld]))) if len(withheld) and not np.isnan(values[withheld]).all() else 0.0
    big = free[np.abs(values[free]) >= target]
    return int(big[np.argmin(np.abs(values[big]))]) if len(big) else int(free[np.argmax(np.abs(values[free]))])


def _mark(marks: dict, field: str, row: int) -> None:
    for name in (field, *FOLLOWERS.get(field, ())):
        marks[name][row] = True


def _complement(rows: pd.DataFrame, total: pd.DataFrame, marks: dict, total_marks: dict) -> None:
    """Rule 4, in place: protect a lone suppressed cell of a column that adds up to a published total."""
    for field in ADDITIVE:
        whole, values = _numbers(total, field)[0], _numbers(rows, field)
        if total_marks[field][0] or np.isnan(whole) or field not in rows.columns:
            continue
        if not math.isclose(float(np.nansum(values)), float(whole), rel_tol=1e-9, abs_tol=1e-6):
            continue  # not a partition of the total: nothing can be recovered by subtraction
        while marks[field].sum() == 1:
            free = np.flatnonzero(~marks[field] & ~np.isnan(values) & (values != 0))
            if not len(free):
                _mark(total_marks, field, 0)
                break
            _mark(marks, field, _pick(values, free, np.flatnonzero(marks[field])))


def _blank(frame: pd.DataFrame, marks: dict) -> pd.DataFrame:
    out = frame.drop(columns=[c for c in frame.columns if str(c).startswith(HIDDEN)])
    listed = [[] for _ in range(len(out))]
    for field in FIELDS:
        if field not in out.columns or not marks[field].any():
            continue
        out[field] = out[field].astype(object)
        out.loc[marks[field], field] = None
        for row in np.flatnonzero(marks[field]):
            listed[row].append(field)
    out["suppressed"] = [sorted(names) for names in listed]
    return out


def _linked(rows: pd.DataFrame, marks: dict, groups) -> bool:
    """Rule 5, in place: for each group of rows that adds up to a cell of another published table
    (``(positions, fields withheld in that cell)``), no field may have exactly one unknown in the
    relation: a published aggregate with one withheld member, or a withheld aggregate with none,
    gets the smallest published non-zero member withheld too. True when something was withheld."""
    changed = False
    for field in ADDITIVE:
        values = _numbers(rows, field)
        for members, hidden in groups:
            if not len(members):
                continue
            withheld = int(marks[field][members].sum())
            if withheld != (0 if field in hidden else 1):
                continue
            free = members[~marks[field][members] & ~np.isnan(values[members]) & (values[members] != 0)]
            if len(free):
                _mark(marks, field, _pick(values, free, members[marks[field][members]]))
                changed = True
    return changed


def withheld_in(tables, rows: pd.DataFrame) -> tuple[dict[str, set[int]], set[str]]:
    """The cells of ``rows`` (by unit) and of its total withheld in any of ``tables`` (each ``(rows,
    total)`` after :func:`suppress`): a range of years withholds what any of its years withholds."""
    position = {str(u): i for i, u in enumerate(rows["unit"])}
    marks: dict[str, set[int]] = {}
    whole: set[str] = set()
    for other_rows, other_total in tables:
        for unit, hidden in zip(other_rows["unit"], other_rows["suppressed"]):
            if str(unit) in position:
                for field in hidden or ():
                    marks.setdefault(field, set()).add(position[str(unit)])
        whole |= set(other_total.get("suppressed") or ())
    return marks, whole


def suppress(rows: pd.DataFrame, total: dict, *, rule: Rule = Rule(), groups=(),
             forced: tuple[dict, set] | None = None) -> tuple[pd.DataFrame, dict]:
    """Apply the disclosure rules (see the module) to an indicator table and its total.

    Parameters
    ----------
    rows : DataFrame
        ``indicators(...)["rows"]``, with the ``max_*`` and ``known_*`` columns (either may be missing:
        then that test is not made).
    total : dict
        ``indicators(...)["total"]``.
    rule : Rule
        The thresholds (defaults: 3 enterprises, dominance 0.8).
    forced : (dict, set), optional
        Cells to withhold whatever their own figures (:func:`withheld_in`: ``{field: row positions}``
        and the total's fields); their complements follow.
    groups : sequence of (positions, withheld fields)
        Linked tables (rule 5): row positions whose cells add up to a cell of another published table,
        and the fields withheld in that cell.

    Returns
    -------
    tuple of (DataFrame, dict)
        Copies: suppressed fields set to None, a ``suppressed`` list per row and in the total, no
        ``max_*`` or ``known_*`` columns or keys.
    """
    frame = rows.reset_index(drop=True)
    marks = _primary(frame, rule)
    total_frame = pd.DataFrame([total])
    total_marks = _primary(total_frame, rule)
    for field, positions in (forced or ({}, set()))[0].items():
        for row in positions if field in marks else ():
            _mark(marks, field, row)
    for field in (forced or ({}, set()))[1]:
        if field in total_marks:
            _mark(total_marks, field, 0)
    _complement(frame, total_frame, marks, total_marks)
    groups = [(np.asarray(m, dtype=np.int64), frozenset(h)) for m, h in groups]
    while groups and _linked(frame, marks, groups):
        _complement(frame, total_frame, marks, total_marks)
    out = _blank(frame, marks).set_axis(rows.index)
    hidden = {f for f in FIELDS if f in total and total_marks[f][0]}
    total_out = {k: (None if k in hidden else v) for k, v in total.items() if not str(k).startswith(HIDDEN)}
    return out, {**total_out, "suppressed": sorted(hidden)}


CHANGES = {"tax_yoy": "tax_cny", "revenue_yoy": "revenue_cny"}


def withhold_changes(rows: pd.DataFrame, total: dict, before_rows: pd.DataFrame, before_total: dict
                     ) -> tuple[pd.DataFrame, dict]:
    """Withhold a year-on-year change wherever the earlier span's base cell is withheld in its own
    public table (``before_rows``/``before_total``: :func:`suppress` of that span): the change and the
    published current value would give the withheld earlier value back. Returns copies."""
    earlier = {str(u): set(s or ()) for u, s in zip(before_rows["unit"], before_rows["suppressed"])}
    out = rows.copy()
    for change in CHANGES:
        if change in out.columns:
            out[change] = out[change].astype(object)
    marks = []
    for i, unit in enumerate(out["unit"]):
        hidden = [c for c, base in CHANGES.items() if base in earlier.get(str(unit), ()) and c in out.columns]
        for change in hidden:
            out.iat[i, out.columns.get_loc(change)] = None
        marks.append(sorted(set(out["suppressed"].iloc[i] or ()) | set(hidden)))
    out["suppressed"] = marks
    gone = [c for c, base in CHANGES.items() if base in set(before_total.get("suppressed") or ())]
    return out, {**total, **{c: None for c in gone},
                 "suppressed": sorted(set(total.get("suppressed") or ()) | set(gone))}
