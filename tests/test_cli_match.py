"""The match command's contract: the exact example, --spaces files, errors."""
import json

import pytest

from geodata.storage import read_layer
from tests.test_cli import run_cli

EXAMPLE = ["match", "--industry", "生物医药", "--area", "800-1500", "--max-rent", "150", "--near", "皇岗口岸",
           "--within-km", "3", "--needs", "wet_lab", "--stage", "startup", "--top", "5", "--json"]


def test_match__example_command_json_contract(store):
    out = run_cli(*EXAMPLE, store=store)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= {"results", "excluded_count", "exclusion_reasons", "near_misses"}
    for r in data["results"]:
        assert set(r) >= {"rank", "id", "name_zh", "name_en", "layer", "score", "breakdown", "flags"}
        assert 0 <= r["score"] <= 100
    assert data["exclusion_reasons"]["farther than 3 km from 皇岗口岸"] > 0
    assert data["excluded_count"] + len(data["results"]) <= data["candidates"]


def test_match__nothing_fits_exits_0_with_reasons(store):
    out = run_cli("match", "--industry", "quantum", "--near", "福田口岸", "--within-km", "0.1", "--json", store=store)
    assert out.returncode == 0
    data = json.loads(out.stdout)
    assert data["results"] == [] and data["exclusion_reasons"] and data["near_misses"]


@pytest.mark.parametrize(("args", "message"), [
    (["--industry", "teleportation"], "unknown industry 'teleportation'; valid: ict (新一代信息技术)"),
    (["--area", "1500-800"], "area minimum 1500 m² is larger than the maximum 800 m²"),
    (["--max-rent", "-5"], "max rent must be a non-negative number"),
    (["--near", "火星"], "unknown place '火星'"),
    (["--area=-800-1500"], "--area must be MIN-MAX, MIN-, -MAX or MIN in m² (non-negative)"),
    (["--within-km", "2"], "a distance limit needs a place"),
    (["--weights", "luck=5"], "unknown weight 'luck'"),
])
def test_match__invalid_input_exits_2_one_line(store, args, message):
    out = run_cli("match", *args, store=store)
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("suffix", [".geojson", ".csv", ".gpkg"])
def test_match__spaces_file(store, tmp_path, suffix):
    parks = read_layer("science_parks", store).assign(layer="science_parks")
    path = tmp_path / f"spaces{suffix}"
    if suffix == ".csv":
        table = parks.drop(columns="geometry").assign(lon=parks.geometry.x, lat=parks.geometry.y)
        table.to_csv(path, index=False)
    elif suffix == ".geojson":
        parks.to_file(path, driver="GeoJSON")
    else:
        parks.to_file(path, layer="science_parks", driver="GPKG")
    out = run_cli("match", "--industry", "quantum", "--top", "3", "--spaces", str(path), "--json", store=store)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["candidates"] == len(parks)
    assert data["results"][0]["id"] == "sp-quantum"


def test_match__unreadable_spaces_file(store, tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_text("nope")
    out = run_cli("match", "--spaces", str(bad), store=store)
    assert out.returncode == 2 and "unsupported spaces file" in out.stderr


def test_pool__csv_import_all_or_nothing(store_copy, tmp_path):
    own = store_copy
    good = tmp_path / "needs.csv"
    good.write_text("name,industry,area,near,within_km,stage,needs\n"
                    "生物医药初创,生物医药,800-1500,皇岗口岸,4,startup,wet_lab\n"
                    "量子研究院,quantum,,,,research_institute,\n", "utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,industry,area\nok,ai,100-200\nbroken,teleport,\nworse,ai,900-100\n", "utf-8")
    out = run_cli("pool", "--import", str(bad), "--json", store=own)
    assert out.returncode == 1
    data = json.loads(out.stdout)
    assert data["committed"] is False and [r["row"] for r in data["rejected"]] == [3, 4]
    assert "unknown industry 'teleport'" in data["rejected"][0]["reason"]
    assert read_layer("demand_pool", own).empty  # nothing saved
    out = run_cli("pool", "--import", str(good), "--json", store=own)
    assert out.returncode == 0 and json.loads(out.stdout)["accepted"] == 2
    assert read_layer("demand_pool", own)["name"].tolist() == ["生物医药初创", "量子研究院"]
