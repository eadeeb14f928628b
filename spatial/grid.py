"""Many points summed into square cells: what the city map draws when there are too many to send.

Cells are squares of ``cell_m`` metres in EPSG:4547 (distances and areas in the metric CRS), cell
``(ix, iy)`` covering ``ix·cell_m ≤ x < (ix+1)·cell_m`` and the same in y. A cell's centre is
returned in WGS-84 (storage datum); shifting it for a GCJ-02 base map is the drawing's business.
Pure: arrays in, a frame out; no drawing, no I/O.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from spatial.crs import METRIC_CRS, WGS84, get_transformer

DEFAULT_CELL_M = 500.0
GRID_COLUMNS = ("ix", "iy", "count", "floor_area_m2", "stated", "lon", "lat")


def grid_cells(lon, lat, *, cell_m: float = DEFAULT_CELL_M, floor_area=None) -> pd.DataFrame:
    """Count points (and sum a stated figure) per square cell of ``cell_m`` metres in EPSG:4547.

    Parameters
    ----------
    lon, lat : array_like
        WGS-84 coordinates; points with a NaN coordinate are left out (not in any cell).
    cell_m : float, keyword-only
        The side of a cell in metres (> 0).
    floor_area : array_like, keyword-only, optional
        A stated figure per point (NaN: not stated), summed per cell over the points that state it.

    Returns
    -------
    pandas.DataFrame
        One row per non-empty cell, ordered by ``iy`` then ``ix``: ``ix``, ``iy`` (cell indices),
        ``count`` (points), ``floor_area_m2`` (sum of the stated figures; NaN when no point of the
        cell states one), ``stated`` (how many points state it), ``lon``, ``lat`` (the cell's centre,
        WGS-84).
    """
    if not cell_m > 0:
        raise ValueError(f"cell_m must be positive, got {cell_m!r}")
    lon = np.asarray(lon, dtype="float64").ravel()
    lat = np.asarray(lat, dtype="float64").ravel()
    area = np.full(len(lon), np.nan) if floor_area is None else np.asarray(floor_area, dtype="float64").ravel()
    if not len(lon) == len(lat) == len(area):
        raise ValueError("lon, lat and floor_area must have the same length")
    keep = np.isfinite(lon) & np.isfinite(lat)
    x, y = get_transformer(WGS84, METRIC_CRS).transform(lon[keep], lat[keep])
    ix = np.floor(np.asarray(x) / cell_m).astype(np.int64)
    iy = np.floor(np.asarray(y) / cell_m).astype(np.int64)
    return _summed(ix, iy, area[keep], cell_m)


def _summed(ix: np.ndarray, iy: np.ndarray, area: np.ndarray, cell_m: float) -> pd.DataFrame:
    """The cells of the given indices with their counts, sums and centres."""
    if not len(ix):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("ix", "iy", "count", "stated") else "float64")
                             for c in GRID_COLUMNS})
    cells, inverse, counts = np.unique(np.column_stack([iy, ix]), axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    stated = ~np.isnan(area)
    sums = np.bincount(inverse[stated], weights=area[stated], minlength=len(cells))
    n_stated = np.bincount(inverse[stated], minlength=len(cells))
    cx = (cells[:, 1] + 0.5) * cell_m
    cy = (cells[:, 0] + 0.5) * cell_m
    clon, clat = get_transformer(METRIC_CRS, WGS84).transform(cx, cy)
    return pd.DataFrame({"ix": cells[:, 1], "iy": cells[:, 0], "count": counts.astype(np.int64),
                         "floor_area_m2": np.where(n_stated > 0, sums, np.nan), "stated": n_stated.astype(np.int64),
                         "lon": np.asarray(clon), "lat": np.asarray(clat)})


def count_classes(counts, n_classes: int) -> tuple[np.ndarray, list[int]]:
    """Colour classes of cell counts: (class index per cell, 0 … n_classes-1; the classes' upper bounds).

    Bounds grow geometrically from 1 to the largest count (counts are skewed: a few dense cells, many
    sparse ones), rounded up to whole carriers and strictly increasing where the counts allow it.
    """
    counts = np.asarray(counts, dtype="float64")
    if not len(counts):
        return np.zeros(0, dtype=np.int64), []
    top = max(float(counts.max()), 1.0)
    raw = np.geomspace(1.0, top, n_classes + 1)[1:] if top > 1 else np.ones(n_classes)
    bounds: list[int] = []
    for b in np.ceil(raw).astype(int):
        bounds.append(int(max(b, bounds[-1] + 1 if bounds else 1)))
    bounds = [b for b in bounds if b <= max(int(top), bounds[0])] or [int(top)]
    classes = np.searchsorted(np.asarray(bounds), counts, side="left")
    return np.minimum(classes, len(bounds) - 1).astype(np.int64), bounds


def cell_corners(ix, iy, *, cell_m: float = DEFAULT_CELL_M) -> tuple[np.ndarray, np.ndarray]:
    """The WGS-84 corners of cells (ix, iy): (lon, lat), each of shape (n, 4), counter-clockwise from
    the south-west. Neighbouring cells get identical coordinates for the corners they share (each corner
    is projected once from the same metres), so drawn cells meet without gaps or overlaps."""
    ix = np.asarray(ix, dtype=np.int64).ravel()
    iy = np.asarray(iy, dtype=np.int64).ravel()
    cx = np.stack([ix, ix + 1, ix + 1, ix], axis=1)
    cy = np.stack([iy, iy, iy + 1, iy + 1], axis=1)
    lon, lat = get_transformer(METRIC_CRS, WGS84).transform(cx.ravel() * cell_m, cy.ravel() * cell_m)
    return np.asarray(lon).reshape(-1, 4), np.asarray(lat).reshape(-1, 4)
