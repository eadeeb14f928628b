"""Sums of stated figures (the areas a source gives), never mixed with computed ones."""
from __future__ import annotations

import numpy as np
import pandas as pd


MAX_DEPTH = 256
"""Parent chains are followed this many levels up (a cycle, which the validator reports, stops there)."""


def parent_positions(frame: pd.DataFrame) -> np.ndarray:
    """Row position of each row's ``parent_id`` within ``frame`` (-1: no parent, or not in the frame)."""
    if "parent_id" not in frame.columns or "id" not in frame.columns:
        return np.full(len(frame), -1, dtype=np.int64)
    ids = pd.Index(frame["id"].astype("object").astype(str).to_numpy())
    parents = frame["parent_id"].astype("object")
    parents = parents.where(parents.notna(), None).to_numpy(dtype=object)
    pos = ids.get_indexer(pd.Index([None if p is None else str(p) for p in parents], dtype=object))
    if ids.has_duplicates:  # get_indexer needs unique ids: fall back to the first row per id
        first = pd.Series(np.arange(len(ids)), index=ids).groupby(level=0).first()
        pos = first.reindex([None if p is None else str(p) for p in parents]).fillna(-1).to_numpy(dtype=np.int64)
    return np.asarray(pos, dtype=np.int64)


def covered_by_ancestor(known: np.ndarray, parents: np.ndarray) -> np.ndarray:
    """True where some ancestor (``parents`` chain of row positions) has ``known`` set. Vectorised."""
    covered = np.zeros(len(known), dtype=bool)
    cur = parents.copy()
    for _ in range(MAX_DEPTH):
        has = cur >= 0
        if not has.any():
            break
        covered[has] |= known[cur[has]]
        cur = np.where(has, parents[np.where(has, cur, 0)], -1)
    return covered


def counted_mask(frame: pd.DataFrame, field: str, *, parents: np.ndarray | None = None) -> pd.Series:
    """Return a boolean Series: rows whose stated ``field`` counts toward a total.

    A row does not count when its figure is unknown, or when a carrier it is part of
    (``parent_id``, followed up the chain, within ``frame``) already states the same
    figure: a makerspace inside a park is not counted twice. ``parents`` (from
    :func:`parent_positions`) can be passed to reuse it across fields.
    """
    known = (pd.to_numeric(frame[field], errors="coerce").notna().to_numpy() if field in frame.columns
             else np.zeros(len(frame), dtype=bool))
    parents = parent_positions(frame) if parents is None else parents
    return pd.Series(known & ~covered_by_ancestor(known, parents), index=frame.index)


def stated_totals(frame: pd.DataFrame, fields) -> dict[str, dict]:
    """Sum stated figures per field without double counting.

    Returns
    -------
    dict
        ``field → {"sum": float | None, "known": int, "unknown": int, "within_parent": int}``;
        ``sum`` is None when no row states the figure (unknown is not zero).
    """
    out = {}
    parents = parent_positions(frame)
    for field in fields:
        if field not in frame.columns:
            out[field] = {"sum": None, "known": 0, "unknown": len(frame), "within_parent": 0}
            continue
        values = pd.to_numeric(frame[field], errors="coerce")
        mask = counted_mask(frame.assign(**{field: values}), field, parents=parents)
        known = int(values.notna().sum())
        out[field] = {
            "sum": float(values[mask].sum()) if mask.any() else None,
            "known": known,
            "unknown": int(len(frame) - known),
            "within_parent": int(known - mask.sum()),
        }
    return out
