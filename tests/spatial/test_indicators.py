"""Economic indicators per unit: sums over years, flags, membership, occupancy, per-m² figures,
year on year, the not-placed row, the ranking and the 亿元楼 list — on small hand-computed frames."""
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from spatial.crs import METRIC_CRS
from spatial.indicators import (DISTRICT, NOT_PLACED, ROW_COLUMNS, TOTAL, YIYUAN_TAX_CNY, building_ranking,
                                enterprise_sums, indicators, membership, occupancy, qualification_flags, year_span,
                                yiyuan_buildings)
from spatial.tally import HETAO_INSIDE, HETAO_OUTSIDE, OUTSIDE, UNLOCATED

X0, Y0 = 500_000.0, 2_490_000.0  # EPSG:4547, Futian's neighbourhood
ON = date(2024, 6, 30)

# cluster A = [X0, X0+600] × [Y0, Y0+600], cluster B = [X0+400, X0+1600] × [Y0, Y0+600]: they overlap.
# subdistricts west = [X0, X0+1000), east = [X0+1000, X0+2000), both 1 km high.
ZONES = {
    "clusters": gpd.GeoDataFrame({"id": ["A", "B"]}, geometry=[box(X0, Y0, X0 + 600, Y0 + 600),
                                                               box(X0 + 400, Y0, X0 + 1600, Y0 + 600)], crs=METRIC_CRS),
    "subdistricts": gpd.GeoDataFrame({"id": ["west", "east"]}, geometry=[
        box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)], crs=METRIC_CRS),
    "hetao": gpd.GeoDataFrame({"id": ["sz-park", "hk-park"], "context": [False, True]},
                              geometry=[box(X0, Y0, X0 + 300, Y0 + 300), box(X0 + 1400, Y0, X0 + 1600, Y0 + 300)],
                              crs=METRIC_CRS),
    "district": gpd.GeoDataFrame({"id": ["district-440304"]}, geometry=[box(X0, Y0, X0 + 2000, Y0 + 1000)],
                                 crs=METRIC_CRS),
}
# c1: in A, west, Hetao; c2: in A and B, west; c3: in B, east (in the Hong Kong part: outside Hetao);
# c4: no location; c5: outside every zone.
CARRIERS = gpd.GeoDataFrame({"id": ["c1", "c2", "c3", "c4", "c5"],
                             "floor_area_m2": [10_000.0, np.nan, 5_000.0, 2_000.0, np.nan]},
                            geometry=[Point(X0 + 100, Y0 + 100), Point(X0 + 500, Y0 + 100), Point(X0 + 1500, Y0 + 100),
                                      None, Point(X0 + 5000, Y0)], crs=METRIC_CRS)
FLOOR = CARRIERS[["id", "floor_area_m2"]].rename(columns={"id": "carrier_id"})
IDS = ["e1", "e2", "e3", "e4", "e5", "e6"]
SUMS = pd.DataFrame({"enterprise_id": IDS,
                     "employees": [10.0, 20.0, 30.0, np.nan, 5.0, 1.0],
                     "revenue_cny": [1_000.0, 2_000.0, np.nan, 4_000.0, 500.0, 100.0],
                     "tax_cny": [100.0, 200.0, 300.0, np.nan, 50.0, 1_000.0],
                     "rd_cny": [np.nan] * 6,
                     "patents": [1.0, np.nan, 2.0, np.nan, 0.0, np.nan]})
PREV = pd.DataFrame({"enterprise_id": ["e1", "e2", "e3", "e4"], "tax_cny": [80.0, 120.0, 250.0, 100.0],
                     "revenue_cny": [1_000.0, np.nan, np.nan, np.nan]})
# e5 is under review and e6 unplaced: both count in the "(not placed)" row
PLACEMENTS = pd.DataFrame({"enterprise_id": IDS, "carrier_id": ["c1", "c1", "c2", "c3", "c2", None],
                           "unit_id": [None] * 6,
                           "status": ["confirmed", "placed", "confirmed", "placed", "review", "unplaced"]})
ENTERPRISES = pd.DataFrame({
    "id": IDS, "industries": ["ict;ai", "ai", "biomed", "", None, "ai"],
    "qualifications": ['[{"code": "high_tech", "evidence": "cert", "expires": "2030-01-01"}]',
                       '[{"code": "high_tech", "evidence": "cert", "expires": "2023-12-31"}]',  # expired
                       '[{"code": "little_giant", "evidence": "list", "expires": null}]',
                       '[{"code": "specialised", "evidence": "list", "expires": "2024-01-01"}]',  # expired
                       None, ""]})
UNITS = pd.DataFrame({"carrier_id": ["c1", "c1", "c1", "c2", "c2", "c3"],
                      "area_m2": [1_000.0, 1_000.0, 500.0, 800.0, 800.0, 400.0],
                      "area_basis": ["gross", "gross", "usable", "usable", "usable", "gross"],
                      "status": ["let", "available", "let", "let", "withdrawn", "reserved"]})


def _result(level: str, **changes):
    member = membership(level, CARRIERS, ZONES)
    args = {"sums": SUMS, "placements": PLACEMENTS, "member": member,
            "flags": qualification_flags(ENTERPRISES, on=ON), "floor": FLOOR, "prev_sums": PREV,
            "occupancy_rows": occupancy(UNITS, member), **changes}
    return indicators(args.pop("sums"), args.pop("placements"), args.pop("member"), **args)


def _rows(result) -> pd.DataFrame:
    return result["rows"].set_index("unit")


def test_year_span__latest_year_present_by_default():
    assert year_span(pd.Series([2022, 2024, np.nan, 2023])) == (2024, 2024)


def test_year_span__a_year_or_a_range_and_none_without_data():
    years = pd.Series([2022, 2023])
    assert year_span(years, year=2022) == (2022, 2022)
    assert year_span(years, years_range=(2021, 2023)) == (2021, 2023)
    assert year_span(years, year=2019) is None  # nothing in that span
    assert year_span(pd.Series([], dtype=float)) is None
    with pytest.raises(ValueError, match="not both"):
        year_span(years, year=2022, years_range=(2022, 2023))


ENTERPRISE_YEARS = pd.DataFrame({
    "enterprise_id": ["a", "a", "a", "b", "b", "c", "d"],
    "year": [2022, 2023, 2024, 2023, 2024, 2024, 2024],
    "revenue_cny": [1.0, 10.0, 20.0, np.nan, np.nan, 5.0, np.nan],
    "tax_cny": [1.0, 3.0, np.nan, 7.0, 8.0, np.nan, np.nan],
    "rd_cny": [np.nan] * 7,
    "employees": [99.0, 10.0, 30.0, np.nan, 4.0, np.nan, np.nan],
    "patents": [1.0, np.nan, np.nan, 0.0, np.nan, np.nan, np.nan]})


def test_enterprise_sums__sums_over_the_range_and_employees_averaged():
    out = enterprise_sums(ENTERPRISE_YEARS, first=2023, last=2024).set_index("enterprise_id")
    assert out.loc["a", "revenue_cny"] == 30.0  # 10 + 20 (2022 left out)
    assert out.loc["a", "tax_cny"] == 3.0  # 2024 unknown: the known year only
    assert out.loc["a", "employees"] == 20.0  # mean of 10 and 30
    assert out.loc["b", "tax_cny"] == 15.0 and out.loc["b", "employees"] == 4.0
    assert out.loc["b", "patents"] == 0.0  # a known zero stays zero


def test_enterprise_sums__unknown_stays_unknown_never_zero():
    out = enterprise_sums(ENTERPRISE_YEARS, first=2023, last=2024).set_index("enterprise_id")
    assert np.isnan(out.loc["b", "revenue_cny"]) and np.isnan(out.loc["c", "tax_cny"])
    assert np.isnan(out.loc["a", "rd_cny"]) and np.isnan(out.loc["c", "employees"])
    assert "d" not in out.index  # no figure at all in the span: not an enterprise with figures
    assert sorted(out.index) == ["a", "b", "c"]


def test_qualification_flags__expired_not_counted_little_giant_is_specialised():
    flags = qualification_flags(ENTERPRISES, on=ON).set_index("enterprise_id")
    assert flags["high_tech"].tolist() == [True, False, False, False, False, False]
    assert flags["specialised"].tolist() == [False, False, True, False, False, False]
    assert flags.loc["e1", "industries"] == "ict;ai" and flags.loc["e5", "industries"] == ""


def test_qualification_flags__expiring_on_the_day_still_counts_unreadable_does_not():
    ents = pd.DataFrame({"id": ["x", "y", "z"], "industries": [None] * 3,
                         "qualifications": ['[{"code": "high_tech", "expires": "2024-06-30"}]',
                                            '[{"code": "high_tech", "expires": "soon"}]', "not json"]})
    assert qualification_flags(ents, on=ON)["high_tech"].tolist() == [True, False, False]


def test_membership__carrier_in_two_overlapping_clusters_outside_and_unlocated():
    member = membership("cluster", CARRIERS, ZONES)
    assert list(member.itertuples(index=False, name=None)) == [
        ("c1", "A"), ("c2", "A"), ("c2", "B"), ("c3", "B"), ("c5", OUTSIDE), ("c4", UNLOCATED)]


def test_membership__subdistrict_hetao_district_and_carrier():
    sub = membership("subdistrict", CARRIERS, ZONES)
    assert dict(zip(sub["carrier_id"], sub["unit"])) == {"c1": "west", "c2": "west", "c3": "east", "c5": OUTSIDE,
                                                         "c4": UNLOCATED}
    hetao = membership("hetao", CARRIERS, ZONES)
    assert dict(zip(hetao["carrier_id"], hetao["unit"])) == {
        "c1": HETAO_INSIDE, "c2": HETAO_OUTSIDE, "c3": HETAO_OUTSIDE, "c5": HETAO_OUTSIDE, "c4": UNLOCATED}
    district = membership("district", CARRIERS, ZONES)
    assert set(district["unit"]) == {"district-440304"} and len(district) == 5
    no_layer = {k: v for k, v in ZONES.items() if k != "district"}
    assert set(membership("district", CARRIERS, no_layer)["unit"]) == {DISTRICT}
    assert membership("carrier", CARRIERS, ZONES)["unit"].tolist() == ["c1", "c2", "c3", "c4", "c5"]


def test_membership__carrier_placed_by_zone_goes_where_its_zone_lies():
    carriers = gpd.GeoDataFrame({"id": ["z1"], "location_basis": ["zone"], "zone_id": ["east"]},
                                geometry=[None], crs=METRIC_CRS)
    assert membership("subdistrict", carriers, ZONES)["unit"].tolist() == ["east"]


def test_membership__unknown_level_refused():
    with pytest.raises(ValueError, match="unknown level"):
        membership("street", CARRIERS, ZONES)


def test_occupancy__one_basis_the_larger_never_gross_plus_usable():
    occ = occupancy(UNITS, membership("cluster", CARRIERS, ZONES)).set_index("unit")
    # A = c1 + c2: gross 2,000 (1,000 let) vs usable 500 + 800 = 1,300 (withdrawn 800 left out): gross
    assert occ.loc["A", "occupancy_basis"] == "gross" and occ.loc["A", "occupancy"] == 0.5
    # B = c2 + c3: usable 800 (all let) vs gross 400 (reserved): usable
    assert occ.loc["B", "occupancy_basis"] == "usable" and occ.loc["B", "occupancy"] == 1.0
    # every unit once: gross 2,400 with 1,000 let
    assert occ.loc[TOTAL, "occupancy"] == pytest.approx(1_000 / 2_400)
    assert occ.loc[TOTAL, "occupancy_area_m2"] == 2_400.0


def test_indicators__cluster_row_hand_computed():
    result = _result("cluster")
    assert tuple(result["rows"].columns) == ROW_COLUMNS
    a = _rows(result).loc["A"]  # c1 (e1, e2) and c2 (e3; e5 is under review)
    assert (a["enterprises"], a["high_tech"], a["specialised"]) == (3, 1, 1)  # e2's high-tech expired
    assert (a["employees"], a["revenue_cny"], a["tax_cny"], a["patents"]) == (60.0, 3_000.0, 600.0, 3.0)
    assert a["industries"] == "ai;biomed;ict"
    assert (a["max_tax_cny"], a["max_revenue_cny"], a["max_employees"]) == (300.0, 2_000.0, 30.0)
    assert (a["known_tax_cny"], a["known_revenue_cny"], a["known_rd_cny"]) == (3, 2, 0)  # e3's revenue unknown
    assert (a["occupancy"], a["occupancy_basis"]) == (0.5, "gross")


def test_indicators__carrier_in_two_clusters_counted_in_both_rows_once_in_the_total():
    result = _result("cluster")
    rows = _rows(result)
    assert rows.loc["B", "enterprises"] == 2 and rows.loc["B", "tax_cny"] == 300.0  # e3 (c2) and e4 (c3)
    assert rows.loc["A", "tax_cny"] == 600.0  # e3's 300 is in A too
    total = result["total"]
    assert total["unit"] == TOTAL and total["enterprises"] == 6  # e1–e6 once; rows add up to 7
    assert total["tax_cny"] == 1_650.0 and total["revenue_cny"] == 7_600.0 and total["employees"] == 66.0
    assert (total["high_tech"], total["specialised"], total["max_tax_cny"]) == (1, 1, 1_000.0)
    assert total["industries"] == "ai;biomed;ict"
    assert total["occupancy"] == pytest.approx(1_000 / 2_400) and total["occupancy_basis"] == "gross"


def test_indicators__review_and_unplaced_enterprises_in_the_not_placed_row():
    rows = _rows(_result("cluster"))
    assert rows.index.tolist() == ["A", "B", NOT_PLACED]  # OUTSIDE and UNLOCATED hold no enterprise
    row = rows.loc[NOT_PLACED]  # e5 (review) and e6 (unplaced)
    assert (row["enterprises"], row["tax_cny"], row["revenue_cny"], row["employees"]) == (2, 1_050.0, 600.0, 6.0)
    assert np.isnan(row["floor_area_m2"]) and np.isnan(row["tax_per_m2"])


def test_indicators__unknown_figures_stay_unknown_not_zero():
    result = _result("cluster")
    assert _rows(result)["rd_cny"].isna().all() and result["total"]["rd_cny"] is None
    assert _rows(result).loc[NOT_PLACED, "patents"] == 0.0  # e5's known 0 (e6 unknown)
    assert result["total"]["max_rd_cny"] is None


def test_indicators__per_m2_only_over_carriers_with_known_area():
    result = _result("cluster")
    rows = _rows(result)
    # A: area 10,000 (c1; c2 unknown); tax of c1's enterprises 100 + 200 (e3 in c2 left out)
    assert rows.loc["A", "floor_area_m2"] == 10_000.0
    assert rows.loc["A", "tax_per_m2"] == pytest.approx(300 / 10_000)
    assert rows.loc["A", "revenue_per_m2"] == pytest.approx(3_000 / 10_000)
    # B: area 5,000 (c3) whose only enterprise e4 has no known tax: unknown; revenue 4,000
    assert np.isnan(rows.loc["B", "tax_per_m2"])
    assert rows.loc["B", "revenue_per_m2"] == pytest.approx(4_000 / 5_000)
    # total: c1 + c3 + c4 = 17,000 m²; tax of e1, e2 (c1) and e4 (c3, unknown) = 300
    assert result["total"]["floor_area_m2"] == 17_000.0
    assert result["total"]["tax_per_m2"] == pytest.approx(300 / 17_000)


def test_indicators__year_on_year_over_the_same_unit():
    result = _result("cluster")
    rows = _rows(result)
    assert rows.loc["A", "tax_yoy"] == pytest.approx((600 - 450) / 450)  # before: 80 + 120 + 250
    assert rows.loc["B", "tax_yoy"] == pytest.approx((300 - 350) / 350)  # before: 250 + 100
    assert rows.loc["A", "revenue_yoy"] == pytest.approx(2.0)  # 3,000 against 1,000
    assert np.isnan(rows.loc["B", "revenue_yoy"])  # no revenue known before
    assert result["total"]["tax_yoy"] == pytest.approx((1_650 - 550) / 550)
    no_prev = _rows(_result("cluster", prev_sums=None))
    assert no_prev["tax_yoy"].isna().all()


def test_indicators__subdistrict_rows_partition_the_total():
    result = _result("subdistrict")
    rows = _rows(result)
    assert rows.index.tolist() == ["west", "east", NOT_PLACED]
    assert rows["enterprises"].sum() == result["total"]["enterprises"] == 6
    assert rows["tax_cny"].sum() == result["total"]["tax_cny"] == 1_650.0


def test_indicators__outside_row_when_it_holds_an_enterprise_and_order_lists_empty_units():
    placements = PLACEMENTS.assign(carrier_id=["c1", "c1", "c2", "c3", "c2", "c5"],
                                   status=["confirmed", "placed", "confirmed", "placed", "review", "confirmed"])
    rows = _rows(_result("cluster", placements=placements, order=["C", "A"]))
    assert rows.index.tolist() == ["C", "A", "B", OUTSIDE, NOT_PLACED]
    assert rows.loc[OUTSIDE, "enterprises"] == 1 and rows.loc[OUTSIDE, "tax_cny"] == 1_000.0
    assert rows.loc["C", "enterprises"] == 0 and np.isnan(rows.loc["C", "tax_cny"])


def test_indicators__carrier_missing_from_member_counts_as_not_placed():
    placements = PLACEMENTS.assign(carrier_id=["c1", "c1", "c2", "gone", "c2", None])
    rows = _rows(_result("cluster", placements=placements))
    assert rows.loc[NOT_PLACED, "enterprises"] == 3  # e4, e5, e6
    assert rows.loc["B", "enterprises"] == 1


def test_indicators__confirmed_placement_preferred_over_placed():
    placements = pd.concat([PLACEMENTS, pd.DataFrame({"enterprise_id": ["e1"], "carrier_id": ["c3"],
                                                      "unit_id": [None], "status": ["placed"]})],
                           ignore_index=True).iloc[[6, 0, 1, 2, 3, 4, 5]]
    rows = _rows(_result("carrier", placements=placements))
    assert rows.loc["c1", "enterprises"] == 2 and rows.loc["c3", "enterprises"] == 1


def test_indicators__ids_as_numbers_or_as_text_are_one_id():
    carriers = gpd.GeoDataFrame({"id": [7]}, geometry=[Point(X0 + 100, Y0 + 100)], crs=METRIC_CRS)
    sums = pd.DataFrame({"enterprise_id": [1, 2, 3], "tax_cny": [10.0, 20.0, 30.0]})
    placements = pd.DataFrame({"enterprise_id": ["1", "2", "3"], "carrier_id": ["7", 7, 7.5],
                               "status": ["placed"] * 3})
    flags = pd.DataFrame({"enterprise_id": ["1"], "high_tech": [True], "specialised": [False], "industries": ["ai"]})
    result = indicators(sums, placements, membership("carrier", carriers, ZONES), flags=flags,
                        floor=pd.DataFrame({"carrier_id": [7], "floor_area_m2": [100.0]}))
    rows = _rows(result)
    assert rows.loc["7", "enterprises"] == 2 and rows.loc["7", "high_tech"] == 1
    assert rows.loc["7", "tax_per_m2"] == pytest.approx(0.3)
    assert rows.loc[NOT_PLACED, "tax_cny"] == 30.0  # carrier "7.5" is no carrier of the inventory


RANKED = pd.DataFrame({"unit": ["b1", "b2", "b3", "b4", NOT_PLACED],
                       "tax_cny": [2e8, 5e7, np.nan, 1e8, 9e9],
                       "tax_per_m2": [100.0, np.nan, 300.0, 100.0, 900.0]})


def test_building_ranking__largest_first_unknown_last_with_rank():
    out = building_ranking(RANKED)
    assert out["unit"].tolist() == ["b3", "b1", "b4", "b2"]  # the not-placed row is no building
    assert out["rank"].tolist()[:3] == [1, 2, 2] and pd.isna(out["rank"].iloc[3])
    assert building_ranking(RANKED, by="tax_cny", top=2)["unit"].tolist() == ["b1", "b4"]


def test_yiyuan_buildings__tax_of_at_least_one_yi_largest_first():
    out = yiyuan_buildings(RANKED)
    assert YIYUAN_TAX_CNY == 1e8
    assert out["unit"].tolist() == ["b1", "b4"]  # 1 亿 exactly counts; 5,000 万 and unknown do not


def test_positions__no_keys_finds_nothing():
    from spatial.indicator_units import positions

    assert positions(np.array([], dtype=object), np.array(["a", None], dtype=object)).tolist() == [-1, -1]


def test_yiyuan_buildings__none_over_the_line_gives_no_rows():
    rows = pd.DataFrame({"unit": ["a", "b"], "tax_cny": [5e7, np.nan]})
    assert yiyuan_buildings(rows).empty
    rows = pd.DataFrame({"unit": ["a", "b", "c"], "tax_cny": [2e8, 5e7, 3e8]})
    assert yiyuan_buildings(rows)["unit"].tolist() == ["c", "a"]


def test_indicators__tax_split_by_known_floor_area_for_disclosure():
    """A's tax (600): e1 and e2 in c1 of known area (300), e3 in c2 of unknown area (300) — the parts the
    disclosure rule checks before a per-m² figure is shown."""
    rows = _rows(_result("cluster"))
    assert rows.loc["A", "tax_cny"] == pytest.approx(600)
    assert (rows.loc["A", "part_on_tax_cny"], rows.loc["A", "known_part_on_tax_cny"]) == (300, 2)
    assert (rows.loc["A", "part_off_tax_cny"], rows.loc["A", "known_part_off_tax_cny"]) == (300, 1)
    assert rows.loc["A", "max_part_off_tax_cny"] == 300
