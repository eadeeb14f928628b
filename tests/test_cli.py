"""The CLI contracts, run as a user would: a subprocess per command."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geodata.storage.migrations import LATEST
from tests.conftest import location_env

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args, store, stdin: str | None = None):
    env = {**os.environ, **location_env(store)}
    env.pop("SPACEMAP_DEBUG", None)
    return subprocess.run([sys.executable, str(REPO / "cli.py"), *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=120, input=stdin)


def test_layers__json_lists_every_layer_with_counts_and_stated_sums(store):
    out = run_cli("layers", "--json", store=store)
    assert out.returncode == 0, out.stderr
    layers = {row["key"]: row for row in json.loads(out.stdout)["layers"]}
    counts = {"science_parks": 19, "tech_buildings": 2, "lowcost_spaces": 9, "incubators": 8,
              "research_platforms": 12, "professional_buildings": 5}  # 55 carriers in six layers
    assert {k: layers[k]["feature_count"] for k in counts} == counts
    assert layers["science_parks"]["title_zh"] == "科技园区"
    for catalogue in ("sources", "count_targets", "reported_counts", "accounts"):
        assert catalogue in layers, catalogue
    assert layers["sources"]["feature_count"] == 6 and layers["count_targets"]["feature_count"] == 11
    # the 华强北 and 金融科技城 figures are space provided, not gross floor area
    space = layers["lowcost_spaces"]["stated_areas_m2"]["space_area_m2"]
    assert space["sum"] == 70_000.0 and space["within_parent"] == 2  # 40,000 + 30,000; children not twice
    assert layers["lowcost_spaces"]["stated_areas_m2"]["floor_area_m2"]["sum"] is None
    assert layers["tech_buildings"]["stated_areas_m2"]["floor_area_m2"]["sum"] is None
    parks = layers["science_parks"]["stated_areas_m2"]
    assert parks["floor_area_m2"]["sum"] == pytest.approx(998_086.6)  # 400,000+230,000+31,086.6+200,000+100,000+37,000
    assert parks["usable_area_m2"]["sum"] == 33_000.0  # 量子研究院: 建筑使用面积


def test_validate__clean_store_exits_0(store):
    out = run_cli("validate", store=store)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "OK" in out.stdout


def test_validate__problems_exit_1_and_name_layer_id_field_value(store_copy):
    from geodata.storage import open_store, read_layer

    broken = store_copy  # bad values written past the validation, as an outside tool could
    for layer, column, fid, value in [("science_parks", "land_area_m2", "sp-quantum", -1.0),
                                      ("incubators", "industries", "inc-hax", "teleportation")]:
        frame = read_layer(layer, broken)
        frame.loc[frame["id"] == fid, column] = value
        open_store(broken).write_layers({layer: frame})
    out = run_cli("validate", "--json", store=broken)
    assert out.returncode == 1
    problems = json.loads(out.stdout)["problems"]
    found = {(p["layer"], p["id"], p["field"], p["value"]) for p in problems}
    assert ("science_parks", "sp-quantum", "land_area_m2", -1.0) in found
    assert ("incubators", "inc-hax", "industries", "teleportation") in found


def test_area__hetao_json_in_square_metres(store):
    out = run_cli("area", "--layer", "hetao", "--json", store=store)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["crs"] == "EPSG:4547"
    by_id = {f["id"]: f for f in data["features"]}
    # 福田保税区 drawn east to the 皇岗 part so both ports lie inside: ≈ 1.69 km² against 1.35 official (SOURCES.md)
    assert by_id["hetao-sz-bonded"]["area_m2"] == pytest.approx(1_690_000, abs=10_000)
    assert by_id["hetao-sz-huanggang"]["area_m2"] == pytest.approx(1_670_000, rel=0.15)


def test_bundled_validate_and_store_commands(store):
    assert run_cli("validate", "--bundled", store=store).returncode == 0
    out = run_cli("store", "--json", store=store)
    assert out.returncode == 0 and json.loads(out.stdout)["schema_version"] == str(LATEST)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["area", "--layer", "nope"], "unknown layer 'nope'; known layers: district"),
        (["area", "--layer", "science_parks"], "has no polygons"),
        (["area"], "the following arguments are required: --layer"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_cli__bad_input_exits_2_with_one_line_and_no_traceback(store, args, message):
    out = run_cli(*args, store=store)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    assert len(out.stderr.strip().splitlines()) == 1


def test_cli__unreachable_database_is_a_clear_error():
    out = run_cli("layers", store="postgresql://nobody@127.0.0.1:1/none")
    assert out.returncode == 2
    assert "cannot connect to the database postgresql://nobody@127.0.0.1:1/none" in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_cli__unreadable_store_is_a_clear_error(tmp_path):
    bad = tmp_path / "junk.gpkg"
    bad.write_bytes(b"this is not a geopackage")
    out = run_cli("layers", store=bad)
    assert out.returncode == 2
    assert "cannot open the store" in out.stderr and "Traceback" not in out.stderr
