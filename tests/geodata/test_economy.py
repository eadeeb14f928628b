"""The economy on both backends: a synthetic city's enterprise figures give the same indicators whether
the sums run in the database or in memory; placements are confirmed with versions and undone; the
public report never holds a name or a figure of a cell under the disclosure rule."""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from geodata.demo_economy import demo_economy
from geodata.reports.economy import LEVELS, indicator_report, indicators_json
from geodata.stewardship.commits import undo_last
from geodata.stewardship.economy import confirm_placement, place_all, review_list
from geodata.storage import open_store
from layers.catalogue import CARRIER_LAYERS
from spatial.carriers import combine_carriers
from spatial.errors import ConflictError
from tests.geodata.test_units import add_people


@pytest.fixture
def economy(store_copy):
    """The store copy with 400 synthetic enterprises over three years, placed (test data only)."""
    store = open_store(store_copy)
    carriers = combine_carriers({k: store.read_layer(k) for k in CARRIER_LAYERS}, CARRIER_LAYERS)
    frames = demo_economy(carriers, seed=5, today=date(2026, 3, 1), n_enterprises=400)
    store.replace_layers(frames)
    add_people(store_copy)
    return store_copy, frames


def _same(a: dict, b: dict) -> None:
    assert [r["unit"] for r in a["rows"]] == [r["unit"] for r in b["rows"]]
    for ra, rb in zip(a["rows"] + [a["total"]], b["rows"] + [b["total"]]):
        assert ra["suppressed"] == rb["suppressed"]
        for key, value in ra.items():
            if isinstance(value, float):
                assert rb[key] == pytest.approx(value, rel=1e-9), key
            else:
                assert rb[key] == value, key


@pytest.mark.parametrize("level", LEVELS)
def test_indicator_report__database_and_memory_sums_agree(economy, level):
    location, _ = economy
    for public in (False, True):
        pushed = indicators_json(indicator_report(level, location=location, public=public))
        memory = indicators_json(indicator_report(level, location=location, public=public, pushdown=False))
        _same(pushed, memory)
        assert pushed["total"]["enterprises"] == 400  # a city of 400 is never withheld as a whole


def test_indicator_report__range_sums_flows_and_averages_employees(economy):
    location, frames = economy
    years = frames["enterprise_years"]
    first, last = int(years["year"].min()), int(years["year"].max())
    data = indicators_json(indicator_report("district", location=location, years=(first, last)))
    assert data["years"] == [first, last]
    assert data["total"]["tax_cny"] == pytest.approx(years["tax_cny"].sum())
    per_enterprise = years.groupby("enterprise_id")["employees"].mean()
    assert data["total"]["employees"] == pytest.approx(per_enterprise.sum())


def test_indicator_report__public_has_no_enterprise_text_and_withholds_small_cells(economy):
    location, frames = economy
    public = indicators_json(indicator_report("carrier", location=location, public=True))
    text = json.dumps(public, ensure_ascii=False)
    for name in frames["enterprises"]["name"].head(50):
        assert name not in text
    staff = {r["unit"]: r for r in indicators_json(indicator_report("carrier", location=location))["rows"]}
    for row in public["rows"]:
        if 0 < staff[row["unit"]]["enterprises"] < 3:
            assert row["enterprises"] is None and row["tax_cny"] is None and "tax_cny" in row["suppressed"]
    assert any(r["tax_cny"] is not None for r in public["rows"])  # not everything withheld


def test_confirm_placement__version_checked_audited_undone(economy):
    location, frames = economy
    first = str(frames["placements"]["id"].iloc[0])
    version = int(open_store(location).read_layer("placements", ids=[first])["row_version"].iloc[0])
    carrier = str(frames["placements"]["carrier_id"].dropna().iloc[-1])
    confirm_placement(first, carrier, by="ed", location=location, expected_version=version)
    with pytest.raises(ConflictError):
        confirm_placement(first, None, by="ed", location=location, expected_version=version)
    row = open_store(location).read_layer("placements", ids=[first]).iloc[0]
    assert (row["status"], row["carrier_id"], row["placed_by"]) == ("confirmed", carrier, "ed")
    again = place_all(by="ed", location=location)
    assert again["confirmed"] == 1
    assert open_store(location).read_layer("placements", ids=[first]).iloc[0]["carrier_id"] == carrier
    undo_last(who="ed", path=location)  # the run
    undo_last(who="ed", path=location)  # the confirmation
    row = open_store(location).read_layer("placements", ids=[first]).iloc[0]
    assert row["status"] != "confirmed"


def test_review_list__names_candidates(economy):
    location, frames = economy
    rows = review_list(location, statuses=("placed", "review"))
    assert len(rows) == int(frames["placements"]["status"].isin(["placed", "review"]).sum())
    named = [c for r in rows for c in r["candidates"] if c.get("carrier_id")]
    assert named and all(c["name_zh"] for c in named)
    assert all(np.isfinite(r["confidence"]) for r in rows)
    assert pd.Series([r["status"] for r in rows]).isin(["placed", "review"]).all()


def test_validate_frames__two_rows_of_one_enterprise_year_refused():
    from geodata.ingest.validate import validate_frames

    years = pd.DataFrame({"id": ["a", "b", "c"], "enterprise_id": ["e1", "e1", "e1"], "year": [2024, 2024, 2025],
                          "source": "test"})
    problems = [p for p in validate_frames({"enterprise_years": years}, links=False) if p.layer == "enterprise_years"]
    assert [(p.feature_id, p.field, p.value) for p in problems] == [("b", "year", 2024)]


def test_indicator_report__change_withheld_where_the_earlier_year_is(economy):
    """A public year-on-year change never sits on a base withheld in the earlier year's public table."""
    location, frames = economy
    last = int(frames["enterprise_years"]["year"].max())
    now = indicators_json(indicator_report("carrier", location=location, year=last, public=True))
    before = {r["unit"]: set(r["suppressed"])
              for r in indicators_json(indicator_report("carrier", location=location, year=last - 1, public=True))["rows"]}
    checked = 0
    for row in now["rows"]:
        if "tax_cny" in before.get(row["unit"], ()):
            assert row["tax_yoy"] is None and "tax_yoy" in row["suppressed"]
            checked += 1
    assert checked  # the synthetic economy has such carriers


def test_indicator_report__no_public_carrier_cell_recovered_from_another_level(economy):
    """For every public row of a cluster, subdistrict, Hetao or district table, the public carrier rows it
    sums never leave exactly one withheld cell of a field beside a published aggregate, nor none beside a
    withheld one (each would be recovered by subtraction)."""
    from geodata.reports.economy import _units
    from geodata.storage import store_version

    location, _ = economy
    carriers = {r["unit"]: r for r in indicators_json(indicator_report("carrier", location=location,
                                                                       public=True))["rows"]}
    fields = ("enterprises", "high_tech", "employees", "revenue_cny", "tax_cny", "rd_cny", "patents")
    checked = 0
    for level in ("cluster", "subdistrict", "hetao", "district"):
        member, _ = _units(*store_version(location), level, "futian")
        for row in indicators_json(indicator_report(level, location=location, public=True))["rows"]:
            ids = [c for c in member.loc[member["unit"] == row["unit"], "carrier_id"].astype(str) if c in carriers]
            for field in fields:
                values = [carriers[c][field] for c in ids]
                withheld = sum(field in carriers[c]["suppressed"] for c in ids)
                live = [v for v in values if v not in (None, 0)]
                if field in row["suppressed"]:
                    assert withheld >= 1 or not live, (level, row["unit"], field)
                else:
                    assert withheld != 1, (level, row["unit"], field)
                checked += 1
    assert checked


def test_place_all__keeps_a_confirmed_not_in_any_carrier(economy):
    location, frames = economy
    placed = frames["placements"].loc[frames["placements"]["status"] == "placed", "id"].astype(str).iloc[0]
    confirm_placement(placed, None, by="ed", location=location)
    place_all(by="ed", location=location)
    row = open_store(location).read_layer("placements", ids=[placed]).iloc[0]
    assert row["status"] == "confirmed" and pd.isna(row["carrier_id"])


@pytest.mark.parametrize("level", ["carrier", "cluster"])
def test_indicator_report__a_range_publishes_nothing_a_year_of_it_withholds(economy, level):
    """Else the range minus the published years would give the withheld year back."""
    location, frames = economy
    last = int(frames["enterprise_years"]["year"].max())
    span = indicators_json(indicator_report(level, location=location, years=(last - 1, last), public=True))
    fields = ("enterprises", "employees", "revenue_cny", "tax_cny", "rd_cny", "patents")
    for year in (last - 1, last):
        withheld = {r["unit"]: set(r["suppressed"]) for r in
                    indicators_json(indicator_report(level, location=location, year=year, public=True))["rows"]}
        for row in span["rows"]:
            for field in fields:
                if field in withheld.get(row["unit"], ()):
                    assert row[field] is None and field in row["suppressed"], (year, row["unit"], field)
