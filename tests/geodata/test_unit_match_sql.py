"""Unit-level matching with the filters in PostGIS ranks exactly as the in-memory matching does."""
from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geodata.reports.inventory import zoned
from geodata.storage import create_store, open_store, read_all
from geodata.storage.unit_match_sql import UNIT_INDEXES, match_units_in_database
from geodata.synthetic import synthetic_city
from geodata.synthetic_market import synthetic_units
from layers.catalogue import CARRIER_LAYERS
from spatial.carriers import combine_carriers
from spatial.match import Need, candidate_arrays
from spatial.scope import in_scope
from spatial.unit_match import match_units, unit_candidate_arrays, unit_results_table
from tests.conftest import BACKENDS, new_database

pytestmark = pytest.mark.skipif("postgis" not in BACKENDS, reason="PostGIS backend not selected")

TODAY = date(2026, 3, 1)
NEEDS = {
    "near_futian": Need(industry="biomed", area_min=300, area_max=1500, max_rent=150, near=(114.0800, 22.5230),
                        within_km=4.0, stage="startup", facilities=("wet_lab",)),
    "cheap_anywhere": Need(area_min=200, max_rent=90.0),
    "small_only": Need(area_max=120.0, stage="growth"),
    "nanshan_ai": Need(industry="ai", near=(113.9300, 22.5300), within_km=2.5, hk_link=True, area_min=100),
    "impossible": Need(area_min=2_500, area_max=2_600, max_rent=61, near=(114.05, 22.54), within_km=0.5),
    "zones": Need(industry="fintech", zones=("subdistrict-futian", "subdistrict-shatou"), area_min=100),
}


@pytest.fixture(scope="module")
def market(pg_cluster):
    """A store with the bundled carriers, 1,500 synthetic carriers across Shenzhen and 6,000 units in
    two thirds of all carriers (every status; some rents unknown); the rest list no units."""
    url = new_database(pg_cluster)
    frames = read_all(url)
    layers, _ = synthetic_city(1_500, 0, frames["shenzhen_districts"], seed=5, parent_share=0.05)
    store = open_store(url)
    store.write_layers({k: gpd.GeoDataFrame(pd.concat([frames[k], layers[k]], ignore_index=True), geometry="geometry",
                                            crs=frames[k].crs) for k in CARRIER_LAYERS})
    carriers = combine_carriers(read_all(url), CARRIER_LAYERS)
    listed = carriers.iloc[[i for i in range(len(carriers)) if i % 3]]
    units = synthetic_units(listed, n=6_000, seed=3, today=TODAY)
    units.loc[units.index % 17 == 0, "rent_asked_cny_m2_month"] = np.nan
    store.replace_layers({"units": units})
    return url, read_all(url)


@pytest.fixture(scope="module")
def market_gpkg(market, tmp_path_factory):
    """The same inventory in a GeoPackage store."""
    url, frames = market
    path = tmp_path_factory.mktemp("market") / "spacemap.gpkg"
    create_store(path)
    store = open_store(path)
    store.write_layers({k: frames[k] for k in CARRIER_LAYERS})
    store.replace_layers({"units": frames["units"].drop(columns="row_version")})
    return read_all(path)


def _in_memory(frames, scope, need, top):
    carriers = combine_carriers(frames, CARRIER_LAYERS)
    carriers = zoned(carriers.loc[in_scope(carriers, frames["district"], scope)].reset_index(drop=True), frames)
    uc = unit_candidate_arrays(candidate_arrays(carriers), frames["units"])
    return uc, match_units(uc, need, top=top)


@pytest.mark.parametrize("name", list(NEEDS))
@pytest.mark.parametrize("scope", ["futian", "shenzhen"])
def test_match_units_in_database__same_results_counts_and_near_misses_as_in_memory(market, name, scope):
    url, frames = market
    need = NEEDS[name]
    uc, expected = _in_memory(frames, scope, need, top=10)
    found = match_units_in_database(url, need, frames, scope=scope, top=10)
    got = unit_results_table(found["candidates"], found["result"], today=TODAY)
    assert got == unit_results_table(uc, expected, today=TODAY)
    assert found["scope_size"] == len(uc)
    assert len(found["candidates"]) <= len(uc)
    for c in expected.constraints:  # database-side constraints are counted over the whole scope
        if c.key not in found["excluded_among"]:
            assert found["excluded"][c.key] == int(c.fails.sum()), c.key
    assert found["result"].near_misses == expected.near_misses
    assert (found["result"].stable_top3, found["result"].unstable_under) == (expected.stable_top3,
                                                                            expected.unstable_under)


def test_match_units_in_database__results_mix_units_and_carriers_without_units(market):
    url, frames = market
    found = match_units_in_database(url, NEEDS["cheap_anywhere"], frames, scope="shenzhen", top=400)
    rows = unit_results_table(found["candidates"], found["result"], today=TODAY)
    assert {r["level"] for r in rows} == {"unit", "carrier"}
    assert all(r["status"] == "available" for r in rows if r["level"] == "unit")


def test_match_units_in_database__filters_in_sql_and_makes_its_indexes(market):
    url, frames = market
    found = match_units_in_database(url, NEEDS["near_futian"], frames, scope="shenzhen", top=10)
    uc, _ = _in_memory(frames, "shenzhen", NEEDS["near_futian"], top=10)
    assert len(found["candidates"]) < len(uc) / 5  # distance, area range and rent cut most rows out in SQL
    import psycopg

    with psycopg.connect(url) as con:
        for name in UNIT_INDEXES:
            assert con.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0] is not None, name


@pytest.mark.parametrize("name", ["near_futian", "cheap_anywhere", "impossible"])
def test_match_units__geopackage_in_memory_and_postgis_in_sql_give_the_same_results(market, market_gpkg, name):
    url, _ = market
    uc, expected = _in_memory(market_gpkg, "futian", NEEDS[name], top=10)
    found = match_units_in_database(url, NEEDS[name], market_gpkg, scope="futian", top=10)
    assert unit_results_table(found["candidates"], found["result"], today=TODAY) == unit_results_table(
        uc, expected, today=TODAY)
    assert found["scope_size"] == len(uc) and found["result"].near_misses == expected.near_misses
