"""Validators: one pass per layer that collects every problem, then cross-layer checks.

Checks: missing required values, negative figures, unknown vocabulary codes, text with a NUL
character (PostgreSQL cannot store one), a bidi or other control character, text over the
length limits (:mod:`geodata.ingest.text_rules`: ids and names, and other
text), stated figures without a source, invalid / empty / wrongly typed geometry, features
outside the district (Futian for zones, Shenzhen for carriers, as :mod:`spatial.scope` defines
them) that are not flagged as context, duplicate ids, dangling parent links, CRS.
Call :func:`validate_frames` for the list, :func:`raise_if_problems` to raise once.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.ingest.schema import blank_mask, is_blank
from geodata.ingest.text_rules import MACHINE_TEXT, text_problem, text_suspects
from layers.catalogue import AREA_FIELDS, CARRIER_LAYERS, RENT_FIELD, LAYERS, LayerSpec, source_field
from layers.vocab import VOCABULARIES, split_codes
from spatial.crs import WGS84, require_crs
from spatial.errors import CRSError, Problem, ValidationError
from spatial.scope import MIN_SHARE_INSIDE, futian, shenzhen
from spatial.zone_placement import ZONE_LAYERS


def _ids(frame: pd.DataFrame) -> list[str | None]:
    if "id" not in frame.columns:
        return [f"row {i + 1}" for i in range(len(frame))]
    blank = blank_mask(frame["id"])
    return [None if b else str(v) for v, b in zip(frame["id"].tolist(), blank)]


def _check_fields(frame: pd.DataFrame, spec: LayerSpec, ids: list) -> list[Problem]:
    """Required values, text rules, negative figures and vocabulary codes: each rule finds its rows
    column-wise; the problems come out row by row, in the order the rules are listed."""
    problems = []
    for field in spec.fields:
        if field.name not in frame.columns:
            if field.required:
                problems.append(Problem(spec.key, None, field.name, None, "required column is missing"))
            continue
        column, found = frame[field.name], []
        values = column.to_numpy(dtype=object)
        checked = field.required or field.nonnegative or field.vocabulary
        blank = blank_mask(column) if checked else None  # else only text suspects are looked at, one by one
        if field.required:
            found += [(i, 0, Problem(spec.key, ids[i], field.name, None, "required value is missing"))
                      for i in np.flatnonzero(blank)]
        limited = (spec.key, field.name) not in MACHINE_TEXT
        for i in sorted(text_suspects(column, field.name, limited=limited)):
            if not (is_blank(values[i]) if blank is None else blank[i]) and \
                    (bad := text_problem(field.name, values[i], limited=limited)):
                found.append((i, 1, Problem(spec.key, ids[i], field.name, *bad)))
        if field.nonnegative:
            found += [(i, 2, Problem(spec.key, ids[i], field.name, values[i], "must not be negative"))
                      for i in _negative(column, blank)]
        if field.vocabulary:
            found += _unknown_codes(spec.key, field, values, blank, ids)
        problems += [p for _, _, p in sorted(found, key=lambda f: (f[0], f[1]))]
    return problems


def _negative(column: pd.Series, blank: np.ndarray) -> np.ndarray:
    """Positions of the numbers (not booleans, not text) below zero."""
    if pd.api.types.is_bool_dtype(column.dtype):
        return np.zeros(0, dtype=int)
    if pd.api.types.is_numeric_dtype(column.dtype):
        return np.flatnonzero(~blank & (column.to_numpy(dtype="float64", na_value=np.nan) < 0))
    return np.array([i for i, v in enumerate(column.tolist()) if not blank[i] and type(v) is not bool
                     and isinstance(v, (int, float)) and v < 0], dtype=int)


def _unknown_codes(layer: str, field, values: np.ndarray, blank: np.ndarray, ids: list) -> list:
    """(position, 3, problem) for every code of the field's vocabulary it does not know."""
    vocab, found, verdict = VOCABULARIES[field.vocabulary], [], {}
    for i in np.flatnonzero(~blank):
        value = values[i]
        key = str(value)
        if key not in verdict:
            codes = split_codes(value) if field.dtype == "codes" else [key]
            verdict[key] = [c for c in codes if c not in vocab]
        found += [(i, 3, Problem(layer, ids[i], field.name, code,
                                 f"unknown {field.vocabulary} code; known: {', '.join(vocab)}")) for code in verdict[key]]
    return found


def _check_sources(frame: pd.DataFrame, spec: LayerSpec, ids: list) -> list[Problem]:
    problems = []
    for figure in (*AREA_FIELDS, RENT_FIELD):
        src = source_field(figure)
        if figure not in frame.columns:
            continue
        stated = ~blank_mask(frame[figure])
        cited = ~blank_mask(frame[src]) if src in frame.columns else np.zeros(len(frame), dtype=bool)
        values = frame[figure].tolist()
        for i in np.flatnonzero(stated != cited):
            if stated[i]:
                problems.append(Problem(spec.key, ids[i], src, None, f"{figure} = {values[i]} is stated without a source"))
            else:
                problems.append(Problem(spec.key, ids[i], figure, None, f"{src} is given but the figure is missing"))
    return problems


def _check_geometry(frame, spec: LayerSpec, ids: list, district) -> list[Problem]:
    try:
        require_crs(frame, expected=WGS84)
    except CRSError as exc:
        return [Problem(spec.key, None, "geometry", getattr(frame, "crs", None), str(exc))]
    problems, usable = _check_shapes(frame, spec, ids)
    if district is not None:
        if "context" in frame.columns:
            usable &= ~frame["context"].fillna(False).astype(bool).to_numpy()
        if usable.any():
            problems += _check_inside(frame.loc[usable], spec, [fid for fid, u in zip(ids, usable) if u], district)
    return problems


POINTLESS = ("unknown", "zone")
"""Location bases of carriers without a point: no site known, or placed by the zone a source names."""


def _zone_links(frames: dict[str, pd.DataFrame], every: pd.DataFrame) -> list[Problem]:
    """A carrier placed by zone names existing zones; one with a zone has no point of its own."""
    zones = {str(i) for k in ZONE_LAYERS if k in frames and len(frames[k]) for i in frames[k]["id"]}
    problems = []
    if "zone_id" not in every.columns:
        return problems
    complete = all(k in frames and len(frames[k]) for k in ZONE_LAYERS)  # else unknown ids cannot be told
    for fid, layer, basis, zone in zip(every["id"], every["_layer"], every["location_basis"], every["zone_id"]):
        named = split_codes(zone)
        if basis == "zone" and not named:
            problems.append(Problem(layer, fid, "zone_id", None, "placed by zone but no zone_id is given"))
        for z in named:
            if complete and z not in zones:
                problems.append(Problem(layer, fid, "zone_id", z, "zone does not exist"))
    return problems


def _check_shapes(frame, spec: LayerSpec, ids: list) -> tuple[list[Problem], np.ndarray]:
    """Missing, mistyped and invalid geometries, and which rows have a usable one (checked
    column-wise; the rows with a problem are then described one by one)."""
    problems = []
    allowed = {spec.geometry, "Polygon"} if spec.geometry == "MultiPolygon" else {spec.geometry}
    basis = frame["location_basis"].to_numpy() if "location_basis" in frame.columns else None
    unknown_ok = np.zeros(len(frame), dtype=bool) if basis is None else np.isin(basis, POINTLESS)
    geoms = np.asarray(frame.geometry.to_numpy(), dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    kinds = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                      "MultiPolygon", "GeometryCollection"], dtype=object)
    type_ids = shapely.get_type_id(geoms)
    right_type = ~missing & np.isin(kinds[np.clip(type_ids, 0, 7)], list(allowed)) & (type_ids >= 0)
    valid = np.zeros(len(frame), dtype=bool)
    valid[right_type] = shapely.is_valid(geoms[right_type])
    usable = right_type & valid
    for i in np.flatnonzero(~usable | (unknown_ok & ~missing)):
        fid, geom = ids[i], geoms[i]
        if missing[i]:
            if not unknown_ok[i]:
                problems.append(Problem(spec.key, fid, "geometry", None, "geometry is missing or empty"))
            continue
        if unknown_ok[i]:
            problems.append(Problem(spec.key, fid, "location_basis", basis[i],
                                    f"location_basis is '{basis[i]}' but a geometry is given"))
        if not right_type[i]:
            problems.append(Problem(spec.key, fid, "geometry", geom.geom_type, f"expected {spec.geometry}"))
        elif not valid[i]:
            problems.append(Problem(spec.key, fid, "geometry", shapely.is_valid_reason(geom), "invalid geometry"))
    return problems, usable


def _check_inside(frame, spec: LayerSpec, ids: list, district) -> list[Problem]:
    """Carriers must lie inside Shenzhen, zones inside Futian: :mod:`spatial.scope` says what inside means."""
    layer = gpd.GeoSeries([district], crs=WGS84)
    boundary = shenzhen(layer) if spec.key in CARRIER_LAYERS else futian(layer)
    outside = ~boundary.inside(frame.geometry).to_numpy()
    if not outside.any():
        return []
    if spec.geometry == "Point":
        message = "outside Shenzhen (no context flag)" if spec.key in CARRIER_LAYERS else \
            "outside the district (no context flag)"
        return [Problem(spec.key, fid, "geometry", geom.wkt, message)
                for fid, geom in zip(np.asarray(ids, dtype=object)[outside], frame.geometry.to_numpy()[outside])]
    share = boundary.share(frame.geometry.loc[outside]).fillna(0.0).to_numpy()
    return [Problem(spec.key, fid, "geometry", f"{s:.1%} inside",
                    f"less than {MIN_SHARE_INSIDE:.0%} inside the district (no context flag)")
            for fid, s in zip(np.asarray(ids, dtype=object)[outside], share)]


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
        Futian for zone layers, Shenzhen for carriers (see :func:`validate_frames`), each with
        its tolerance (:func:`spatial.scope.futian`, :func:`spatial.scope.shenzhen`).
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


LINK_TARGETS = {
    "units": (("carrier_id", "carriers"),),
    "leases": (("carrier_id", "carriers"), ("enquiry_id", "enquiries")),
    "unit_attachments": (("unit_id", "units"),),
    "attachment_blobs": (("id", "unit_attachments"),),
    "enquiry_events": (("enquiry_id", "enquiries"),),
    "enterprise_years": (("enterprise_id", "enterprises"),),
    "placements": (("enterprise_id", "enterprises"), ("carrier_id", "carriers"), ("unit_id", "units")),
}
"""The market's links: ``layer: ((column, target), …)``; ``carriers`` is any carrier layer."""


def market_links(frames: dict[str, pd.DataFrame], known: dict[str, set[str]]) -> list[Problem]:
    """Rows of market tables in ``frames`` that name a carrier, unit or enquiry not in ``known``
    (``{target: ids}``; a target not in ``known`` is not checked)."""
    problems = []
    for layer, links in LINK_TARGETS.items():
        frame = frames.get(layer)
        if frame is None or not len(frame):
            continue
        for column, target in links:
            if target not in known or column not in frame.columns:
                continue
            for fid, value in zip(_ids(frame), frame[column]):
                if not is_blank(value) and str(value) not in known[target]:
                    problems.append(Problem(layer, fid, column, value, f"{target}: no {value} in the store"))
    return problems


def _known_ids(frames: dict[str, pd.DataFrame]) -> dict[str, set[str]]:
    known = {k: set(frames[k]["id"].dropna().astype(str)) for k in ("units", "unit_attachments", "enquiries",
                                                                   "enterprises") if k in frames}
    if all(k in frames for k in CARRIER_LAYERS):
        known["carriers"] = {str(i) for k in CARRIER_LAYERS for i in frames[k]["id"].dropna()}
    return known


def validate_frames(frames: dict[str, pd.DataFrame], *, links: bool = True, checked=()) -> list[Problem]:
    """Validate every layer in ``frames`` and the links between them.

    Zone layers (subdistricts, clusters, Hetao) must lie inside Futian; carriers inside
    Shenzhen (the district layers together), so one store can hold the whole city's inventory
    and the app's scope switch shows Futian or all of Shenzhen. "Inside" is
    :mod:`spatial.scope`'s definition, the one the importer's row check and the scope filter use.
    """
    district = city = None
    if "district" in frames and len(frames["district"]):
        district = city = shapely.unary_union(frames["district"].geometry.dropna().to_numpy())
    if "shenzhen_districts" in frames and len(frames["shenzhen_districts"]):
        city = shapely.unary_union([*frames["shenzhen_districts"].geometry.dropna().to_numpy(),
                                    *([district] if district is not None else [])])
    problems: list[Problem] = []
    for key, frame in frames.items():  # the layers in ``checked`` were checked row by row by the caller
        if key not in checked:
            problems += validate_layer(frame, LAYERS[key], district=city if key in CARRIER_LAYERS else district)
    read = ["id", "parent_id", "location_basis", "zone_id"]  # what the checks across layers read
    carriers = [frames[k][[c for c in read if c in frames[k].columns]].assign(_layer=k)
                for k in CARRIER_LAYERS if k in frames]
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
        problems += _zone_links(frames, every)
    if links:
        problems += market_links(frames, _known_ids(frames))
    problems += _unique_codes(frames.get("enterprises")) + _one_row_a_year(frames.get("enterprise_years"))
    return problems


def _one_row_a_year(years: pd.DataFrame | None) -> list[Problem]:
    """One row of figures per enterprise and year."""
    if years is None or not len(years):
        return []
    twice = years.loc[years.duplicated(["enterprise_id", "year"], keep="first")]
    return [Problem("enterprise_years", fid, "year", year, f"enterprise {eid} has another row for this year")
            for fid, eid, year in zip(twice["id"], twice["enterprise_id"], twice["year"])]


def _unique_codes(enterprises: pd.DataFrame | None) -> list[Problem]:
    """One enterprise per unified social credit code."""
    if enterprises is None or not len(enterprises):
        return []
    codes = enterprises["credit_code"].dropna().astype(str)
    twice = codes[codes.duplicated(keep="first")]
    return [Problem("enterprises", enterprises.loc[i, "id"], "credit_code", code, "another enterprise has this code")
            for i, code in twice.items()]


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
