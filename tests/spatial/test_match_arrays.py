"""The matching arrays, built column by column, equal a plain row-by-row reading of the frame.

The reference below reads each row on its own (the rules of :func:`spatial.match.candidate_arrays`
as they were written row by row): messy values — blank, unknown and repeated codes, parents
before and after their children and in chains, missing and empty geometry, other CRSs, lon/lat
frames without geometry, missing columns, every kind of missing value — must give the same arrays.
"""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon

from layers.catalogue import CARRIER_LAYERS
from layers.vocab import FACILITIES, INDUSTRIES, split_codes
from spatial.crs import METRIC_CRS, WGS84
from spatial.match import TOTAL_MEASURES, candidate_arrays, concat_candidates, take_candidates

INDUSTRY = list(INDUSTRIES)
FACILITY = list(FACILITIES)
EMPTY = Point()


# ---- the row-by-row reference ------------------------------------------------------------------

def _missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _hot(value, codes) -> list[bool]:
    named = split_codes(value)
    return [c in named for c in codes]


def _xy(geom, crs) -> tuple[float, float]:
    if geom is None or geom.is_empty:
        return math.nan, math.nan
    p = gpd.GeoSeries([geom], crs=crs).to_crs(METRIC_CRS).iloc[0]
    return p.x, p.y


def _lonlat_xy(lon, lat) -> tuple[float, float]:
    from pyproj import Transformer

    x, y = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True).transform(_num(lon), _num(lat))
    return float(x), float(y)


def _reference(frame: pd.DataFrame) -> dict:
    rows = [dict(zip(frame.columns, values)) for values in frame.itertuples(index=False, name=None)]
    get = lambda r, k, default=None: r.get(k, default)  # noqa: E731
    facilities = [_hot(get(r, "facilities"), FACILITY) for r in rows]
    row_of = {}
    for k, r in enumerate(rows):
        row_of[str(r["id"])] = k
    for k, r in enumerate(rows):  # in order: an earlier parent has already inherited
        p = get(r, "parent_id")
        if isinstance(p, str) and p in row_of:
            facilities[k] = [a or b for a, b in zip(facilities[k], facilities[row_of[p]])]
    layer = [None if _missing(r["layer"]) else r["layer"] for r in rows]
    out = {"layer": [CARRIER_LAYERS.index(v) if v in CARRIER_LAYERS else 0 for v in layer],
           "industries": [_hot(get(r, "industries"), INDUSTRY) for r in rows], "facilities": facilities}
    geo = isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None
    xy = [_xy(r["geometry"], frame.crs) if geo else _lonlat_xy(get(r, "lon"), get(r, "lat")) for r in rows]
    out["x"], out["y"] = [p[0] for p in xy], [p[1] for p in xy]
    for key, column in (("available", "available_area_m2"), ("floor", "floor_area_m2"), ("rent", "rent_cny_m2_month")):
        out[key] = [_num(get(r, column)) for r in rows]
    known = [[_num(get(r, m)) for m in TOTAL_MEASURES] for r in rows]
    out["total_kind"] = [next((i for i, v in enumerate(t) if not math.isnan(v)), 0) for t in known]
    out["total"] = [t[i] for t, i in zip(known, out["total_kind"])]
    flag = lambda v: not _missing(v) and bool(v)  # noqa: E731
    out["hk"] = [flag(get(r, "hk_link")) or flag(get(r, "in_hetao")) for r in rows]
    status = ["unknown" if _missing(get(r, "status")) else get(r, "status") for r in rows]
    out["operating"] = [s == "operating" for s in status]
    out["closed"] = [s == "closed" for s in status]
    out["status_unknown"] = [s == "unknown" for s in status]
    out["policies"] = [bool(split_codes(get(r, "policies"))) for r in rows]
    out["zones"] = [frozenset(([s] if isinstance(s := get(r, "subdistrict"), str) else [])
                              + (list(c) if isinstance(c := get(r, "clusters"), (list, tuple)) else [])) for r in rows]
    out["has_industry"] = [any(h) for h in out["industries"]]
    out["has_facilities"] = [any(h) for h in out["facilities"]]
    return out


def _assert_same(cands, frame) -> None:
    ref = _reference(frame)
    n = len(frame)
    assert len(cands) == n
    for key in ("layer", "total_kind"):
        np.testing.assert_array_equal(getattr(cands, key), np.array(ref[key], dtype=np.int64).reshape(n), err_msg=key)
    for key in ("industries", "facilities"):
        width = len(INDUSTRY if key == "industries" else FACILITY)
        np.testing.assert_array_equal(getattr(cands, key), np.array(ref[key], dtype=bool).reshape(n, width),
                                      err_msg=key)
    for key in ("has_industry", "has_facilities", "hk", "operating", "closed", "status_unknown", "policies"):
        assert getattr(cands, key).dtype == bool, key
        np.testing.assert_array_equal(getattr(cands, key), np.array(ref[key], dtype=bool).reshape(n), err_msg=key)
    for key in ("available", "floor", "rent", "total", "x", "y"):
        np.testing.assert_array_equal(getattr(cands, key), np.array(ref[key], dtype=float).reshape(n), err_msg=key)
    assert list(cands.zones) == ref["zones"]
    assert len({id(z) for z in cands.zones}) == len(set(ref["zones"]))  # one object per distinct set
    assert list(cands.frame.columns) == [c for c in ("id", "name_zh", "name_en", "layer") if c in frame.columns]
    assert cands.frame["id"].tolist() == frame["id"].tolist()


# ---- a messy frame -------------------------------------------------------------------------------

def _messy() -> gpd.GeoDataFrame:
    ids = ["a", "b", "c", "d", "e", "f", "g", "h", "d", "i"]  # "d" twice: a parent named "d" is the last one
    return gpd.GeoDataFrame({
        "id": ids,
        "name_zh": [f"载体{i}" for i in range(10)], "name_en": [f"Carrier {i}" for i in range(10)],
        "layer": ["science_parks", "incubators", "nonsense", None, "tech_buildings", "lowcost_spaces",
                  "research_platforms", np.nan, "professional_buildings", "incubators"],
        "industries": ["biomed", "biomed; ai", "", "  ", None, "unknown_code", "ai;ai;;ict ", np.nan, "quantum;bogus",
                       pd.NA],
        "facilities": ["wet_lab", "", None, "laboratory;clean_room", "bogus", "event_hall", np.nan, "pilot_line",
                       "wet_lab;wet_lab", " laboratory "],
        # f → c → a (a chain, the parent first), e → h (parent later), b → nowhere, g → d (the second "d"),
        # i → i (itself), h → 5 (not a string)
        "parent_id": [None, "zzz", "a", np.nan, "h", "c", "d", 5, None, "i"],
        "available_area_m2": [100.0, None, "300", "n/a", np.nan, 0.0, 5.0, 1e6, -1.0, "7"],
        "floor_area_m2": [np.nan, 2000.0, None, 10.0, np.nan, np.nan, 50.0, 80.0, np.nan, np.nan],
        "usable_area_m2": [np.nan, np.nan, 30.0, np.nan, 40.0, np.nan, np.nan, np.nan, np.nan, np.nan],
        "rent_cny_m2_month": [90.0, None, "abc", 120.0, np.nan, 60.0, 70.0, 80.0, 90.0, 100.0],
        "policies": [None, "", "talent", " ; ", np.nan, "rent_subsidy;", pd.NA, None, "x", None],
        "hk_link": [True, False, None, np.nan, True, False, False, True, False, False],
        "in_hetao": [False, True, False, None, False, False, np.nan, False, True, False],
        "status": ["operating", "closed", None, "planned", np.nan, "unknown", "operating", pd.NA, "closed", "operating"],
        "subdistrict": ["sub-1", None, "sub-1", np.nan, "sub-2", 7, "sub-2", "sub-1", None, "cl-1"],
        "clusters": [["cl-1"], [], ["cl-2", "cl-1"], None, ("cl-1",), ["cl-1", "cl-2"], [], np.nan, {"cl-1"}, []],
        "geometry": [Point(114.05, 22.54), None, EMPTY, Point(114.06, 22.53), Point(114.07, 22.55), None,
                     Point(114.02, 22.52), Point(114.03, 22.56), EMPTY, Point(114.04, 22.57)],
    }, geometry="geometry", crs=WGS84)


def test_candidate_arrays__a_messy_frame_reads_as_row_by_row():
    frame = _messy()
    cands = candidate_arrays(frame)
    _assert_same(cands, frame)
    f = list(FACILITIES)
    assert cands.facilities[5, f.index("wet_lab")]  # f → c → a: the chain passes a's wet lab down
    assert cands.facilities[4, f.index("pilot_line")]  # e takes h's own facilities (h comes later)


def test_candidate_arrays__a_later_parent_passes_on_only_its_own_facilities():
    frame = _messy().iloc[[5, 2, 0]].reset_index(drop=True)  # f, c, a: each parent after its child
    cands = candidate_arrays(frame)
    _assert_same(cands, frame)
    wet = list(FACILITIES).index("wet_lab")
    assert cands.facilities[1, wet] and not cands.facilities[0, wet]  # c has a's; f only c's own


def test_candidate_arrays__a_long_chain_of_parents():
    n = 80  # deeper than the vectorised passes: each carrier inside the one before it
    frame = gpd.GeoDataFrame({
        "id": [f"c{i}" for i in range(n)], "name_zh": "x", "name_en": "x", "layer": "incubators",
        "facilities": ["wet_lab" if i == 0 else "pilot_line" if i == 40 else None for i in range(n)],
        "parent_id": [None] + [f"c{i - 1}" for i in range(1, n)],
        "geometry": [Point(114.05, 22.54)] * n}, geometry="geometry", crs=WGS84)
    for order in (list(range(n)), list(range(n))[::-1]):
        shuffled = frame.iloc[order].reset_index(drop=True)
        _assert_same(candidate_arrays(shuffled), shuffled)


def test_candidate_arrays__other_crs_index_and_missing_columns():
    frame = _messy().to_crs(3857)
    frame.index = [f"r{i}" for i in range(len(frame))]
    _assert_same(candidate_arrays(frame), frame)
    bare = frame.drop(columns=["industries", "facilities", "parent_id", "policies", "hk_link", "in_hetao", "status",
                               "subdistrict", "clusters", "rent_cny_m2_month", "usable_area_m2"])
    _assert_same(candidate_arrays(bare), bare)
    metric = _messy().to_crs(METRIC_CRS)
    _assert_same(candidate_arrays(metric), metric)


def test_candidate_arrays__lon_lat_frame_without_geometry():
    frame = pd.DataFrame(_messy().drop(columns="geometry")).assign(
        lon=[114.05, None, "114.06", np.nan, 114.07, "x", 114.02, 114.03, 114.0, 114.04],
        lat=[22.54, 22.5, "22.53", 22.55, None, 22.5, 22.52, 22.56, 22.5, 22.57])
    _assert_same(candidate_arrays(frame), frame)


def test_candidate_arrays__string_and_categorical_columns():
    frame = _messy()
    for column in ("industries", "facilities", "policies", "status", "layer", "subdistrict"):
        frame[column] = frame[column].map(lambda v: v if isinstance(v, str) else None).astype("string")
    _assert_same(candidate_arrays(frame), frame)
    frame["layer"] = frame["layer"].astype("category")
    _assert_same(candidate_arrays(frame), frame)


def test_candidate_arrays__empty_frame():
    frame = _messy().iloc[:0]
    cands = candidate_arrays(frame)
    assert len(cands) == 0 and cands.industries.shape == (0, len(INDUSTRY)) and cands.zones.shape == (0,)


def test_candidate_arrays__polygons_are_refused_as_before():
    frame = _messy().iloc[:2].copy()
    frame.loc[frame.index[0], "geometry"] = Polygon([(114.0, 22.5), (114.1, 22.5), (114.1, 22.6)])
    with pytest.raises(ValueError):
        candidate_arrays(frame)


def test_candidate_arrays__chunks_join_to_the_whole():
    frame = _messy()
    whole = candidate_arrays(frame.iloc[:5])
    joined = concat_candidates([take_candidates(whole, [0, 1]), take_candidates(whole, [2, 3, 4])])
    for key in whole.__dataclass_fields__:
        a, b = getattr(whole, key), getattr(joined, key)
        assert a.equals(b) if key == "frame" else np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), key


# ---- random frames ------------------------------------------------------------------------------

_codes = st.lists(st.sampled_from(INDUSTRY[:4] + FACILITY[:4] + ["", " ", "bogus"]), max_size=3).map(";".join)
_value = st.one_of(_codes, st.none(), st.just(np.nan), st.just(pd.NA))


@st.composite
def _frames(draw):
    n = draw(st.integers(0, 12))
    ids = draw(st.lists(st.sampled_from([f"c{i}" for i in range(8)]), min_size=n, max_size=n))
    col = lambda strategy: draw(st.lists(strategy, min_size=n, max_size=n))  # noqa: E731
    geoms = col(st.one_of(st.none(), st.just(EMPTY), st.builds(Point, st.floats(113.8, 114.3), st.floats(22.4, 22.8))))
    return gpd.GeoDataFrame({
        "id": ids, "name_zh": ids, "name_en": ids,
        "layer": col(st.sampled_from(list(CARRIER_LAYERS) + ["x", None])),
        "industries": col(_value), "facilities": col(_value), "policies": col(_value),
        "parent_id": col(st.one_of(st.none(), st.sampled_from([f"c{i}" for i in range(9)]))),
        "available_area_m2": col(st.one_of(st.none(), st.floats(0, 1e5))),
        "floor_area_m2": col(st.one_of(st.none(), st.floats(0, 1e5))),
        "space_area_m2": col(st.one_of(st.none(), st.floats(0, 1e5))),
        "status": col(st.sampled_from(["operating", "closed", "unknown", "planned", None])),
        "hk_link": col(st.sampled_from([True, False, None])),
        "subdistrict": col(st.sampled_from(["s1", "s2", None])),
        "clusters": col(st.lists(st.sampled_from(["k1", "k2", "s1"]), max_size=2)),
        "geometry": geoms,
    }, geometry="geometry", crs=WGS84)


@settings(max_examples=80, deadline=None)
@given(frame=_frames())
def test_candidate_arrays__random_frames_read_as_row_by_row(frame):
    _assert_same(candidate_arrays(frame), frame)
