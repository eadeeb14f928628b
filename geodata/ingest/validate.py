"""Validators: one pass per layer that collects every problem, then cross-layer checks.

Checks: missing required values, negative figures, unknown vocabulary codes, stated
figures without a source, invalid / empty / wrongly typed geometry, features outside the
district that are not flagged as context, duplicate ids, dangling parent links, CRS.
Call :func:`validate_frames` for the list, :func:`raise_if_problems` to raise once.
"""
from __future__ import annotations

import pandas as pd
import shapely

from geodata.ingest.schema import is_blank
from layers.catalogue import AREA_FIELDS, CARRIER_LAYERS, RENT_FIELD, LAYERS, LayerSpec, source_field
from layers.vocab import VOCABULARIES, split_codes
from spatial.crs import METRIC_CRS, WGS84, require_crs
from spatial.errors import CRSError, Problem, ValidationError

INSIDE_TOLERANCE_M = 1.0
"""A feature counts as inside the district if it lies within this distance of it."""

MIN_SHARE_INSIDE = 0.95
"""Non-context polygons must have at least this share of their area inside the district."""


def _ids(frame: pd.DataFrame) -> list[str | None]:
    if "id" not in frame.columns:
        return [f"row {i + 1}" for i in range(len(frame))]
    return [None if is_blank(v) else str(v) for v in frame["id"]]


def _check_fields(frame: pd.DataFrame, spec: LayerSpec, ids: list) -> list[Problem]:
    problems = []
    for field in spec.fields:
        if field.name not in frame.columns:
            if field.required:
                problems.append(Problem(spec.key, None, field.name, None, "required column is missing"))
            continue
        column = frame[field.name]
        for fid, value in zip(ids, column):
            if is_blank(value):
                if field.required:
                    problems.append(Problem(spec.key, fid, field.name, None, "required value is missing"))
                continue
            if field.nonnegative and isinstance(value, (int, float)) and value < 0:
                problems.append(Problem(spec.key, fid, field.name, value, "must not be negative"))
            if field.vocabulary:
                vocab = VOCABULARIES[field.vocabulary]
                codes = split_codes(value) if field.dtype == "codes" else [str(value)]
                for code in codes:
                    if code not in vocab:
                        problems.append(Problem(spec.key, fid, field.name, code,
                                                f"unknown {field.vocabulary} code; known: {', '.join(vocab)}"))
    return problems


def _check_sources(frame: pd.DataFrame, spec: LayerSpec, ids: list) -> list[Problem]:
    problems = []
    for figure in (*AREA_FIELDS, RENT_FIELD):
        src = source_field(figure)
        if figure not in frame.columns:
            continue
        sources = frame[src] if src in frame.columns else pd.Series([None] * len(frame), index=frame.index)
        for fid, value, cite in zip(ids, frame[figure], sources):
            if not is_blank(value) and is_blank(cite):
                problems.append(Problem(spec.key, fid, src, None, f"{figure} = {value} is stated without a source"))
            if is_blank(value) and not is_blank(cite):
                problems.append(Problem(spec.key, fid, figure, None, f"{src} is given but the figure is missing"))
    return problems


def _check_geometry(frame, spec: LayerSpec, ids: list, district) -> list[Problem]:
    problems = []
    try:
        require_crs(frame, expected=WGS84)
    except CRSError as exc:
        return [Problem(spec.key, None, "geometry", getattr(frame, "crs", None), str(exc))]
    geoms = frame.geometry.to_numpy()
    allowed = {spec.geometry, "Polygon"} if spec.geometry == "MultiPolygon" else {spec.geometry}
    unknown_ok = (frame["location_basis"] == "unknown").to_numpy() if "location_basis" in frame.columns else None
    context = frame["context"].fillna(False).astype(bool).to_numpy() if "context" in frame.columns else None
    inside_check = district is not None
    if inside_check:
        metric_district = shapely.buffer(_to_metric(district), INSIDE_TOLERANCE_M)
        shapely.prepare(metric_district)
        metric_geoms = frame.geometry.to_crs(METRIC_CRS).to_numpy()
        covered = shapely.covers(metric_district, metric_geoms)
    for i, (fid, geom) in enumerate(zip(ids, geoms)):
        missing = geom is None or geom.is_empty
        if missing:
            if unknown_ok is not None and unknown_ok[i]:
                continue
            problems.append(Problem(spec.key, fid, "geometry", None, "geometry is missing or empty"))
            continue
        if unknown_ok is not None and unknown_ok[i]:
            problems.append(Problem(spec.key, fid, "location_basis", "unknown",
                                    "location_basis is 'unknown' but a geometry is given"))
        if geom.geom_type not in allowed:
            problems.append(Problem(spec.key, fid, "geometry", geom.geom_type, f"expected {spec.geometry}"))
            continue
        if not geom.is_valid:
            problems.append(Problem(spec.key, fid, "geometry", shapely.is_valid_reason(geom), "invalid geometry"))
            continue
        if not inside_check or (context is not None and context[i]) or covered[i]:
            continue
        if spec.geometry == "Point":
            problems.append(Problem(spec.key, fid, "geometry", geom.wkt, ("outside Shenzhen (no context flag)" if spec.key in CARRIER_LAYERS
                                    else "outside the district (no context flag)")))
            continue
        metric = metric_geoms[i]
        if metric.area > 0:
            share = metric.intersection(metric_district).area / metric.area
            if share < MIN_SHARE_INSIDE:
                problems.append(Problem(spec.key, fid, "geometry", f"{share:.1%} inside",
                                        f"less than {MIN_SHARE_INSIDE:.0%} inside the district (no context flag)"))
    return problems


def _to_metric(geom):
    import geopandas as gpd

    return gpd.GeoSeries([geom], crs=WGS84).to_crs(METRIC_CRS).iloc[0]


def validate_layer(frame: pd.DataFrame, spec: LayerSpec, *, district=None) -> list[Problem]:
    """Return every problem of one typed layer.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        The layer, typed by :func:`geodata.ingest.schema.coerce_frame`.
    spec : LayerSpec
        Its catalogue entry.
    district : shapely geometry, keyword-only, optional
        The boundary in WGS-84 the layer's non-context features must lie inside when given:
        Futian for zone layers, Shenzhen for carriers (see :func:`validate_frames`).
    """
    ids = _ids(frame)
    problems = _check_fields(frame, spec, ids)
    problems += _check_sources(frame, spec, ids)
    seen: set[str] = set()
    for fid in ids:
        if fid is not None and fid in seen:
            problems.append(Problem(spec.key, fid, "id", fid, "duplicate id"))
        seen.add(fid)
    if spec.geometry is not None:
        problems += _check_geometry(frame, spec, ids, district if spec.key in _INSIDE_LAYERS else None)
    return problems


_INSIDE_LAYERS = {"subdistricts", "clusters", "hetao", *CARRIER_LAYERS}


def validate_frames(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """Validate every layer in ``frames`` and the links between them.

    Zone layers (subdistricts, clusters, Hetao) must lie inside Futian; carriers inside
    Shenzhen (the district layers together), so one store can hold the whole city's inventory
    and the app's scope switch shows Futian or all of Shenzhen.
    """
    district = city = None
    if "district" in frames and len(frames["district"]):
        district = city = shapely.unary_union(frames["district"].geometry.dropna().to_numpy())
    if "shenzhen_districts" in frames and len(frames["shenzhen_districts"]):
        city = shapely.unary_union([*frames["shenzhen_districts"].geometry.dropna().to_numpy(),
                                    *([district] if district is not None else [])])
    problems: list[Problem] = []
    for key, frame in frames.items():
        problems += validate_layer(frame, LAYERS[key], district=city if key in CARRIER_LAYERS else district)
    carriers = [frames[k].assign(_layer=k) for k in CARRIER_LAYERS if k in frames]
    if carriers:
        every = pd.concat(carriers, ignore_index=True)
        ids = every["id"].dropna().astype(str)
        for fid in sorted(set(ids[ids.duplicated()])):
            layers = sorted(set(every.loc[every["id"] == fid, "_layer"]))
            if len(layers) > 1:
                problems.append(Problem("carriers", fid, "id", fid, f"duplicate id across layers {layers}"))
        known = set(ids)
        for fid, layer, parent in zip(every["id"], every["_layer"], every["parent_id"]):
            if not is_blank(parent) and str(parent) not in known:
                problems.append(Problem(layer, fid, "parent_id", parent, "parent carrier does not exist"))
            if not is_blank(parent) and str(parent) == str(fid):
                problems.append(Problem(layer, fid, "parent_id", parent, "a carrier cannot be its own parent"))
        problems += _ledger_links(frames.get("incubation_ledger"), known)
    return problems


def _ledger_links(ledger: pd.DataFrame | None, carrier_ids: set[str]) -> list[Problem]:
    """Ledger entries must name an existing carrier, once, and end after they start."""
    if ledger is None or not len(ledger):
        return []
    problems = []
    seen: set[str] = set()
    for eid, cid, start, end in zip(ledger["id"], ledger["carrier_id"], ledger["counted_from"],
                                    ledger["counted_until"]):
        if is_blank(cid):
            continue
        if str(cid) not in carrier_ids:
            problems.append(Problem("incubation_ledger", eid, "carrier_id", cid, "carrier does not exist"))
        if str(cid) in seen:
            problems.append(Problem("incubation_ledger", eid, "carrier_id", cid, "carrier has more than one entry"))
        seen.add(str(cid))
        if not is_blank(start) and not is_blank(end) and str(end) <= str(start):
            problems.append(Problem("incubation_ledger", eid, "counted_until", end,
                                    f"counted_until must be after counted_from ({start})"))
    return problems


def raise_if_problems(problems: list[Problem]) -> None:
    """Raise one :class:`ValidationError` carrying every problem, if there are any."""
    if problems:
        raise ValidationError(problems)
