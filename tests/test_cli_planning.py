"""The progress and tally CLI contracts, run as subprocesses against a copy of the store."""
import json

import pandas as pd
import pytest

from tests.helpers import fingerprint
from tests.test_cli import run_cli

PROGRESS_KEYS = {"goal_m2", "goal_year", "latest_reported", "ledger_total_m2", "pct_of_goal_reported",
                 "required_m2_per_year", "historical_m2_per_year", "projected_year_reaching_goal"}


def test_progress__json_contract(store):
    out = run_cli("progress", "--json", "--today", "2026-11-22", store=store)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert PROGRESS_KEYS <= set(data)
    assert (data["goal_m2"], data["goal_year"]) == (1_500_000, 2025)
    assert data["latest_reported"]["date"] == "2023-10-16"
    assert data["latest_reported"]["area_m2"] == 760_000
    assert data["latest_reported"]["source"].startswith("004_702993072d9d00c1.txt")
    assert data["ledger_total_m2"] == 75_000
    assert data["pct_of_goal_reported"] == pytest.approx(50.667, abs=1e-3)
    assert data["required_m2_per_year"] == pytest.approx(740_000 / (807 / 365.25))
    assert data["historical_m2_per_year"] == pytest.approx(550_000 / (1233 / 365.25))
    assert data["projected_year_reaching_goal"] == 2028
    assert data["deadline_passed"] is True


def test_progress__set_goal_is_stored_and_in_force(store_copy):
    copy = store_copy
    out = run_cli("progress", "--json", "--today", "2026-11-22", "--set-goal", "2000000", "--goal-year", "2030",
                  "--reason", "next five-year plan", "--by", "planner-li", store=copy)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert (data["goal_m2"], data["goal_year"], data["deadline_passed"]) == (2_000_000, 2030, False)
    assert "planner-li" in data["goal_source"]
    again = json.loads(run_cli("progress", "--json", "--today", "2026-11-22", store=copy).stdout)
    assert again["goal_year"] == 2030  # stored, not a flag of one run


@pytest.mark.parametrize("args,message", [
    (["--set-goal", "2000000"], "--set-goal and --goal-year go together"),
    (["--set-goal", "-5", "--goal-year", "2030", "--reason", "x"], "positive area"),
    (["--set-goal", "2000000", "--goal-year", "1830", "--reason", "x"], "between 2000 and 2100"),
    (["--set-goal", "2000000", "--goal-year", "2030"], "reason"),
    (["--what-if", "add-nothing"], "unknown planned addition"),
    (["--today", "yesterday"], "--today must be a date"),
])
def test_progress__bad_input_exits_2_one_line(store_copy, args, message):
    copy = store_copy
    before = fingerprint(copy)
    out = run_cli("progress", *args, store=copy)
    assert out.returncode == 2
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert fingerprint(copy) == before


ROW_KEYS = {"unit", "count", "land_area_m2", "floor_area_m2", "incubation_area_m2", "available_area_m2"}


@pytest.mark.parametrize("by", ["subdistrict", "cluster", "hetao", "layer", "industry"])
def test_tally__json_contract(store, by):
    out = run_cli("tally", "--by", by, "--json", store=store)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["rows"] and all(ROW_KEYS <= set(r) for r in data["rows"])
    assert ROW_KEYS <= set(data["total"])
    assert data["total"]["count"] == 32
    assert data["total"]["floor_area_m2"] == pytest.approx(1_106_086.6)
    if by in ("subdistrict", "hetao", "layer"):  # partitions: rows add up to the total
        assert sum(r["count"] for r in data["rows"]) == 32
        assert sum(r["floor_area_m2"] or 0 for r in data["rows"]) == pytest.approx(1_106_086.6)


def test_tally__layer_rows(store):
    rows = {r["unit"]: r for r in json.loads(run_cli("tally", "--by", "layer", "--json", store=store).stdout)["rows"]}
    assert rows["lowcost_spaces"]["floor_area_m2"] == 70_000  # 40,000 + 30,000: the centres inside are not recounted
    assert rows["tech_buildings"]["floor_area_m2"] is None  # unknown, not 0
    assert rows["science_parks"]["name_zh"] == "科技园区"


def test_tally__xlsx_has_units_in_headers_and_a_sources_sheet(store, tmp_path):
    out_file = tmp_path / "tally.xlsx"
    out = run_cli("tally", "--by", "subdistrict", "--out", str(out_file), store=store)
    assert out.returncode == 0, out.stderr
    sheets = pd.read_excel(out_file, sheet_name=None)
    assert set(sheets) == {"tally", "sources"}
    assert "建筑面积(㎡)" in sheets["tally"].columns
    assert sheets["tally"].iloc[-1]["单元"] == "合计"
    sources = sheets["sources"]
    blackark = sources.loc[sources["载体编号"] == "lc-blackark"].iloc[0]
    assert blackark["计入合计"].startswith("否") and "002_635bc10e86bc4f57.txt" in blackark["来源"]


def test_tally__bad_input(store, tmp_path):
    out = run_cli("tally", "--by", "street", store=store)
    assert out.returncode == 2 and "invalid choice" in out.stderr
    out = run_cli("tally", "--by", "layer", "--out", str(tmp_path / "x.pdf"), store=store)
    assert out.returncode == 2 and ".csv or .xlsx" in out.stderr


def test_tally__spreadsheet_cells_that_would_run_as_formulas_are_neutralised(store_copy, tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    from geodata.storage import read_layer, replace_layers

    copy = store_copy
    incubators = read_layer("incubators", copy)
    evil = gpd.GeoDataFrame({
        "id": ["inc-formula"], "layer": ["incubators"], "name_zh": ["=HYPERLINK(\"http://x\")"],
        "name_en": ["@SUM(A1)"], "accuracy_m": [100.0], "location_basis": ["area"], "status": ["operating"],
        "source": ["test"], "hk_link": [False], "floor_area_m2": [100.0], "floor_area_source": ["+1 evil"],
    }, geometry=[Point(114.0520, 22.5400)], crs="EPSG:4326")
    replace_layers({"incubators": gpd.GeoDataFrame(pd.concat([incubators, evil], ignore_index=True),
                                                   geometry="geometry", crs="EPSG:4326")}, copy)
    for lang, name_col, src_col in (("zh", "载体", "来源"), ("en", "Carrier", "Source")):
        out_file = tmp_path / f"t-{lang}.xlsx"
        assert run_cli("tally", "--by", "layer", "--out", str(out_file), "--lang", lang, store=copy).returncode == 0
        sources = pd.read_excel(out_file, sheet_name="sources")
        row = sources.loc[sources[name_col].astype(str).str.contains("HYPERLINK|SUM")].iloc[0]
        assert row[name_col] in ("'=HYPERLINK(\"http://x\")", "'@SUM(A1)")
        assert row[src_col] == "'+1 evil"
