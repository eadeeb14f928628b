"""Plan an import of carriers from a steward's file: map columns, place coordinates, check every
row, and say what would change — before anything is written (see :mod:`geodata.stewardship.commits`
for the commit).

Coordinates come from a geometry (GIS formats) or lon/lat columns in the declared CRS:
``wgs84``, ``gcj02`` (AMap/Tencent), ``bd09`` (Baidu), ``cgcs2000`` (EPSG:4490) or
``epsg:4547`` (metres). The usual mistakes are caught per row: swapped lat/lon,
zone-prefixed 8-digit eastings (stripped, with a note), AMap (GCJ-02) data declared as
WGS-84 when the file says where it came from, and points outside Shenzhen.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.ingest.columns import map_headers, read_mapping
from geodata.ingest.readers import RawTable, read_table
from geodata.ingest.schema import coerce_frame, is_blank
from geodata.ingest.validate import validate_layer
from layers.catalogue import CARRIER_LAYERS, get_layer
from spatial.crs import (METRIC_CRS, WGS84, bd09_to_wgs84, gcj02_to_wgs84, get_transformer, is_zone_prefixed_easting,
                         strip_zone_prefix)
from spatial.errors import SpaceMapError

CRS_CHOICES = ("wgs84", "gcj02", "bd09", "cgcs2000", "epsg:4547")
AMAP_HINT = re.compile(r"高德|amap|gaode|autonavi|gcj", re.IGNORECASE)
SHENZHEN_TOLERANCE_M = 500.0
COMPARED = ("name_zh", "name_en", "address_zh", "land_area_m2", "floor_area_m2", "incubation_area_m2",
            "available_area_m2", "rent_cny_m2_month", "industries", "facilities", "policies", "status", "opened",
            "operator", "parent_id", "hk_link", "source", "notes", "land_area_source", "floor_area_source",
            "incubation_area_source", "available_area_source", "rent_source", "lon", "lat")


@dataclass
class Rejected:
    """One rejected row: its number in the file, the field, the value and why."""

    row: int
    field: str | None
    value: object
    reason: str

    def as_dict(self) -> dict:
        value = self.value if isinstance(self.value, (str, int, float, bool, type(None))) else str(self.value)
        if isinstance(value, float) and value != value:
            value = None
        return {"row": self.row, "field": self.field, "value": value, "reason": self.reason}


@dataclass
class ImportPlan:
    """What an import would do. ``accepted`` holds the typed rows ready for the store."""

    file_name: str
    sha256: str
    layer: str
    format: str
    crs: str
    accepted: gpd.GeoDataFrame
    accepted_rows: list[int]
    rejected: list[Rejected]
    added: list[str]
    updated: dict[str, list[dict]]  # id → [{"field", "old", "new"}]
    unchanged: list[str]
    notes: list[str] = field(default_factory=list)
    total_rows: int = 0
    source_rows: pd.DataFrame | None = None  # the file's rows as read, for the rejected-rows file
    first_data_row: int = 2
    base_versions: dict[str, int | None] = field(default_factory=dict)
    """Row version of each accepted id when the plan was made (None: new). The commit refuses
    with a conflict when somebody changed one of these rows in between."""

    def rejected_table(self) -> pd.DataFrame:
        """The rejected rows as they were in the file, each with its row number and reasons,
        to fix and import again."""
        reasons: dict[int, list[str]] = {}
        for r in self.rejected:
            reasons.setdefault(r.row, []).append(f"{r.field}: {r.reason}" if r.field else r.reason)
        if self.source_rows is None:
            return pd.DataFrame({"row": list(reasons), "reasons": ["; ".join(v) for v in reasons.values()]})
        rows = self.source_rows.drop(columns=["geometry"], errors="ignore").reset_index(drop=True)
        picked = rows.iloc[[r - self.first_data_row for r in reasons]].copy()
        picked.insert(0, "row", list(reasons))
        picked.insert(1, "reasons", ["; ".join(v) for v in reasons.values()])
        return picked

    def row_status(self) -> list[dict]:
        """Every row of the file: its id and what would happen to it (new, changed, unchanged, rejected)."""
        status = {fid: "new" for fid in self.added} | {fid: "changed" for fid in self.updated} | \
            {fid: "unchanged" for fid in self.unchanged}
        out = [{"row": row, "id": str(fid), "status": status.get(str(fid), "unchanged")}
               for row, fid in zip(self.accepted_rows, self.accepted["id"])]
        out += [{"row": row, "id": None, "status": "rejected"} for row in sorted({r.row for r in self.rejected})]
        return sorted(out, key=lambda r: r["row"])

    def summary(self) -> dict:
        """JSON-ready: counts, per-row status, every rejection and every change."""
        return {"file": self.file_name, "sha256": self.sha256, "layer": self.layer, "format": self.format,
                "crs": self.crs, "rows": self.total_rows, "accepted": len(self.accepted_rows),
                "rejected": [r.as_dict() for r in self.rejected], "added": self.added,
                "updated": self.updated, "unchanged": self.unchanged, "row_status": self.row_status(),
                "notes": self.notes}


def file_sha256(path: Path) -> str:
    """SHA-256 of the file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _numbers(series: pd.Series | None, n: int) -> np.ndarray:
    if series is None:
        return np.full(n, np.nan)
    return pd.to_numeric(series.map(lambda v: str(v).strip().replace(",", "") if v is not None else v),
                         errors="coerce").to_numpy(dtype=float)


def _to_wgs84(x: np.ndarray, y: np.ndarray, crs: str, notes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    if crs == "gcj02":
        return gcj02_to_wgs84(x, y)
    if crs == "bd09":
        return bd09_to_wgs84(x, y)
    if crs == "cgcs2000":
        return get_transformer("EPSG:4490", WGS84).transform(x, y)
    if crs == "epsg:4547":
        if is_zone_prefixed_easting(x):
            x = strip_zone_prefix(x)
            notes.append("eastings carried the zone prefix 38 (EPSG:4526 style); it was removed")
        return get_transformer(METRIC_CRS, WGS84).transform(x, y)
    return x, y


def _coordinates(raw: RawTable, frame: pd.DataFrame, crs: str, notes: list[str]):
    """WGS-84 lon/lat arrays plus the rows' raw input, from geometry or lon/lat columns."""
    n = len(frame)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        geoms = frame.geometry
        if geoms.crs is None:
            raise SpaceMapError("the file's geometry has no coordinate system (.prj / CRS missing)")
        pts = geoms.to_numpy()
        located = ~shapely.is_missing(pts) & ~shapely.is_empty(pts)
        if (located & (shapely.get_type_id(pts) != 0)).any():
            notes.append("non-point geometries were placed at a point on their surface")
            pts = np.where(located & (shapely.get_type_id(pts) != 0),
                           shapely.point_on_surface(np.where(located, pts, None)), pts)
        wgs = gpd.GeoSeries(pts, crs=geoms.crs).to_crs(WGS84)
        x = np.where(located, wgs.x.to_numpy(), np.nan)
        y = np.where(located, wgs.y.to_numpy(), np.nan)
        if crs in ("gcj02", "bd09"):  # a GIS file in EPSG:4326 whose numbers are really GCJ-02 / BD-09
            x, y = _to_wgs84(x, y, crs, notes)
        return x, y, x.copy(), y.copy(), pd.Series([None] * n), pd.Series([None] * n)
    lon_raw, lat_raw = frame.get("lon"), frame.get("lat")
    if lon_raw is None or lat_raw is None:
        notes.append("no lon/lat columns: every row is imported without a location")
    x_in, y_in = _numbers(lon_raw, n), _numbers(lat_raw, n)
    x, y = _to_wgs84(x_in.copy(), y_in.copy(), crs, notes)
    return np.asarray(x, float), np.asarray(y, float), x_in, y_in, lon_raw, lat_raw


def _location_problems(i: int, x, y, x_in, y_in, raw_lon, raw_lat, crs: str, shenzhen, amap_hint: str | None):
    """Why row ``i``'s coordinates cannot be used (None if they can, or if there are none)."""
    given = not (is_blank(raw_lon) and is_blank(raw_lat)) if raw_lon is not None or raw_lat is not None else \
        not np.isnan(x_in)
    if not given:
        return None
    if np.isnan(x_in) or np.isnan(y_in):
        return "lon/lat", f"{raw_lon},{raw_lat}", "coordinates are not numbers"
    if crs in ("wgs84", "gcj02", "bd09", "cgcs2000"):
        if 3.0 <= x_in <= 54.0 and 73.0 <= y_in <= 136.0:
            return "lon/lat", f"{x_in},{y_in}", "longitude and latitude look swapped: swap the two columns"
        if not (-180 <= x_in <= 180 and -90 <= y_in <= 90):
            return "lon/lat", f"{x_in},{y_in}", ("not degrees: use --crs epsg:4547 for metres" if x_in > 1000
                                                 else "coordinates out of range")
    if amap_hint and crs == "wgs84":
        return "lon/lat", f"{x_in},{y_in}", (f"the file says its coordinates come from AMap ({amap_hint}), which "
                                             "uses GCJ-02, but the CRS given is WGS-84: import with --crs gcj02")
    if shenzhen is not None and not shenzhen.covers(shapely.Point(x, y)):
        return "lon/lat", f"{x_in},{y_in}", "outside Shenzhen (check the coordinates and the CRS)"
    return None


def _amap_hint(path: Path, frame: pd.DataFrame) -> str | None:
    if AMAP_HINT.search(path.name):
        return f"file name {path.name!r}"
    for col in frame.columns:
        if str(col) in ("source", "crs", "坐标系", "coord_sys", "datum") or AMAP_HINT.search(str(col)):
            values = frame[col].dropna().astype(str)
            hit = values[values.str.contains(AMAP_HINT)]
            if len(hit):
                return f"column {col!r}: {hit.iloc[0][:40]!r}"
    return None


def transliterate(text: str) -> str:
    """Pinyin of the Chinese characters, words capitalised (other characters kept)."""
    from pypinyin import lazy_pinyin

    return " ".join(p.capitalize() for p in lazy_pinyin(str(text)) if p.strip())


def _diff(old: dict, new: dict) -> list[dict]:
    out = []
    for key in COMPARED:
        a, b = old.get(key), new.get(key)
        a = None if is_blank(a) else a
        b = None if is_blank(b) else b
        if isinstance(a, float) and isinstance(b, float) and abs(a - b) < 1e-9:
            continue
        if a != b and not (a is None and b is None):
            out.append({"field": key, "old": a, "new": b})
    return out


def _records(frame: gpd.GeoDataFrame) -> list[dict]:
    """Rows as dicts (blank → None, floats rounded, lon/lat from the point) for diffing."""
    rows = []
    for rec, geom in zip(frame.drop(columns=frame.geometry.name).to_dict("records"), frame.geometry):
        rec = {k: (None if is_blank(v) else (round(v, 7) if isinstance(v, float) else v)) for k, v in rec.items()}
        rec["lon"] = None if geom is None else round(geom.x, 7)
        rec["lat"] = None if geom is None else round(geom.y, 7)
        rows.append(rec)
    return rows


def plan_import(path: Path, layer: str, frames, *, crs: str = "wgs84",
                mapping_file: Path | None = None) -> ImportPlan:
    """Read and check ``path`` as rows of carrier layer ``layer`` against the store's ``frames``.

    ``frames`` is every layer of the store, or a callable ``(ids, parent_ids) → frames`` that
    returns the zone layers and only the carriers with those ids (a database store at city
    scale answers that with index lookups instead of reading a million rows).

    Raises
    ------
    ImportReadError
        The file cannot be read at all.
    SpaceMapError
        Bad arguments (layer, CRS, mapping) or a file whose headers cannot be used.
    """
    path = Path(path)
    if layer not in CARRIER_LAYERS:
        raise SpaceMapError(f"import supports the carrier layers: {', '.join(CARRIER_LAYERS)} (got {layer!r})")
    crs = crs.lower()
    if crs not in CRS_CHOICES:
        raise SpaceMapError(f"unknown CRS {crs!r}: use one of {', '.join(CRS_CHOICES)}")
    raw = read_table(path, prefer_layer=layer)
    notes = list(raw.notes) + ([f"text encoding {raw.encoding}"] if raw.encoding else [])
    mapping, unmapped = map_headers(raw.frame.columns, read_mapping(mapping_file) if mapping_file else None)
    if unmapped:
        notes.append(f"columns not imported (no matching field): {', '.join(unmapped)}")
    frame = raw.frame.rename(columns=mapping)
    frame = frame[[c for c in frame.columns if c in set(mapping.values()) or c == "geometry"]]
    if "name_zh" not in frame.columns:
        raise SpaceMapError(f"{path.name}: no name column (名称 / name_zh) among {list(raw.frame.columns)}")
    n = len(frame)
    if callable(frames):
        ids = frame["id"].dropna().astype(str).tolist() if "id" in frame.columns else []
        parents = frame["parent_id"].dropna().astype(str).tolist() if "parent_id" in frame.columns else []
        frames = frames(ids, parents)
    row_numbers = [raw.first_data_row + i for i in range(n)]
    x, y, x_in, y_in, raw_lon, raw_lat = _coordinates(raw, frame, crs, notes)
    district = frames["district"].geometry.union_all()
    shenzhen_parts = [frames["shenzhen_districts"].geometry.union_all(), district]
    shenzhen = gpd.GeoSeries([shapely.union_all(shenzhen_parts)], crs=WGS84).to_crs(METRIC_CRS) \
        .buffer(SHENZHEN_TOLERANCE_M).to_crs(WGS84).iloc[0]
    shapely.prepare(shenzhen)
    hint = _amap_hint(path, raw.frame)
    spec = get_layer(layer)
    attrs = pd.DataFrame(frame.drop(columns=[c for c in ("geometry", "lon", "lat") if c in frame.columns]))
    attrs = attrs.reset_index(drop=True)
    attrs["layer"] = layer
    rejected: list[Rejected] = []
    bad = set()
    for i in range(n):
        problem = _location_problems(i, x[i], y[i], x_in[i], y_in[i],
                                     None if raw_lon is None else raw_lon.iloc[i],
                                     None if raw_lat is None else raw_lat.iloc[i], crs, shenzhen, hint)
        if problem:
            rejected.append(Rejected(row_numbers[i], *problem))
            bad.add(i)
    located = ~np.isnan(x) & ~np.isnan(y)
    if "location_basis" not in attrs.columns:
        attrs["location_basis"] = np.where(located, "address", "unknown")
    if "status" not in attrs.columns or attrs["status"].isna().all():
        attrs["status"] = attrs.get("status", pd.Series([None] * n)).fillna("unknown")
    if "source" not in attrs.columns:
        attrs["source"] = f"import of {path.name}"
    attrs["source"] = attrs["source"].where(attrs["source"].notna(), f"import of {path.name}")
    for area in ("land_area_m2", "floor_area_m2", "incubation_area_m2", "available_area_m2", "rent_cny_m2_month"):
        src = "rent_source" if area == "rent_cny_m2_month" else area.removesuffix("_m2") + "_source"
        if area in attrs.columns and src not in attrs.columns:  # the file is the source of its own figures
            attrs[src] = np.where(~np.isnan(_numbers(attrs[area], n)), f"import of {path.name}", None)
    missing_en = attrs["name_en"].map(is_blank) if "name_en" in attrs.columns else pd.Series(True, index=attrs.index)
    if missing_en.any():
        attrs["name_en"] = [transliterate(zh) if blank and not is_blank(zh) else en for zh, en, blank in zip(
            attrs["name_zh"], attrs.get("name_en", pd.Series([None] * n)), missing_en)]
        notes.append(f"name_en was empty in {int(missing_en.sum())} row(s): filled with the pinyin of name_zh; "
                     "replace it with the official English name when known")
    if "hk_link" not in attrs.columns:
        attrs["hk_link"] = False
    attrs["hk_link"] = attrs["hk_link"].where(attrs["hk_link"].notna(), False)
    ids = attrs["id"] if "id" in attrs.columns else pd.Series([None] * n)
    if ids.isna().any():
        prefix = {"science_parks": "sp", "tech_buildings": "tb", "lowcost_spaces": "lc", "incubators": "inc"}[layer]
        digest = hashlib.sha256(path.name.encode()).hexdigest()[:6]
        attrs["id"] = [v if not is_blank(v) else f"{prefix}-imp-{digest}-{row_numbers[i]}" for i, v in enumerate(ids)]
        notes.append("rows without an id got one made from the file name and row number")
    geometry = [shapely.Point(x[i], y[i]) if located[i] and i not in bad else None for i in range(n)]
    original_ids = attrs["id"].tolist()
    firsts: set[str] = set()
    keys = []  # the first row with an id keeps it; later duplicates get a key of their own while checking
    for i, fid in enumerate(original_ids):
        key = str(fid) if str(fid) not in firsts else f"{fid}\u0000row{i}"
        firsts.add(str(fid))
        keys.append(key)
    attrs["id"] = keys
    gdf = gpd.GeoDataFrame(attrs, geometry=geometry, crs=WGS84)
    typed, problems = coerce_frame(gdf, spec)
    typed = gpd.GeoDataFrame(typed, geometry="geometry", crs=WGS84)
    index_of = {key: i for i, key in enumerate(keys)}
    typed["id"] = [original_ids[i] for i in range(n)]
    row_of = {}
    for i, fid in enumerate(typed["id"].astype(str)):
        row_of.setdefault(fid, row_numbers[i])
    seen: dict[str, int] = {}
    for i, fid in enumerate(typed["id"].astype(str)):
        if fid in seen:
            rejected.append(Rejected(row_numbers[i], "id", fid, f"duplicate id (also on row {seen[fid]})"))
            bad.add(i)
        seen.setdefault(fid, row_numbers[i])
    other_layers = {str(v) for k in CARRIER_LAYERS if k != layer and k in frames for v in frames[k]["id"]}
    known_ids = other_layers | {str(v) for v in frames[layer]["id"]} | set(seen)
    for i, (fid, parent) in enumerate(zip(typed["id"].astype(str), typed["parent_id"])):
        if fid in other_layers:
            rejected.append(Rejected(row_numbers[i], "id", fid, "this id belongs to a carrier of another layer"))
            bad.add(i)
        if not is_blank(parent) and str(parent) not in known_ids:
            rejected.append(Rejected(row_numbers[i], "parent_id", parent, "parent carrier does not exist"))
            bad.add(i)
    checked = typed.loc[[i for i in range(n) if i not in bad]].assign(id=[keys[i] for i in range(n) if i not in bad])
    checks = problems + validate_layer(checked, spec, district=shenzhen)
    for p in checks:
        i = index_of.get(str(p.feature_id)) if p.feature_id is not None else None
        if i is None and p.feature_id and str(p.feature_id).startswith("row "):
            i = int(str(p.feature_id)[4:]) - 1
        if i is None:
            raise SpaceMapError(f"{path.name}: {p}")
        if p.field == "geometry" and "outside Shenzhen" in p.message:
            reason = "outside Shenzhen (the store holds Shenzhen's carriers)"
        else:
            reason = p.message
        rejected.append(Rejected(row_numbers[i], p.field, p.value, reason))
        bad.add(i)
    keep = [i for i in range(n) if i not in bad]
    accepted = typed.iloc[keep].reset_index(drop=True)
    existing = {r["id"]: r for r in _records(frames[layer])} if len(frames[layer]) else {}
    added, updated, unchanged = [], {}, []
    for rec in _records(accepted):
        old = existing.get(rec["id"])
        if old is None:
            added.append(rec["id"])
            continue
        changes = _diff(old, rec)
        if changes:
            updated[rec["id"]] = changes
        else:
            unchanged.append(rec["id"])
    rejected.sort(key=lambda r: (r.row, str(r.field)))
    versions = {}
    if "row_version" in frames[layer].columns:
        versions = {str(i): int(v) for i, v in zip(frames[layer]["id"], frames[layer]["row_version"])}
    base = {str(i): versions.get(str(i)) for i in accepted["id"]}
    outside = _outside_futian(accepted, district)
    if outside:
        notes.append(f"{outside} accepted row(s) lie in Shenzhen outside Futian: they show when the scope is "
                     "all of Shenzhen")
    return ImportPlan(path.name, file_sha256(path), layer, raw.format, crs, accepted, [row_numbers[i] for i in keep],
                      rejected, added, updated, unchanged, notes, n, raw.frame, raw.first_data_row, base)


def _outside_futian(accepted: gpd.GeoDataFrame, district) -> int:
    geoms = accepted.geometry.to_numpy()
    located = ~shapely.is_missing(geoms)
    if not located.any():
        return 0
    metric = gpd.GeoSeries([district], crs=WGS84).to_crs(METRIC_CRS).buffer(SHENZHEN_TOLERANCE_M).to_crs(WGS84).iloc[0]
    return int((~shapely.covers(metric, geoms[located])).sum())
