"""Area tallies per unit (subdistrict, cluster, Hetao, layer, industry), computed in EPSG:4547.

A feature is placed in units in one of two ways:

* ``"centroid"`` — the whole feature goes to the unit(s) containing its anchor point (the
  point itself, or a point on the polygon's surface);
* ``"apportion"`` — a polygon is split by the share of its area inside each unit
  (points behave as in ``"centroid"``).

Counts always follow the anchor point (a feature is one feature). Land area is the computed
area of polygons (points add nothing). Stated figures are summed with the double-count rule
of :mod:`spatial.stated`, applied once over the whole inventory so that the rows of a
partition (subdistricts) add up exactly to the total: nothing lost, nothing counted twice.
Features outside every unit go to :data:`OUTSIDE`, features without a location to
:data:`UNLOCATED`.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from spatial.crs import to_metric
from spatial.stated import counted_mask, parent_positions

OUTSIDE = "(outside)"
UNLOCATED = "(no location)"
NONE_STATED = "(none stated)"
METHODS = ("apportion", "centroid")
STATED_FIELDS = ("land_area_m2", "floor_area_m2", "usable_area_m2", "space_area_m2", "incubation_area_m2",
                 "available_area_m2")
"""Stated figures summed by the tally, one measure each (never added together). The stated land area is reported as
``stated_land_area_m2``: ``land_area_m2`` in a tally is always the computed area of polygons."""


def stated_column(field: str) -> str:
    """The tally column of a stated figure (``land_area_m2`` → ``stated_land_area_m2``)."""
    return "stated_land_area_m2" if field == "land_area_m2" else field

_SHARE_EPS = 1e-9


@dataclass(frozen=True)
class Placement:
    """Where each feature lies: long-format (feature position, unit, share) tables.

    ``anchor`` places every feature once per containing unit with share 1 (counts);
    ``area`` places polygon area by share (``apportion``) or whole at the anchor
    (``centroid``). Positions are 0-based row positions in the feature frame.
    """

    anchor: pd.DataFrame  # columns pos, unit, share
    area: pd.DataFrame  # columns pos, unit, share


def _empty_links() -> pd.DataFrame:
    return pd.DataFrame({"pos": np.array([], dtype=np.int64), "unit": np.array([], dtype=object),
                         "share": np.array([], dtype=float)})


def _links(pos: np.ndarray, units: np.ndarray, share: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"pos": pos.astype(np.int64), "unit": units.astype(object), "share": share.astype(float)})


def anchor_points(geoms: np.ndarray) -> np.ndarray:
    """One point per geometry: the point itself, or a point on a polygon's surface (None stays None)."""
    out = np.array(geoms, dtype=object)
    located = ~shapely.is_missing(out) & ~shapely.is_empty(out)
    non_point = located & (shapely.get_type_id(out) != 0)
    if non_point.any():
        out[non_point] = shapely.point_on_surface(out[non_point])
    out[~located] = None
    return out


def _with_outside(links: pd.DataFrame, located: np.ndarray, *, partition: bool) -> pd.DataFrame:
    """Add the share of each located feature that no unit holds to :data:`OUTSIDE`."""
    n = len(located)
    held = np.bincount(links["pos"].to_numpy(), weights=links["share"].to_numpy(), minlength=n) if len(links) else np.zeros(n)
    rest = np.where(located, 1.0 - held, 0.0) if partition else np.where(located & (held <= _SHARE_EPS), 1.0, 0.0)
    rest[rest < 1e-7] = 0.0
    idx = np.flatnonzero(rest > 0)
    if not len(idx):
        return links
    return pd.concat([links, _links(idx, np.full(len(idx), OUTSIDE, dtype=object), rest[idx])], ignore_index=True)


def place_features(features: gpd.GeoDataFrame, units: gpd.GeoDataFrame, *, unit_id: str = "id",
                   method: str = "apportion", partition: bool = True) -> Placement:
    """Place features in spatial units, vectorised with a spatial index, in EPSG:4547.

    Parameters
    ----------
    features, units : geopandas.GeoDataFrame
        Any CRS (both refused without one). ``units`` need the ``unit_id`` column.
    method : {"apportion", "centroid"}
        How polygon area crossing a unit boundary is placed.
    partition : bool
        True when the units tile the area (subdistricts): a point on a shared border goes
        to one unit only (the first by unit order), and the part of a polygon outside every
        unit goes to :data:`OUTSIDE`. False for overlapping units (clusters): a feature
        counts in every unit that holds it, and only features in no unit go to OUTSIDE.

    Returns
    -------
    Placement
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
    geoms = to_metric(features.geometry).to_numpy() if len(features) else np.array([], dtype=object)
    unit_geoms = to_metric(units.geometry).to_numpy() if len(units) else np.array([], dtype=object)
    unit_ids = units[unit_id].to_numpy(dtype=object) if len(units) else np.array([], dtype=object)
    located = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms) if len(geoms) else np.zeros(0, bool)
    anchors = anchor_points(geoms)
    tree = shapely.STRtree(unit_geoms)
    shapely.prepare(unit_geoms)

    anchor_links = _empty_links()
    if located.any():
        idx = np.flatnonzero(located)
        pairs = tree.query(anchors[idx], predicate="intersects")
        pos, unit_pos = idx[pairs[0]], pairs[1]
        if partition and len(pos):
            order = np.lexsort((unit_pos, pos))
            pos, unit_pos = pos[order], unit_pos[order]
            first = np.r_[True, pos[1:] != pos[:-1]]
            pos, unit_pos = pos[first], unit_pos[first]
        anchor_links = _links(pos, unit_ids[unit_pos], np.ones(len(pos)))
    anchor_links = _with_outside(anchor_links, located, partition=partition)

    is_poly = located & (shapely.area(geoms) > 0) if len(geoms) else np.zeros(0, bool)
    if method == "centroid" or not is_poly.any():
        area_links = anchor_links.loc[is_poly[anchor_links["pos"].to_numpy()]] if len(anchor_links) else anchor_links
        return Placement(anchor_links, area_links.reset_index(drop=True))
    area_links = _apportion(geoms, np.flatnonzero(is_poly), tree, unit_geoms, unit_ids)
    area_links = _with_outside(area_links, is_poly, partition=True)
    return Placement(anchor_links, area_links)


def _apportion(geoms: np.ndarray, idx: np.ndarray, tree, unit_geoms: np.ndarray, unit_ids: np.ndarray) -> pd.DataFrame:
    """Share of each polygon's area inside each unit (polygons wholly within one unit skip the overlay)."""
    polys = geoms[idx]
    within = tree.query(polys, predicate="within")
    inner_pos, inner_unit = idx[within[0]], within[1]
    whole = np.zeros(len(geoms), bool)
    whole[inner_pos] = True
    parts = [_links(inner_pos, unit_ids[inner_unit], np.ones(len(inner_pos)))]
    rest = idx[~whole[idx]]
    if len(rest):
        pairs = tree.query(geoms[rest], predicate="intersects")
        pos, unit_pos = rest[pairs[0]], pairs[1]
        inter = shapely.area(shapely.intersection(geoms[pos], unit_geoms[unit_pos]))
        share = inter / shapely.area(geoms[pos])
        keep = share > _SHARE_EPS
        parts.append(_links(pos[keep], unit_ids[unit_pos[keep]], share[keep]))
    return pd.concat(parts, ignore_index=True)


def attribute_links(values: pd.Series, *, multi: bool = False) -> pd.DataFrame:
    """Place features in non-spatial units: one value per feature, or ``;``-separated codes.

    A feature with several codes counts in each; a feature with none goes to
    :data:`NONE_STATED`.
    """
    vals = values.to_numpy(dtype=object)
    pos_out, unit_out = [], []
    for pos, value in enumerate(vals):
        if multi:
            codes = value if isinstance(value, list) else [c for c in str(value).split(";") if c] if isinstance(
                value, str) else []
        else:
            codes = [value] if value is not None and value == value and value != "" else []
        for code in codes or [NONE_STATED]:
            pos_out.append(pos)
            unit_out.append(code)
    links = _links(np.array(pos_out, dtype=np.int64), np.array(unit_out, dtype=object), np.ones(len(pos_out)))
    return links


def _unlocated(links: pd.DataFrame, located: np.ndarray) -> pd.DataFrame:
    missing = np.flatnonzero(~located)
    if not len(missing):
        return links
    return pd.concat([links, _links(missing, np.full(len(missing), UNLOCATED, dtype=object),
                                    np.ones(len(missing)))], ignore_index=True)


def stated_values(features: pd.DataFrame, fields: Sequence[str]) -> dict[str, np.ndarray]:
    """Per field, the figure each feature contributes (NaN when unknown or within a counted parent)."""
    out = {}
    parents = parent_positions(features)
    for field in fields:
        if field not in features.columns:
            out[field] = np.full(len(features), np.nan)
            continue
        values = pd.to_numeric(features[field], errors="coerce")
        mask = counted_mask(features.assign(**{field: values}), field, parents=parents)
        out[field] = values.where(mask).to_numpy(dtype=float)
    return out


def _sum_known(pos: np.ndarray, weights: np.ndarray, values: np.ndarray, units: np.ndarray,
               order: list) -> dict:
    """Per unit: sum of weight × value over known values (None when no value is known)."""
    v = values[pos]
    known = ~np.isnan(v)
    frame = pd.DataFrame({"unit": units[known], "x": v[known] * weights[known]})
    sums = frame.groupby("unit", sort=False)["x"].sum()
    return {u: (float(sums[u]) if u in sums.index else None) for u in order}


def tally_links(features: pd.DataFrame, anchor: pd.DataFrame, area: pd.DataFrame, *,
                land_area: np.ndarray, unit_order: Iterable, stated_fields: Sequence[str] = STATED_FIELDS,
                stated_method: str = "centroid", stated: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Sum a placement into one row per unit.

    Parameters
    ----------
    features : DataFrame
        The features (stated figure columns, ``id``/``parent_id`` for the double-count rule).
    anchor, area : DataFrame
        Long tables (``pos``, ``unit``, ``share``) from :func:`place_features` or
        :func:`attribute_links`.
    land_area : ndarray
        Computed area of each feature in m² (0 for points).
    unit_order : iterable
        Units to list first, in order (a unit holding nothing still gets a row); units
        found in the links but not listed (OUTSIDE, UNLOCATED, …) follow.
    stated_method : {"centroid", "apportion"}
        Stated figures follow the anchor (default) or the area shares.
    stated : dict, optional
        :func:`stated_values` of ``features`` when already computed.

    Returns
    -------
    DataFrame
        ``unit``, ``count``, ``polygon_count``, ``land_area_m2``, one column per stated field
        (None when no feature of the unit states it) and ``<field>_known`` counts.
    """
    order = list(dict.fromkeys([*unit_order, *anchor["unit"].tolist(), *area["unit"].tolist()]))
    a_pos, a_units = anchor["pos"].to_numpy(), anchor["unit"].to_numpy(dtype=object)
    counts = pd.Series(a_units).value_counts()
    is_poly = land_area > 0
    poly_counts = pd.Series(a_units[is_poly[a_pos]]).value_counts() if len(a_pos) else pd.Series(dtype=int)
    r_pos, r_units, r_share = area["pos"].to_numpy(), area["unit"].to_numpy(dtype=object), area["share"].to_numpy()
    land = pd.Series(land_area[r_pos] * r_share).groupby(r_units).sum() if len(r_pos) else pd.Series(dtype=float)
    stated = stated_values(features, stated_fields) if stated is None else stated
    if stated_method == "apportion":
        s_pos = np.r_[r_pos, a_pos[~is_poly[a_pos]]].astype(np.int64)
        s_units = np.r_[r_units, a_units[~is_poly[a_pos]]].astype(object)
        s_w = np.r_[r_share, np.ones(int((~is_poly[a_pos]).sum()))]
    elif stated_method == "centroid":
        s_pos, s_units, s_w = a_pos, a_units, np.ones(len(a_pos))
    else:
        raise ValueError(f"unknown method {stated_method!r}: use one of {', '.join(METHODS)}")
    rows = {u: {"unit": u, "count": int(counts.get(u, 0)), "polygon_count": int(poly_counts.get(u, 0)),
                "land_area_m2": float(land.get(u, 0.0))} for u in order}
    for field in stated_fields:
        sums = _sum_known(s_pos, s_w, stated[field], s_units, order)
        known = pd.Series(s_units[~np.isnan(stated[field][s_pos])]).value_counts() if len(s_pos) else {}
        col = stated_column(field)
        for u in order:
            rows[u][col] = sums[u]
            rows[u][f"{col}_known"] = int(known.get(u, 0))
    return pd.DataFrame(list(rows.values()))


def tally_total(features: pd.DataFrame, *, land_area: np.ndarray, stated_fields: Sequence[str] = STATED_FIELDS,
                stated: dict[str, np.ndarray] | None = None) -> dict:
    """The totals row: every feature once, stated figures without double counting."""
    stated = stated_values(features, stated_fields) if stated is None else stated
    row = {"unit": "total", "count": int(len(features)), "polygon_count": int((land_area > 0).sum()),
           "land_area_m2": float(land_area.sum())}
    for field in stated_fields:
        values = stated[field]
        known = ~np.isnan(values)
        col = stated_column(field)
        row[col] = float(values[known].sum()) if known.any() else None
        row[f"{col}_known"] = int(known.sum())
    return row


def computed_land_area(features: gpd.GeoDataFrame) -> np.ndarray:
    """Area of each feature in m² in EPSG:4547 (0 for points and for features without a location)."""
    if not len(features):
        return np.zeros(0)
    area = shapely.area(to_metric(features.geometry).to_numpy())
    return np.nan_to_num(np.asarray(area, dtype=float), nan=0.0)


def tally(features: gpd.GeoDataFrame, *, units: gpd.GeoDataFrame | None = None, unit_id: str = "id",
          attribute: str | None = None, multi: bool = False, partition: bool = True,
          land: str = "apportion", stated: str = "centroid", unit_order: Iterable | None = None) -> dict:
    """Tally features per unit: count, computed land area and summed stated areas.

    Give either spatial ``units`` (a GeoDataFrame with ``unit_id``) or an ``attribute``
    column of ``features`` (``multi=True`` for ``;``-separated codes such as industries).

    Returns
    -------
    dict
        ``rows`` (a DataFrame, one row per unit, see :func:`tally_links`), ``total`` (a dict),
        ``overlapping`` (True when a feature may count in several rows, so rows need not add
        up to the total), ``land`` and ``stated`` (the methods used), ``anchor`` (the
        feature-position → unit links behind the counts) and ``counted`` (per stated field, which
        features' figures count: known and not inside a parent stating it).
    """
    features = features.copy(deep=False)
    features[features.geometry.name] = to_metric(features.geometry)  # projected once, reused below
    land_area = computed_land_area(features)
    values = stated_values(features, STATED_FIELDS)
    if units is not None:
        placement = place_features(features, units, unit_id=unit_id, method=land, partition=partition)
        located = np.zeros(len(features), bool)
        located[placement.anchor["pos"].to_numpy()] = True
        anchor = _unlocated(placement.anchor, located)
        area = placement.area
        order = list(unit_order) if unit_order is not None else units[unit_id].tolist()
        overlapping = not partition
    elif attribute is not None:
        anchor = attribute_links(features[attribute], multi=multi)
        area = anchor.loc[land_area[anchor["pos"].to_numpy()] > 0] if len(anchor) else anchor
        order = list(unit_order) if unit_order is not None else []
        overlapping = multi
    else:
        raise ValueError("tally needs units or an attribute")
    rows = tally_links(features, anchor, area, land_area=land_area, unit_order=order, stated_method=stated,
                       stated=values)
    return {"rows": rows, "total": tally_total(features, land_area=land_area, stated=values), "overlapping": overlapping,
            "land": land, "stated": stated, "anchor": anchor, "counted": {f: ~np.isnan(v) for f, v in values.items()}}


UNIT_KINDS = ("subdistrict", "cluster", "hetao", "layer", "industry", "district")
HETAO_INSIDE, HETAO_OUTSIDE = "inside", "outside"


def hetao_units(hetao: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The Shenzhen Park of the Hetao zone (context parts such as the Hong Kong Park left out) as one unit."""
    park = hetao.loc[~hetao["context"].astype(bool)] if "context" in hetao.columns else hetao
    return gpd.GeoDataFrame({"id": [HETAO_INSIDE]}, geometry=[park.geometry.union_all()], crs=hetao.crs)


def tally_by(kind: str, features: gpd.GeoDataFrame, zones: dict[str, gpd.GeoDataFrame], *,
             land: str = "apportion", stated: str = "centroid", layer_order: Iterable = ()) -> dict:
    """Tally by one of :data:`UNIT_KINDS` using the zone layers in ``zones``
    (``subdistricts``, ``clusters``, ``hetao``, ``shenzhen_districts``). See :func:`tally` for the result."""
    if kind == "district":
        return tally(features, units=zones["shenzhen_districts"], land=land, stated=stated)
    if kind == "subdistrict":
        return tally(features, units=zones["subdistricts"], land=land, stated=stated)
    if kind == "cluster":
        return tally(features, units=zones["clusters"], partition=False, land=land, stated=stated)
    if kind == "hetao":
        result = tally(features, units=hetao_units(zones["hetao"]), land=land, stated=stated,
                       unit_order=[HETAO_INSIDE, OUTSIDE])
        result["rows"]["unit"] = result["rows"]["unit"].replace({OUTSIDE: HETAO_OUTSIDE})
        return result
    if kind == "layer":
        return tally(features, attribute="layer", land=land, stated=stated, unit_order=layer_order)
    if kind == "industry":
        return tally(features, attribute="industries", multi=True, land=land, stated=stated)
    raise ValueError(f"unknown unit kind {kind!r}: use one of {', '.join(UNIT_KINDS)}")

