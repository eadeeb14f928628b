"""Per-layer overview figures for the CLI and the Data overview page."""
from __future__ import annotations

import pandas as pd

from geodata.ingest.schema import is_blank
from layers.catalogue import AREA_FIELDS, LAYERS, get_layer
from spatial.areas import area_m2
from spatial.errors import SpaceMapError
from spatial.stated import stated_totals

SOURCE_COLUMNS = ("source", "official_area_source")


def layer_sources(frame: pd.DataFrame) -> list[str]:
    """Distinct citations named in a layer's source columns, in order of appearance."""
    seen: dict[str, None] = {}
    for col in SOURCE_COLUMNS:
        if col in frame.columns:
            for value in frame[col]:
                if not is_blank(value):
                    seen.setdefault(str(value), None)
    return list(seen)


def layer_overview(frames: dict[str, pd.DataFrame]) -> list[dict]:
    """One JSON-ready dict per layer: titles, counts, stated area sums, computed area."""
    rows = []
    for key, frame in frames.items():
        spec = LAYERS[key]
        row = {
            "key": key,
            "title_zh": spec.title_zh,
            "title_en": spec.title_en,
            "role": spec.role,
            "geometry": spec.geometry,
            "feature_count": int(len(frame)),
        }
        if spec.geometry == "Point":
            row["located_count"] = int(frame.geometry.notna().sum())
        if any(f in spec.field_names for f in AREA_FIELDS):
            row["stated_areas_m2"] = stated_totals(frame, AREA_FIELDS)
        if spec.geometry == "MultiPolygon":
            row["computed_area_m2"] = float(area_m2(frame).sum())
        row["sources"] = layer_sources(frame)
        rows.append(row)
    return rows


def computed_areas(frame: pd.DataFrame, key: str) -> list[dict]:
    """Computed area (EPSG:4547) of each polygon of layer ``key``, beside any official figure.

    Raises
    ------
    SpaceMapError
        If the layer has no polygons.
    """
    spec = get_layer(key)
    if spec.geometry != "MultiPolygon":
        raise SpaceMapError(f"layer {key!r} has no polygons (geometry: {spec.geometry or 'none'}); "
                            f"polygon layers: {', '.join(k for k, s in LAYERS.items() if s.geometry == 'MultiPolygon')}")
    areas = area_m2(frame)
    out = []
    for i, (_, feature) in enumerate(frame.iterrows()):
        item = {
            "id": feature["id"],
            "name_zh": feature["name_zh"],
            "name_en": feature["name_en"],
            "area_m2": round(float(areas.iloc[i]), 1),
        }
        official = feature.get("official_area_km2")
        if not is_blank(official):
            item["official_area_m2"] = float(official) * 1e6
            item["difference_pct"] = round((item["area_m2"] / item["official_area_m2"] - 1.0) * 100.0, 2)
        if "approximate" in frame.columns:
            item["approximate"] = bool(feature["approximate"])
        out.append(item)
    return out
