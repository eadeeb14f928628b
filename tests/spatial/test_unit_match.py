"""Unit-level matching: available units only, single units against the area range, the unit's rent,
stale units, and carriers without units ranked by their stated figures in the same list."""
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from spatial.match import UNKNOWN_CREDIT, Need, candidate_arrays, match
from spatial.match_explain import exclusion_summary
from spatial.unit_match import match_units, unit_candidate_arrays, unit_results_table

TODAY = date(2026, 6, 30)
NEED = Need(industry="biomed", area_min=800, area_max=1500, max_rent=150)

CARRIERS = gpd.GeoDataFrame({
    "id": ["park", "tower", "lab", "quiet", "full"],
    "name_zh": ["园区", "大楼", "孵化器", "低成本空间", "满租楼"],
    "name_en": ["Park", "Tower", "Lab", "Quiet", "Full"],
    "layer": ["science_parks", "tech_buildings", "incubators", "lowcost_spaces", "tech_buildings"],
    "industries": ["biomed", "biomed", "biomed", "biomed", "biomed"],
    "available_area_m2": [50.0, np.nan, 1_200.0, 2_000.0, 9_000.0],  # the park's stated 50 m²: its units decide
    "rent_cny_m2_month": [500.0, np.nan, np.nan, 80.0, 90.0],
    "status": ["operating"] * 5,
}, geometry=[Point(114.06, 22.53), Point(114.05, 22.54), Point(114.07, 22.52), Point(114.04, 22.53),
             Point(114.03, 22.54)], crs="EPSG:4326")


def _units(*rows) -> pd.DataFrame:
    cols = ("id", "carrier_id", "area_m2", "rent_asked_cny_m2_month", "status", "verified_on")
    frame = pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=list(cols))
    return frame.assign(unit_label=frame["id"].str.upper(), building="A", floor="3F", area_basis="gross",
                        use="lab", synthetic=False)


UNITS = _units(
    ("park-1", "park", 1_000.0, 110.0, "available", "2026-05-01"),
    ("park-2", "park", 1_000.0, 100.0, "reserved", "2026-05-01"),
    ("park-3", "park", 1_000.0, 100.0, "let", "2026-05-01"),
    ("park-4", "park", 1_000.0, 100.0, "withdrawn", "2026-05-01"),
    ("park-5", "park", 600.0, 100.0, "available", "2026-05-01"),  # two of them make 1,200: never combined
    ("park-6", "park", 600.0, 100.0, "available", "2026-05-01"),
    ("park-7", "park", 3_000.0, 100.0, "available", "2026-05-01"),  # above the maximum
    ("tower-1", "tower", 900.0, np.nan, "available", "2026-03-31"),  # rent unknown; verified 91 days ago
    ("tower-2", "tower", 1_200.0, 200.0, "available", "2026-06-01"),  # above the rent limit
    ("full-1", "full", 1_000.0, 90.0, "let", "2026-06-01"),  # a carrier whose every unit is let
)


@pytest.fixture(scope="module")
def carriers():
    return candidate_arrays(CARRIERS)


@pytest.fixture(scope="module")
def uc(carriers):
    return unit_candidate_arrays(carriers, UNITS)


@pytest.fixture(scope="module")
def ranked(uc):
    result = match_units(uc, NEED, top=10)
    return result, {r["unit_id"] or r["carrier_id"]: r for r in unit_results_table(uc, result, today=TODAY)}


def test_unit_candidates__available_units_and_carriers_without_units_only(uc):
    # reserved, let and withdrawn units are never rows; a carrier listing units is no row of its own
    assert sorted(uc.key) == ["lab", "park-1", "park-5", "park-6", "park-7", "quiet", "tower-1", "tower-2"]
    assert uc.is_unit.sum() == 6


def test_match_units__ranks_units_and_unitless_carriers_in_one_list(ranked):
    result, rows = ranked
    assert set(rows) == {"park-1", "tower-1", "lab", "quiet"}
    for key, row in rows.items():
        assert row["id"] == row["carrier_id"]
        assert row["level"] == ("unit" if "-" in key else "carrier")
        assert (row["unit_id"] is None) == (row["level"] == "carrier")
    assert rows["park-1"]["carrier_id"] == "park" and rows["park-1"]["area_m2"] == 1_000.0
    assert rows["park-1"]["rent_asked_cny_m2_month"] == 110.0 and rows["park-1"]["status"] == "available"
    assert rows["lab"]["unit_label"] is None and rows["lab"]["stale"] is None and rows["lab"]["area_m2"] is None


def test_match_units__single_units_against_the_area_range_and_the_units_rent(ranked):
    result, _ = ranked
    reasons = exclusion_summary(result)
    assert reasons["unit smaller than the 800 m² needed (units are not combined)"] == 2
    assert reasons["unit larger than the 1,500 m² maximum"] == 1
    assert reasons["rent > 150 CNY/m²/month"] == 1  # tower-2's asking rent; the park's stated 500 is not asked
    adds = {m["relax"]: m["adds"] for m in result.near_misses}
    assert adds == {"unit_area": 2, "unit_area_max": 1, "rent": 1}


def test_match_units__unknown_rent_flagged_with_partial_credit_not_excluded(ranked):
    _, rows = ranked
    tower = rows["tower-1"]
    assert "rent unknown — confirm with the operator" in tower["flags"]
    assert tower["breakdown"]["cost"]["value"] is None
    assert tower["breakdown"]["cost"]["points"] == pytest.approx(tower["breakdown"]["cost"]["max_points"]
                                                                 * UNKNOWN_CREDIT, abs=0.1)


def test_match_units__stale_when_verified_more_than_90_days_before_today(ranked, uc):
    _, rows = ranked
    assert rows["tower-1"]["stale"] is True and rows["tower-1"]["verified_on"] == "2026-03-31"
    assert rows["park-1"]["stale"] is False
    later = unit_results_table(uc, match_units(uc, NEED, top=10), today=date(2026, 6, 29))
    assert {r["unit_id"]: r["stale"] for r in later}["tower-1"] is False  # 90 days: not yet


def test_match_units__carriers_without_units_score_as_in_carrier_matching(ranked, carriers, uc):
    result, rows = ranked
    by_carrier = match(carriers, NEED, top=10)
    ids = list(CARRIERS["id"])
    for cid in ("lab", "quiet"):
        row = int(np.flatnonzero(uc.key == cid)[0])
        assert result.score[row] == by_carrier.score[ids.index(cid)]
        assert rows[cid]["breakdown"]["area"]["value"] == 1.0  # by the stated available area


def test_match_units__a_carrier_whose_units_are_all_let_is_not_offered(ranked):
    _, rows = ranked
    assert "full" not in rows and not any(r["carrier_id"] == "full" for r in rows.values())


def test_match_units__carrier_criteria_reach_its_units(uc):
    result = match_units(uc, Need(industry="ict", area_min=800), top=10)
    assert not result.passing.any()
    assert exclusion_summary(result)["no next-generation ict or related sector"] == len(uc)


def test_match_units__ties_by_id_and_the_same_every_run(uc):
    need = Need(area_min=100)
    first = [r["unit_id"] or r["carrier_id"] for r in unit_results_table(uc, match_units(uc, need), today=TODAY)]
    again = [r["unit_id"] or r["carrier_id"] for r in unit_results_table(uc, match_units(uc, need), today=TODAY)]
    assert first == again
    scores = {k: s for k, s in zip(uc.key, match_units(uc, need).score)}
    for a, b in zip(first, first[1:]):
        assert scores[a] > scores[b] or (scores[a] == scores[b] and a < b)


def test_unit_candidates__given_has_units_overrides_the_units_frame(carriers):
    # the database pre-filter passes only some units: whether a carrier lists units comes separately
    has = np.array([True, True, False, False, True])
    uc = unit_candidate_arrays(carriers, UNITS.iloc[:1], has_units=has)
    assert sorted(uc.key) == ["lab", "park-1", "quiet"]
