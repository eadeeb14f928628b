"""Supply from the units: counts, sums per basis, occupancy, stale units, the fallback to stated figures."""
from datetime import date

import numpy as np
import pandas as pd
import pytest

from spatial.supply import SUPPLY_COLUMNS, unit_is_stale, unit_supply

TODAY = date(2026, 6, 30)


def _units(*rows) -> pd.DataFrame:
    cols = ("id", "carrier_id", "area_m2", "area_basis", "status", "verified_on")
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=list(cols))


CARRIERS = pd.DataFrame({"id": ["a", "b", "c", "d", "e", "f"],
                         "available_area_m2": [5_000.0, np.nan, 800.0, np.nan, 300.0, 100.0]})
UNITS = _units(
    ("a1", "a", 100.0, "gross", "available", "2026-06-01"),
    ("a2", "a", 200.0, "gross", "available", "2026-01-01"),  # stale
    ("a3", "a", 300.0, "gross", "let", "2026-06-01"),
    ("a4", "a", 400.0, "gross", "reserved", "2026-06-01"),
    ("a5", "a", 999.0, "gross", "withdrawn", "2020-01-01"),  # off the market: neither occupancy nor stale
    ("b1", "b", 150.0, "gross", "available", "2026-06-01"),
    ("b2", "b", 250.0, "usable", "available", "2026-06-01"),  # mixed bases
    ("d1", "d", 500.0, "usable", "let", "2026-06-29"),  # every unit let: 0 available, a known zero
    ("e1", "e", np.nan, "gross", "available", "2026-06-01"),  # unknown area: the sum is unknown
    ("e2", "e", 50.0, "gross", "available", "2026-06-01"),
    ("z1", "nowhere", 70.0, "gross", "available", "2026-06-01"),  # not a carrier of the frame: ignored
    ("f1", "f", 80.0, "gross", "withdrawn", "2026-06-01"),
)


@pytest.fixture(scope="module")
def supply():
    return unit_supply(CARRIERS, UNITS, today=TODAY).set_index("id")


def test_unit_supply__one_row_per_carrier_in_order_with_the_documented_columns():
    out = unit_supply(CARRIERS, UNITS, today=TODAY)
    assert tuple(out.columns) == SUPPLY_COLUMNS
    assert out["id"].tolist() == CARRIERS["id"].tolist()


def test_unit_supply__counts_sums_occupancy_and_stale_of_one_basis(supply):
    a = supply.loc["a"]
    assert (a["units"], a["units_available"], a["stale_units"]) == (5, 2, 1)
    assert a["available_units_m2"] == 300.0 and a["available_units_basis"] == "gross"
    assert (a["available_gross_m2"], a["available_usable_m2"]) == (300.0, 0.0)
    assert a["let_m2"] == 300.0
    assert a["occupancy"] == pytest.approx(300.0 / 1_000.0)  # let / (available + let + reserved), not withdrawn
    assert a["available_now_m2"] == 300.0 and a["available_basis"] == "units"  # the units, not the stated 5,000


def test_unit_supply__mixed_bases_are_never_added_together(supply):
    b = supply.loc["b"]
    assert b["available_units_basis"] == "mixed"
    assert np.isnan(b["available_units_m2"]) and np.isnan(b["available_now_m2"]) and np.isnan(b["occupancy"])
    assert (b["available_gross_m2"], b["available_usable_m2"]) == (150.0, 250.0)  # per basis, nothing lost
    assert b["available_basis"] == "units"


def test_unit_supply__carrier_without_units_falls_back_to_its_stated_figure(supply):
    c = supply.loc["c"]
    assert (c["units"], c["units_available"], c["stale_units"]) == (0, 0, 0)
    assert c["available_now_m2"] == 800.0 and c["available_basis"] == "stated"
    for col in ("available_units_m2", "available_gross_m2", "available_usable_m2", "let_m2", "occupancy"):
        assert np.isnan(c[col]), col  # unknown, not 0
    assert c["available_units_basis"] is None


def test_unit_supply__neither_units_nor_stated_stays_unknown_never_zero():
    out = unit_supply(pd.DataFrame({"id": ["x"], "available_area_m2": [np.nan]}), UNITS.iloc[0:0], today=TODAY)
    assert np.isnan(out["available_now_m2"].iloc[0]) and out["available_basis"].iloc[0] is None


def test_unit_supply__all_units_let_is_a_known_zero_and_full_occupancy(supply):
    d = supply.loc["d"]
    assert d["available_units_m2"] == 0.0 and d["available_now_m2"] == 0.0 and d["available_basis"] == "units"
    assert d["occupancy"] == 1.0 and d["let_m2"] == 500.0


def test_unit_supply__a_unit_of_unknown_area_makes_the_sum_unknown(supply):
    e = supply.loc["e"]
    assert e["units_available"] == 2
    assert np.isnan(e["available_units_m2"]) and np.isnan(e["available_now_m2"])


def test_unit_supply__only_withdrawn_units_give_no_occupancy(supply):
    f = supply.loc["f"]
    assert f["units"] == 1 and f["available_now_m2"] == 0.0 and np.isnan(f["occupancy"])


def test_unit_supply__duplicate_carrier_ids_refused():
    with pytest.raises(ValueError, match="unique"):
        unit_supply(pd.DataFrame({"id": ["a", "a"]}), UNITS, today=TODAY)


@pytest.mark.parametrize(("verified", "stale"), [
    ("2026-04-01", False),  # 90 days before today
    ("2026-03-31", True),  # 91 days
    ("2026-07-15", False),  # after today (entered ahead): not stale
    (date(2026, 1, 1), True),
    (None, True),  # never verified: never assumed recent
    ("not a date", True),
])
def test_unit_is_stale__more_than_90_days_or_unknown(verified, stale):
    assert unit_is_stale(verified, TODAY) is stale


def test_unit_is_stale__vectorised():
    out = unit_is_stale(np.array(["2026-06-30", "2025-01-01", None], dtype=object), TODAY)
    assert out.dtype == bool and out.tolist() == [False, True, True]
