import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from spatial.carriers import annotate_carriers, filter_carriers
from spatial.zones import zones_containing

ZONES = gpd.GeoDataFrame({"id": ["west", "east"], "context": [False, False]},
                         geometry=[box(114.00, 22.50, 114.05, 22.60), box(114.05, 22.50, 114.10, 22.60)],
                         crs="EPSG:4326")
CLUSTERS = gpd.GeoDataFrame({"id": ["c1", "c2"]}, geometry=[box(114.01, 22.51, 114.06, 22.56),
                                                             box(114.04, 22.52, 114.09, 22.58)], crs="EPSG:4326")


def _carriers():
    return gpd.GeoDataFrame({
        "id": ["p", "kid", "q", "nowhere"],
        "layer": ["science_parks", "incubators", "tech_buildings", "incubators"],
        "parent_id": [None, "p", None, None],
        "industries": ["biomed;ai", "biomed", "fintech", None],
        "floor_area_m2": [1000.0, 200.0, 300.0, None],
        "available_area_m2": [None, 150.0, 500.0, None],
    }, geometry=[Point(114.045, 22.53), Point(114.045, 22.53), Point(114.08, 22.57), None], crs="EPSG:4326")


def test_zones_containing__lists_and_unlocated_empty():
    zones = zones_containing(_carriers(), CLUSTERS)
    assert zones.tolist() == [["c1", "c2"], ["c1", "c2"], ["c2"], []]


def test_annotate_carriers__subdistrict_clusters_hetao():
    out = annotate_carriers(_carriers(), subdistricts=ZONES, clusters=CLUSTERS, hetao=ZONES.iloc[[1]])
    assert out["subdistrict"].tolist()[:3] == ["west", "west", "east"] and pd.isna(out["subdistrict"].iloc[3])
    assert out["in_hetao"].tolist() == [False, False, True, False]


def test_filter_carriers__each_filter_and_unknown_availability():
    c = annotate_carriers(_carriers(), subdistricts=ZONES, clusters=CLUSTERS, hetao=ZONES.iloc[[1]])
    assert filter_carriers(c).all()
    assert filter_carriers(c, industries=["biomed"]).tolist() == [True, True, False, False]
    assert filter_carriers(c, layers=["incubators"], subdistricts=["west"]).tolist() == [False, True, False, False]
    assert filter_carriers(c, clusters=["c1"]).tolist() == [True, True, False, False]
    # unknown available area never passes a positive minimum
    assert filter_carriers(c, min_available_m2=200).tolist() == [False, False, True, False]


def test_tally__zones_no_double_count_and_multi_zone():
    from spatial.tally import tally

    c = annotate_carriers(_carriers(), subdistricts=ZONES, clusters=CLUSTERS, hetao=ZONES.iloc[[1]])
    by_sub = tally(c, units=ZONES)["rows"].set_index("unit")
    assert by_sub.loc["west", "floor_area_m2"] == 1000.0  # the kid inside p is not added again
    assert by_sub.loc["east", "floor_area_m2"] == 300.0
    by_cluster = tally(c, units=CLUSTERS, partition=False)["rows"].set_index("unit")
    assert by_cluster.loc["c2", "floor_area_m2"] == 1300.0 and by_cluster.loc["c1", "floor_area_m2"] == 1000.0
