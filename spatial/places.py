"""Resolve a place a need is "near": a landmark, a carrier, or a coordinate pair."""
from __future__ import annotations

import re

import pandas as pd

from spatial.crs import looks_swapped_lonlat
from spatial.errors import SpaceMapError

_PAIR = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)\s*$")


def _norm(text) -> str:
    return "" if text is None or (isinstance(text, float) and text != text) else str(text).strip().lower()


def resolve_place(text: str, *, landmarks: pd.DataFrame, carriers: pd.DataFrame) -> tuple[float, float, str]:
    """Return (lon, lat, label) in WGS-84 for a place name, carrier or coordinate pair.

    Accepts "lat,lon" or "lon,lat" (told apart for points in China), a landmark's Chinese or
    English name, alias or id, or a carrier's id or exact name.

    Raises
    ------
    SpaceMapError
        For an unknown place (naming the known landmarks) or a carrier without a location.
    """
    q = _norm(text)
    if not q:
        raise SpaceMapError("empty place name")
    pair = _PAIR.match(q)
    if pair:
        a, b = float(pair.group(1)), float(pair.group(2))
        lon, lat = (b, a) if looks_swapped_lonlat([a], [b]) else (a, b)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise SpaceMapError(f"not a coordinate pair: {text!r}")
        return lon, lat, f"{lat:.5f},{lon:.5f}"
    for frame, kind in ((landmarks, "landmark"), (carriers, "carrier")):
        for row in frame.itertuples(index=False):
            names = {_norm(row.id), _norm(row.name_zh), _norm(row.name_en)}
            names |= {_norm(a) for a in str(getattr(row, "aliases", "") or "").split(";")}
            if q in names - {""}:
                geom = row.geometry
                if geom is None or geom.is_empty:
                    raise SpaceMapError(f"{kind} {row.name_zh!r} has no known location")
                return float(geom.x), float(geom.y), str(row.name_zh)
    known = ", ".join(landmarks["name_zh"].astype(str))
    raise SpaceMapError(f"unknown place {text!r}; use a landmark ({known}), a carrier id or name, or 'lat,lon'")
