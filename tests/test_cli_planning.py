"""The progress and tally CLI contracts, run as subprocesses against a copy of the store."""
import json

import pandas as pd
import pytest

from tests.helpers import fingerprint
from tests.test_cli import run_cli

PROGRESS_KEYS = {"goal_m2", "goal_year", "latest_reported", "ledger_total_m2", "pct_of_goal_reported",
                 "required_m2_per_year", "historical_m2_per_year", "projected_year_reaching_goal",
                 "reached_by_deadline", "pace_between_reports", "what_if", "count_targets", "ledger_external_m2"}


def _progress(store) -> dict:
    out = run_cli("progress", "--json", "--today", "2026-11-22", store=store)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_progress__json_contract(store):
    data = _progress(store)
    assert PROGRESS_KEYS <= set(data)
    assert (data["goal_m2"], data["goal_year"]) == (1_500_000, 2025)
    latest = data["latest_reported"]
    assert (latest["date"], latest["date_precision"]) == ("2023-10-16", "reported_by")  # no later than 2023-10-16
    assert (latest["area_m2"], latest["measure"]) == (760_000, "sci_incubation_total")
    assert latest["source"].startswith("004_702993072d9d00c1.txt")
    # the ledger holds only the plan's carrier types: 华强北国际创客中心's 5,000 m² [ext]
    assert data["ledger_total_m2"] == 5_000 and data["ledger_external_m2"] == 5_000
    assert data["pct_of_goal_reported"] == pytest.approx(50.667, abs=1e-3)
    assert data["required_m2_per_year"] == pytest.approx(740_000 / (807 / 365.25))
    # the three reports are three different measures: no pace between like measures, no projection
    assert data["historical_m2_per_year"] is None and data["projected_year_reaching_goal"] is None
    assert [(p["from_measure"], p["to_measure"], p["like"]) for p in data["pace_between_reports"]] == [
        ("incubators_makerspaces_area", "incubation_area_total", False),
        ("incubation_area_total", "sci_incubation_total", False)]
    assert data["deadline_passed"] is True
    assert data["reached_by_deadline"] is None  # no figure of the goal's measure (科技培育空间)


def test_progress__json_what_if_and_count_targets(store):
    data = _progress(store)
    what_if = data["what_if"]  # neither 2023 plan is incubation area: nothing is added to the 76万
    assert what_if["additions"] == [] and what_if["added_m2"] == 0 and what_if["total_m2"] == 760_000
    assert [a["id"] for a in what_if["not_added"]] == ["add-2023-tech-buildings", "add-2023-hetao"]
    counts = {c["indicator"]: c for c in data["count_targets"]}
    assert set(counts) == {"incubators", "national_makerspaces", "city_makerspaces", "innovation_carriers",
                           "high_tech_enterprises"}
    high_tech = counts["high_tech_enterprises"]  # 001 表1: 1,313 (2020) → 2,000; 004: 1,503 in 2023
    assert (high_tech["baseline"]["value"], high_tech["latest"]["value"], high_tech["targets"]) == (
        1313, 1503, [{"year": 2025, "value": 2000}])
    assert (counts["incubators"]["baseline"]["value"], counts["incubators"]["latest"]["value"]) == (4, 6)
    assert counts["city_makerspaces"]["latest"]["value"] == 28 and counts["city_makerspaces"]["targets"] == [
        {"year": 2025, "value": 30}]
    assert [t["value"] for t in counts["innovation_carriers"]["targets"]] == [400, 500]


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


ROW_KEYS = {"unit", "count", "land_area_m2", "floor_area_m2", "usable_area_m2", "space_area_m2",
            "space_area_m2_known", "incubation_area_m2", "available_area_m2", "zone_placed"}
TOTALS = {"count": 55, "zone_placed": 31, "floor_area_m2": 998_086.6, "usable_area_m2": 33_000,
          "space_area_m2": 75_000}  # floor: 6 parks; space: 华强北 ≥40,000 + 金融科技城 ≈30,000 + 创客中心 5,000


@pytest.mark.parametrize("by", ["subdistrict", "cluster", "hetao", "layer", "industry"])
def test_tally__json_contract(store, by):
    out = run_cli("tally", "--by", by, "--json", store=store)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["rows"] and all(ROW_KEYS <= set(r) for r in data["rows"])
    assert ROW_KEYS - {"unit"} <= set(data["total"])
    for key, value in TOTALS.items():
        assert data["total"][key] == pytest.approx(value), key
    # external: 深港开放创新中心 200,000, 河套壹号 100,000, 福鹏 37,000 (floor); 创客中心 5,000 (space)
    assert data["total"]["external_m2"]["floor_area_m2"] == 337_000
    assert data["total"]["external_m2"]["space_area_m2"] == 5_000
    if by in ("subdistrict", "hetao", "layer"):  # partitions: rows add up to the total
        for key, value in TOTALS.items():
            assert sum(r[key] or 0 for r in data["rows"]) == pytest.approx(value), key


def test_tally__layer_rows(store):
    rows = {r["unit"]: r for r in json.loads(run_cli("tally", "--by", "layer", "--json", store=store).stdout)["rows"]}
    assert rows["lowcost_spaces"]["space_area_m2"] == 70_000  # 40,000 + 30,000: the centres inside are not recounted
    assert rows["lowcost_spaces"]["floor_area_m2"] is None  # space provided is not gross floor area
    assert rows["tech_buildings"]["floor_area_m2"] is None  # unknown, not 0
    assert rows["science_parks"]["name_zh"] == "科技园区"
    assert (rows["science_parks"]["count"], rows["research_platforms"]["count"]) == (19, 12)
    assert rows["professional_buildings"]["count"] == 5


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
