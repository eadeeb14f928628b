"""Fuzzing the importer: whatever the bytes, a clear error or a plan — never another exception,
and the store never changes during planning."""
from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata.ingest.importer import plan_import
from geodata.storage import read_all
from tests.helpers import fingerprint
from spatial.errors import SpaceMapError

SUFFIXES = (".csv", ".xlsx", ".geojson", ".gpkg", ".zip")
HEADER = "编号,名称,英文名称,建筑面积,可租面积,租金,经度,纬度,状态,涉港"


@pytest.fixture(scope="module")
def fuzz_store(backend, session_store, tmp_path_factory, request):
    if backend == "postgis":
        from tests.conftest import new_database

        path = new_database(request.getfixturevalue("pg_cluster"))
    else:
        path = tmp_path_factory.mktemp("fuzz") / "s.gpkg"
        shutil.copy(session_store, path)
    return path, read_all(path), fingerprint(path)


def _plan_or_clear_error(path, frames):
    try:
        return plan_import(path, "incubators", frames)
    except SpaceMapError as exc:
        assert str(exc) and "\n" not in str(exc).strip()
        return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4000), suffix=st.sampled_from(SUFFIXES))
def test_plan_import__random_bytes(tmp_path_factory, fuzz_store, data, suffix):
    path = tmp_path_factory.mktemp("b") / f"f{suffix}"
    path.write_bytes(data)
    _plan_or_clear_error(path, fuzz_store[1])
    assert fingerprint(fuzz_store[0]) == fuzz_store[2]


cell = st.one_of(st.text(max_size=12), st.floats(allow_nan=True, allow_infinity=True).map(repr),
                 st.integers(min_value=-10**30, max_value=10**30).map(str), st.sampled_from(["", "真", "否", "1e999"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, min_size=10, max_size=10), min_size=1, max_size=8))
def test_plan_import__wrong_types_and_huge_numbers(tmp_path_factory, fuzz_store, rows):
    import csv

    path = tmp_path_factory.mktemp("c") / "f.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER.split(","))
        writer.writerows(rows)
    plan = _plan_or_clear_error(path, fuzz_store[1])
    if plan is not None:
        assert len(plan.accepted_rows) + len({r.row for r in plan.rejected}) == plan.total_rows
        for value in plan.accepted["floor_area_m2"].dropna():
            assert 0 <= value < float("inf")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(min_value=0.05, max_value=0.95), suffix=st.sampled_from((".xlsx", ".gpkg", ".zip")))
def test_plan_import__truncated_files(tmp_path_factory, fuzz_store, cut, suffix):
    import zipfile

    import pandas as pd
    import pyogrio
    from shapely.geometry import Point

    import geopandas as gpd

    folder = tmp_path_factory.mktemp("t")
    good = folder / f"good{suffix}"
    frame = gpd.GeoDataFrame({"id": ["t1"], "name_zh": ["截断"], "name_en": ["Cut"]}, geometry=[Point(114.085, 22.545)],
                             crs="EPSG:4326")
    if suffix == ".xlsx":
        pd.DataFrame({"名称": ["截断"], "经度": [114.085], "纬度": [22.545]}).to_excel(good, index=False)
    elif suffix == ".gpkg":
        pyogrio.write_dataframe(frame, good, driver="GPKG")
    else:
        pyogrio.write_dataframe(frame, folder / "s.shp")
        with zipfile.ZipFile(good, "w") as zf:
            for f in folder.glob("s.*"):
                zf.write(f, f.name)
    data = good.read_bytes()
    bad = folder / f"bad{suffix}"
    bad.write_bytes(data[: max(1, int(len(data) * cut))])
    _plan_or_clear_error(bad, fuzz_store[1])
    assert fingerprint(fuzz_store[0]) == fuzz_store[2]


def test_plan_import__empty_and_header_only(tmp_path, fuzz_store):
    for name, content in (("e.csv", b""), ("h.csv", HEADER.encode()), ("blank.csv", b"\n\n\n")):
        path = tmp_path / name
        path.write_bytes(content)
        assert _plan_or_clear_error(path, fuzz_store[1]) is None
