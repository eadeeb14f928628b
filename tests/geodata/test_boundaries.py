"""On the real district boundaries, the importer's row check, the validator and the scope filter
agree on what is inside Futian and inside Shenzhen, and one row never fails a whole import."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point
from shapely.ops import nearest_points

from geodata.ingest.importer import plan_import
from geodata.ingest.schema import coerce_frame
from geodata.ingest.validate import validate_frames
from geodata.stewardship.commits import commit_import
from geodata.storage import read_all, read_layer
from layers.catalogue import get_layer
from spatial.crs import METRIC_CRS, WGS84
from spatial.scope import in_scope, inside_futian, inside_shenzhen
from tests.conftest import location_env

HEADER = "编号,名称,英文名称,地址,建筑面积,经度,纬度"
SEEDS = {"hk": (114.045, 22.495),      # across the Shenzhen River: ~926 m beyond Futian and the city
         "luohu": (114.11, 22.55)}     # in Luohu: ~1,088 m beyond Futian, inside Shenzhen
CASES = {  # name: (seed, metres beyond Futian's boundary; negative: inside)
    "futian_20m_in": ("hk", -20.0), "hk_45m": ("hk", 45.0), "hk_55m": ("hk", 55.0), "hk_70m": ("hk", 70.0),
    "hk_95m": ("hk", 95.0), "hk_105m": ("hk", 105.0), "hk_300m": ("hk", 300.0),
    "luohu_45m": ("luohu", 45.0), "luohu_55m": ("luohu", 55.0), "luohu_70m": ("luohu", 70.0),
}
IN_FUTIAN = {"futian_20m_in", "hk_45m", "luohu_45m"}
IN_SHENZHEN = set(CASES) - {"hk_105m", "hk_300m"}


@pytest.fixture(scope="module")
def points(frames) -> gpd.GeoSeries:
    """Each case's point: along the line from a seed to its nearest point on Futian's boundary."""
    futian = frames["district"].to_crs(METRIC_CRS).union_all()
    out = {}
    for name, (seed, beyond) in CASES.items():
        s = gpd.GeoSeries([Point(*SEEDS[seed])], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
        edge = nearest_points(futian.boundary, s)[0]
        ux, uy = (s.x - edge.x) / edge.distance(s), (s.y - edge.y) / edge.distance(s)
        out[name] = Point(edge.x + beyond * ux, edge.y + beyond * uy)
    metric = gpd.GeoSeries(out, crs=METRIC_CRS)
    beyond = np.array([b for _, b in CASES.values()])
    assert metric.distance(futian)[beyond > 0].to_numpy() == pytest.approx(beyond[beyond > 0], abs=0.01)
    assert metric.within(futian)[beyond < 0].all() and (metric.distance(futian.boundary)[beyond < 0] > 19).all()
    return metric.to_crs(WGS84)


def _csv(path: Path, points: gpd.GeoSeries, names) -> Path:
    rows = [f"b-{name},边界{i},Edge {name},福田,1000,{points[name].x:.9f},{points[name].y:.9f}"
            for i, name in enumerate(names)]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_inside_shenzhen__real_boundaries_hk_side_and_inland(points, frames):
    assert set(points.index[inside_futian(points, frames["district"])]) == IN_FUTIAN
    city = inside_shenzhen(points, frames["district"], frames["shenzhen_districts"])
    assert set(points.index[city]) == IN_SHENZHEN


def test_validate_frames__agrees_with_scope_and_importer(points, frames, store_copy, tmp_path):
    names = list(CASES)
    carriers = gpd.GeoDataFrame({"id": [f"b-{n}" for n in names], "layer": "incubators", "name_zh": names,
                                 "name_en": names, "location_basis": "address", "status": "unknown",
                                 "source": "test", "hk_link": False}, geometry=points[names].to_numpy(), crs=WGS84)
    carriers = gpd.GeoDataFrame(coerce_frame(carriers, get_layer("incubators"))[0], geometry="geometry", crs=WGS84)
    problems = validate_frames({"district": frames["district"], "shenzhen_districts": frames["shenzhen_districts"],
                                "incubators": carriers})
    refused = {p.feature_id.removeprefix("b-") for p in problems}
    assert refused == set(CASES) - IN_SHENZHEN
    assert {p.message for p in problems} == {"outside Shenzhen (no context flag)"}

    scoped = in_scope(carriers, frames["district"], "futian")
    assert set(np.array(names)[scoped]) == IN_FUTIAN

    plan = plan_import(_csv(tmp_path / "edge.csv", points, names), "incubators", read_all(store_copy))
    assert {plan.accepted["id"].iloc[i].removeprefix("b-") for i in range(len(plan.accepted))} == IN_SHENZHEN
    assert {(r.row, r.field, r.reason) for r in plan.rejected} == {
        (2 + names.index(n), "lon/lat", "outside Shenzhen (check the coordinates and the CRS)")
        for n in set(CASES) - IN_SHENZHEN}
    outside_futian = len(IN_SHENZHEN - IN_FUTIAN)
    assert f"{outside_futian} accepted row(s) lie in Shenzhen outside Futian: they show when the scope is all " \
           "of Shenzhen" in plan.notes
    commit_import(plan, who="t", path=store_copy)  # what the row check accepted, the validator accepts
    stored = read_layer("incubators", store_copy)
    assert {i.removeprefix("b-") for i in stored["id"] if i.startswith("b-")} == IN_SHENZHEN


def test_commit_import__one_row_70m_outside_futian_across_the_river(points, store_copy, tmp_path):
    """Was: accepted by the importer (500 m), refused by the validator (1 m): exit 2, nothing imported."""
    plan = plan_import(_csv(tmp_path / "one.csv", points, ["hk_70m"]), "incubators", read_all(store_copy))
    assert plan.rejected == [] and plan.added == ["b-hk_70m"]
    assert "1 accepted row(s) lie in Shenzhen outside Futian: they show when the scope is all of Shenzhen" \
        in plan.notes
    assert commit_import(plan, who="t", path=store_copy)["added"] == 1
    row = read_layer("incubators", store_copy).set_index("id").loc["b-hk_70m"]
    assert row.geometry.distance(points["hk_70m"]) < 1e-8
    assert not in_scope(gpd.GeoDataFrame(geometry=[row.geometry], crs=WGS84), read_all(store_copy)["district"],
                        "futian")[0]


def test_cli_import__row_300m_outside_shenzhen_rejected_the_others_commit(points, store_copy, tmp_path):
    csv = _csv(tmp_path / "mixed.csv", points, ["futian_20m_in", "hk_300m", "luohu_70m"])
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(repo / "cli.py"), "import", str(csv), "--layer", "incubators",
                          "--by", "test"], capture_output=True, text=True, timeout=180,
                         env={**os.environ, **location_env(store_copy)})
    assert out.returncode == 1, out.stderr  # rows were rejected; the rest was written
    assert "3 rows, 2 accepted (2 new, 0 changed, 0 unchanged), 1 rejected" in out.stdout
    assert "row 3: lon/lat: outside Shenzhen (check the coordinates and the CRS)" in out.stdout
    assert out.stdout.strip().endswith("committed")
    ids = set(read_layer("incubators", store_copy)["id"])
    assert {"b-futian_20m_in", "b-luohu_70m"} <= ids and "b-hk_300m" not in ids
