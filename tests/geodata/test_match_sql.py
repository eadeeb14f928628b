"""Matching with the pre-filter in PostGIS ranks exactly as the embedded matching does."""
from __future__ import annotations

import pytest

from geodata.reports.inventory import zoned
from geodata.storage.match_sql import match_in_database
from layers.catalogue import CARRIER_LAYERS
from spatial.carriers import combine_carriers
from spatial.match import Need, candidate_arrays, match
from spatial.match_explain import results_table
from spatial.scope import in_scope
from tests.conftest import BACKENDS

pytestmark = pytest.mark.skipif("postgis" not in BACKENDS, reason="PostGIS backend not selected")

NEEDS = {
    "near_futian": Need(industry="biomed", area_min=800, near=(114.0800, 22.5230), within_km=4.0, stage="startup",
                        facilities=("wet_lab",)),
    "cheap_anywhere": Need(area_min=300, max_rent=80.0),
    "nanshan_ai": Need(industry="ai", near=(113.9300, 22.5300), within_km=2.5, hk_link=True),
    "impossible": Need(area_min=10_000_000, near=(114.05, 22.54), within_km=0.5),
    "zones": Need(industry="fintech", zones=("subdistrict-futian", "subdistrict-shatou"), area_min=100),
}


def _embedded(frames, scope, need, top):
    carriers = combine_carriers(frames, CARRIER_LAYERS)
    carriers = carriers.loc[in_scope(carriers, frames["district"], scope)].reset_index(drop=True)
    cands = candidate_arrays(zoned(carriers, frames))
    return cands, match(cands, need, top=top)


@pytest.mark.parametrize("name", list(NEEDS))
@pytest.mark.parametrize("scope", ["futian", "shenzhen"])
def test_match_in_database__same_ranking_and_explanations_as_embedded(city, name, scope):
    url, frames, _ = city
    need = NEEDS[name]
    cands, expected = _embedded(frames, scope, need, top=10)
    found = match_in_database(url, need, frames, scope=scope, top=10)
    got = results_table(found["candidates"], found["result"])
    assert got == results_table(cands, expected)
    assert len(found["candidates"]) <= len(cands)
    assert found["scope_size"] == len(cands)
    for c in expected.constraints:  # database-side constraints are counted over the whole scope
        if c.key in ("closed", "area", "rent", "distance", "location"):
            assert found["excluded"][c.key] == int(c.fails.sum()), c.key
    assert found["result"].near_misses == expected.near_misses


def test_match_in_database__prefilter_leaves_out_what_fails(city):
    url, frames, _ = city
    need = NEEDS["near_futian"]
    found = match_in_database(url, need, frames, scope="shenzhen", top=10)
    cands, _ = _embedded(frames, "shenzhen", need, top=10)
    assert len(found["candidates"]) < len(cands) / 10  # the distance limit cut most of the city out in SQL
