"""Plan an import of carriers from a steward's file: map columns, place coordinates, check every
row, and say what would change — before anything is written (see :mod:`geodata.stewardship.commits`
for the commit).

Coordinates come from a geometry (GIS formats) or lon/lat columns in the declared CRS
(:mod:`geodata.ingest.coords`). Every row is accepted or rejected with its row number, field and
reason (:mod:`geodata.ingest.rowchecks`): swapped lat/lon, AMap (GCJ-02) data declared as WGS-84
when the file says where it came from, points outside Shenzhen, wrong types, missing values,
figures without a source, unknown codes, broken parent links. Whatever the commit's validator
would refuse about a row is refused here, for that row, so one row never fails a whole import.
A point in Shenzhen outside Futian is accepted, with a note: it shows when the scope is all of
Shenzhen. "Inside" is :mod:`spatial.scope`'s definition, the one the validator and the scope use.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.ingest.columns import map_headers, read_mapping
from geodata.ingest.coords import CRS_CHOICES, Coordinates, amap_hint, read_coordinates
from geodata.ingest.readers import RawTable, read_table
from geodata.ingest.rowchecks import Rejected, Verdicts, check_locations, check_rows
from geodata.ingest.schema import blank_mask, is_blank, object_text, parses_as
from layers.catalogue import (AREA_FIELDS, CARRIER_FIELDS, CARRIER_LAYERS, RENT_FIELD, as_of_field, get_layer,
                              qualifier_field, source_field)
from spatial.crs import WGS84
from spatial.errors import SpaceMapError
from spatial.scope import inside_futian, inside_shenzhen

__all__ = ["CRS_CHOICES", "ImportPlan", "Rejected", "file_sha256", "plan_import", "transliterate"]

COMPARED = (*(f.name for f in CARRIER_FIELDS if f.name not in ("id", "layer")), "lon", "lat")
"""What the plan compares with the store: every field a commit writes (the point as lon/lat)."""
DESCRIBES = {**{source_field(f): f for f in (*AREA_FIELDS, RENT_FIELD)}, **{qualifier_field(f): f for f in AREA_FIELDS},
             **{as_of_field(f): f for f in AREA_FIELDS}, "location_basis": "geometry"}
"""Fields the importer fills in to describe another value: for a stored row, applied only where that value changes."""
ID_PREFIX = {"science_parks": "sp", "tech_buildings": "tb", "lowcost_spaces": "lc", "incubators": "inc",
             "research_platforms": "rp", "professional_buildings": "pb"}


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
    also: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Rows of other table layers the same commit writes (enterprise-years: the enterprises the file
    creates, the placements it makes), with ``also_base`` their versions as planned."""
    also_base: dict[str, dict[str, int | None]] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    """More for the summary (enterprise-years: enterprises created, placements by status)."""

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
                "notes": self.notes, **self.extra}


def file_sha256(path: Path) -> str:
    """SHA-256 of the file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


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


def plan_import(path: Path, layer: str, frames, *, crs: str = "wgs84", mapping_file: Path | None = None,
                blank_clears: bool = False) -> ImportPlan:
    """Read and check ``path`` as rows of carrier layer ``layer`` against the store's ``frames``.

    A row whose id is in the store changes only the fields the file carries: a column the file
    does not have keeps the stored value, and so does an empty cell unless ``blank_clears``
    (then the empty cells of the file's columns erase the stored values). ``updated`` lists
    exactly the fields that would change.

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
    path, crs = Path(path), _checked_arguments(layer, crs)
    raw = read_table(path, prefer_layer=layer)
    notes = list(raw.notes) + ([f"text encoding {raw.encoding}"] if raw.encoding else [])
    frame = _mapped_frame(raw, path, mapping_file, notes)
    frames = _store_frames(frames, frame)
    coords = read_coordinates(frame, crs, notes)
    verdicts, typed = _checked_rows(raw, frame, coords, path, layer, crs, frames, notes, blank_clears)
    accepted = object_text(typed.iloc[verdicts.kept].reset_index(drop=True))
    return _plan(raw, path, layer, crs, accepted, verdicts, frames, notes)


def _checked_arguments(layer: str, crs: str) -> str:
    """The CRS in lower case, after checking the layer and the CRS are ones the importer knows."""
    if layer not in CARRIER_LAYERS:
        raise SpaceMapError(f"import supports the carrier layers: {', '.join(CARRIER_LAYERS)} (got {layer!r})")
    if crs.lower() not in CRS_CHOICES:
        raise SpaceMapError(f"unknown CRS {crs.lower()!r}: use one of {', '.join(CRS_CHOICES)}")
    return crs.lower()


def _mapped_frame(raw: RawTable, path: Path, mapping_file: Path | None, notes: list[str]) -> pd.DataFrame:
    """The file's columns renamed to catalogue fields; the others dropped, and said so."""
    mapping, unmapped = map_headers(raw.frame.columns, read_mapping(mapping_file) if mapping_file else None)
    if unmapped:
        notes.append(f"columns not imported (no matching field): {', '.join(unmapped)}")
    frame = raw.frame.rename(columns=mapping)
    frame = frame[[c for c in frame.columns if c in set(mapping.values()) or c == "geometry"]]
    if "name_zh" not in frame.columns:
        raise SpaceMapError(f"{path.name}: no name column (名称 / name_zh) among {list(raw.frame.columns)}")
    return frame


def _store_frames(frames, frame: pd.DataFrame) -> dict:
    """The store's layers: as given, or loaded for the ids and parent ids the file names."""
    if not callable(frames):
        return frames
    ids = frame["id"].dropna().astype(str).tolist() if "id" in frame.columns else []
    parents = frame["parent_id"].dropna().astype(str).tolist() if "parent_id" in frame.columns else []
    return frames(ids, parents)


def _checked_rows(raw: RawTable, frame: pd.DataFrame, coords: Coordinates, path: Path, layer: str, crs: str,
                  frames: dict, notes: list[str], blank_clears: bool) -> tuple[Verdicts, gpd.GeoDataFrame]:
    """Check every row: coordinates, then the typed rows (see :mod:`geodata.ingest.rowchecks`), a
    row updating a stored id as it would be stored (see :func:`_keep_stored`)."""
    row_numbers = [raw.first_data_row + i for i in range(len(frame))]
    verdicts = Verdicts(row_numbers)
    city, points = _city(frames), coords.points()
    in_city = inside_shenzhen(points, gpd.GeoSeries([city], crs=WGS84)).to_numpy()
    check_locations(verdicts, coords, crs, in_city=in_city, hint=amap_hint(path, raw.frame))
    attrs = _attributes(frame, layer, path.name, coords.located, row_numbers, notes)
    geometry = points.to_numpy().copy()
    geometry[sorted(verdicts.bad)] = None  # rows whose coordinates cannot be used have no location
    rows = gpd.GeoDataFrame(attrs, geometry=geometry, crs=WGS84)
    rows = _keep_stored(rows, frame, frames[layer], blank_clears=blank_clears)
    return verdicts, check_rows(verdicts, rows, get_layer(layer), frames, city=city)


def _keep_stored(rows: gpd.GeoDataFrame, frame: pd.DataFrame, stored: gpd.GeoDataFrame, *,
                 blank_clears: bool) -> gpd.GeoDataFrame:
    """``rows`` with each row that updates a stored id made whole from the stored row: a field
    the file has no column for keeps its stored value, and so does an empty cell unless
    ``blank_clears``; a value the importer filled in to describe another (a figure's source
    citing the file, the location basis) is taken only where the value it describes changes."""
    ids = rows["id"].map(lambda v: str(v).strip())
    old = pd.DataFrame(stored).assign(id=stored["id"].astype(str)).drop_duplicates("id").set_index("id")
    hit = ids.astype(object).isin(set(old.index)).to_numpy()
    if not hit.any():
        return rows
    old, given = old.loc[ids[hit]], {}
    coords_given = "geometry" in frame.columns or {"lon", "lat"} <= set(frame.columns)
    given["geometry"] = rows.geometry.notna().to_numpy()[hit] | (blank_clears and coords_given)
    for name in COMPARED[:-2]:
        if name in frame.columns:
            given[name] = ~blank_mask(frame[name])[hit] | blank_clears
        elif name not in DESCRIBES:
            given[name] = np.zeros(int(hit.sum()), dtype=bool)
    for name, what in DESCRIBES.items():
        if name not in frame.columns:
            new = rows.geometry if what == "geometry" else rows.get(what, pd.Series([None] * len(rows)))
            given[name] = given[what] & ~np.array([_same(a, b) for a, b in zip(new.to_numpy()[hit], old[what])])
    rows, where = rows.copy(), np.flatnonzero(hit)
    for name, take_new in given.items():
        values = np.empty(len(rows), dtype=object)
        values[:] = list(rows[name]) if name in rows.columns else None
        values[where[~take_new]] = old[name].to_numpy(dtype=object)[~take_new]
        rows[name] = gpd.GeoSeries(values, index=rows.index, crs=WGS84) if name == "geometry" else values
    return rows


def _same(a, b) -> bool:
    """Whether the file's value ``a`` says what the stored ``b`` says (numbers and points compared as such)."""
    if is_blank(a) or is_blank(b):
        return is_blank(a) and is_blank(b)
    if hasattr(a, "geom_type") or hasattr(b, "geom_type"):
        return bool(shapely.equals_exact(a, b, tolerance=1e-7))
    try:
        return abs(float(str(a).strip().replace(",", "")) - float(b)) < 1e-9
    except (TypeError, ValueError):
        return str(a).strip() == str(b).strip()


def _city(frames: dict):
    """Shenzhen in WGS-84: the Futian layer and the other district layers together."""
    layers = [frames[k].geometry for k in ("district", "shenzhen_districts") if k in frames]
    return shapely.union_all([g for layer in layers for g in layer.to_numpy() if g is not None])


def _attributes(frame: pd.DataFrame, layer: str, file_name: str, located: np.ndarray, row_numbers: list[int],
                notes: list[str]) -> pd.DataFrame:
    """The rows' catalogue fields, with what the importer fills in (and says so in ``notes``)."""
    attrs = pd.DataFrame(frame.drop(columns=[c for c in ("geometry", "lon", "lat") if c in frame.columns]))
    attrs = attrs.reset_index(drop=True)
    attrs["layer"] = layer
    if "location_basis" not in attrs.columns:
        attrs["location_basis"] = np.where(located, "address", "unknown")
    if "status" not in attrs.columns or attrs["status"].isna().all():
        attrs["status"] = attrs.get("status", pd.Series([None] * len(attrs))).fillna("unknown")
    _cite_the_file(attrs, file_name)
    _fill_name_en(attrs, notes)
    if "hk_link" not in attrs.columns:
        attrs["hk_link"] = False
    attrs["hk_link"] = attrs["hk_link"].where(attrs["hk_link"].notna(), False)
    _fill_ids(attrs, layer, file_name, row_numbers, notes)
    return attrs


def _cite_the_file(attrs: pd.DataFrame, file_name: str) -> None:
    """The file is the source of its rows, and of its figures when it has no source column for them."""
    cite = f"import of {file_name}"
    if "source" not in attrs.columns:
        attrs["source"] = cite
    attrs["source"] = attrs["source"].where(attrs["source"].notna(), cite)
    for figure in (*AREA_FIELDS, RENT_FIELD):
        src = source_field(figure)
        if figure in attrs.columns and src not in attrs.columns:
            attrs[src] = np.where(_stated_numbers(attrs[figure]), cite, None)
        for described in ((qualifier_field(figure), as_of_field(figure)) if figure in AREA_FIELDS else ()):
            if figure in attrs.columns and described not in attrs.columns:
                attrs[described] = None  # a figure from the file is as the file states it: no older qualifier


def _stated_numbers(column: pd.Series) -> np.ndarray:
    """Which cells :func:`~geodata.ingest.schema.parses_as` takes as a number: the plain ones read
    column-wise, the others (text with separators, booleans, odd forms) one by one."""
    plain = pd.to_numeric(column.where(column.map(type) != bool), errors="coerce").to_numpy(dtype="float64",
                                                                                          na_value=np.nan)
    out = np.isfinite(plain)
    for i in np.flatnonzero(~out & ~blank_mask(column)):
        out[i] = parses_as(column.iloc[i], "float")
    return out


def _fill_name_en(attrs: pd.DataFrame, notes: list[str]) -> None:
    """An empty English name becomes the pinyin of the Chinese one, with a note."""
    missing = pd.Series(blank_mask(attrs["name_en"]) if "name_en" in attrs.columns else True, index=attrs.index)
    if not missing.any():
        return
    english = attrs.get("name_en", pd.Series([None] * len(attrs)))
    attrs["name_en"] = [transliterate(zh) if blank and not is_blank(zh) else en
                        for zh, en, blank in zip(attrs["name_zh"], english, missing)]
    notes.append(f"name_en was empty in {int(missing.sum())} row(s): filled with the pinyin of name_zh; "
                 "replace it with the official English name when known")


def _fill_ids(attrs: pd.DataFrame, layer: str, file_name: str, row_numbers: list[int], notes: list[str]) -> None:
    """A row without an id gets one made from the file name and its row number, with a note."""
    ids = attrs["id"] if "id" in attrs.columns else pd.Series([None] * len(attrs))
    if not ids.isna().any():
        return
    digest = hashlib.sha256(file_name.encode()).hexdigest()[:6]
    attrs["id"] = [v if not is_blank(v) else f"{ID_PREFIX[layer]}-imp-{digest}-{row}"
                   for v, row in zip(ids, row_numbers)]
    notes.append("rows without an id got one made from the file name and row number")


def _plan(raw: RawTable, path: Path, layer: str, crs: str, accepted: gpd.GeoDataFrame, verdicts: Verdicts,
          frames: dict, notes: list[str]) -> ImportPlan:
    """Compare the accepted rows with the store and say what the commit would do."""
    added, updated, unchanged = _compare(accepted, frames[layer])
    versions = {}
    if "row_version" in frames[layer].columns:
        versions = {str(i): int(v) for i, v in zip(frames[layer]["id"], frames[layer]["row_version"])}
    base = {str(i): versions.get(str(i)) for i in accepted["id"]}
    outside = int((~inside_futian(accepted, frames["district"]) & ~accepted.geometry.isna()).sum())
    if outside:
        notes.append(f"{outside} accepted row(s) lie in Shenzhen outside Futian: they show when the scope is "
                     "all of Shenzhen")
    rejected = sorted(verdicts.rejected, key=lambda r: (r.row, str(r.field)))
    return ImportPlan(path.name, file_sha256(path), layer, raw.format, crs, accepted,
                      [verdicts.row_numbers[i] for i in verdicts.kept], rejected, added, updated, unchanged, notes,
                      len(verdicts.row_numbers), raw.frame, raw.first_data_row, base)


def _compare(accepted: gpd.GeoDataFrame, existing: gpd.GeoDataFrame) -> tuple[list, dict, list]:
    """Ids the commit would add, the changes it would make to existing ids, and the ids it leaves as they are."""
    ids = accepted["id"].astype(str).astype(object)  # object isin: a hash lookup (Arrow's is far slower)
    stored = existing["id"].astype(str).astype(object).isin(set(ids)).to_numpy() if len(existing) else \
        np.zeros(0, dtype=bool)
    old_rows = {r["id"]: r for r in _records(existing.loc[stored])} if stored.any() else {}
    hit = ids.isin(set(old_rows)).to_numpy()
    added, updated, unchanged = [], {}, []
    for rec in _records(accepted.loc[hit]):
        old = old_rows[rec["id"]]
        if changes := _diff(old, rec):
            updated[rec["id"]] = changes
        else:
            unchanged.append(rec["id"])
    added = accepted["id"].loc[~hit].tolist()
    return added, updated, unchanged
