"""Sums of stated figures (the areas a source gives), never mixed with computed ones."""
from __future__ import annotations

import pandas as pd


def _ancestors(ids: pd.Series, parents: pd.Series) -> dict[str, list[str]]:
    parent_of = {str(i): (None if p is None or p != p else str(p)) for i, p in zip(ids, parents)}
    chains: dict[str, list[str]] = {}
    for start in parent_of:
        chain, seen, cur = [], {start}, parent_of.get(start)
        while cur is not None and cur not in seen and cur in parent_of:
            chain.append(cur)
            seen.add(cur)
            cur = parent_of.get(cur)
        chains[start] = chain
    return chains


def counted_mask(frame: pd.DataFrame, field: str) -> pd.Series:
    """Return a boolean Series: rows whose stated ``field`` counts toward a total.

    A row does not count when its figure is unknown, or when a carrier it is part of
    (``parent_id``, followed up the chain, within ``frame``) already states the same
    figure: a makerspace inside a park is not counted twice.
    """
    known = frame[field].notna() if field in frame.columns else pd.Series(False, index=frame.index)
    if "parent_id" not in frame.columns or "id" not in frame.columns:
        return known
    chains = _ancestors(frame["id"], frame["parent_id"])
    has_value = {str(i): bool(k) for i, k in zip(frame["id"], known)}
    covered = [any(has_value.get(a, False) for a in chains[str(i)]) for i in frame["id"]]
    return known & ~pd.Series(covered, index=frame.index)


def stated_totals(frame: pd.DataFrame, fields) -> dict[str, dict]:
    """Sum stated figures per field without double counting.

    Returns
    -------
    dict
        ``field → {"sum": float | None, "known": int, "unknown": int, "within_parent": int}``;
        ``sum`` is None when no row states the figure (unknown is not zero).
    """
    out = {}
    for field in fields:
        if field not in frame.columns:
            out[field] = {"sum": None, "known": 0, "unknown": len(frame), "within_parent": 0}
            continue
        values = pd.to_numeric(frame[field], errors="coerce")
        mask = counted_mask(frame.assign(**{field: values}), field)
        known = int(values.notna().sum())
        out[field] = {
            "sum": float(values[mask].sum()) if mask.any() else None,
            "known": known,
            "unknown": int(len(frame) - known),
            "within_parent": int(known - mask.sum()),
        }
    return out
