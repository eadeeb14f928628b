"""Disclosure control on hand-made indicator tables: too few enterprises, dominance, derived figures
following their base, complementary suppression, the total, and the hidden max_* columns."""
import numpy as np
import pandas as pd
import pytest

from spatial.disclosure import Rule, suppress

ALL = ["employees", "enterprises", "high_tech", "industries", "tax_cny", "tax_per_m2", "tax_yoy"]
TAX = ["tax_cny", "tax_per_m2", "tax_yoy"]


def _table(rows: list[tuple], total: tuple) -> tuple[pd.DataFrame, dict]:
    """Rows and total from (unit, enterprises, high_tech, employees, max_employees, tax, max_tax, industries);
    tax_per_m2 is tax / 10,000 m² and tax_yoy 0.1 wherever tax is known."""
    cols = ("unit", "enterprises", "high_tech", "employees", "max_employees", "tax_cny", "max_tax_cny", "industries")
    frame = pd.DataFrame([dict(zip(cols, r)) for r in rows])
    frame["floor_area_m2"] = 10_000.0
    frame["tax_per_m2"] = frame["tax_cny"] / 10_000.0
    frame["tax_yoy"] = np.where(frame["tax_cny"].notna(), 0.1, np.nan)
    whole = dict(zip(cols, total))
    whole.update(floor_area_m2=10_000.0 * len(rows), tax_per_m2=whole["tax_cny"] / (10_000.0 * len(rows)),
                 tax_yoy=0.1)
    return frame, whole


def _suppressed(rows: pd.DataFrame) -> dict:
    return dict(zip(rows["unit"], rows["suppressed"]))


def test_suppress__row_of_two_enterprises_hidden_and_smallest_other_cells_complemented():
    rows, total = _table([("a", 5, 2, 30.0, 10.0, 500.0, 150.0, "ai"),
                          ("b", 2, 1, 8.0, 5.0, 100.0, 60.0, "ict"),
                          ("c", 4, 1, 40.0, 12.0, 300.0, 100.0, "ai;ict"),
                          ("d", 6, 3, 90.0, 20.0, 800.0, 200.0, "biomed")],
                         ("total", 17, 7, 168.0, 20.0, 1_700.0, 200.0, "ai;biomed;ict"))
    out, tot = suppress(rows, total)
    marks = _suppressed(out)
    assert marks["b"] == ALL  # every field of the 2-enterprise row
    assert out.loc[1, ALL].isna().all() and all(out.loc[1, f] is None for f in ALL)
    # each column then has one hidden cell, recoverable from the total: the smallest published
    # non-zero cell goes too — c for enterprises (4), high-tech (1) and tax (300); a for employees (30)
    assert marks["c"] == ["enterprises", "high_tech", "tax_cny", "tax_per_m2", "tax_yoy"]
    assert marks["a"] == ["employees"]
    assert marks["d"] == [] and out.loc[3, "tax_cny"] == 800.0
    assert out.loc[2, "employees"] == 40.0 and out.loc[2, "industries"] == "ai;ict"
    assert out.loc[1, "floor_area_m2"] == 10_000.0  # not an enterprise figure
    assert tot["suppressed"] == [] and tot["tax_cny"] == 1_700.0


def test_suppress__dominant_enterprise_hides_tax_and_its_derived_figures_only():
    rows, total = _table([("a", 5, 0, 100.0, 30.0, 1_000.0, 850.0, "ai"),  # one enterprise is 85 % of the tax
                          ("b", 4, 0, 60.0, 20.0, 400.0, 100.0, "ai"),
                          ("c", 3, 0, 70.0, 30.0, 600.0, 200.0, "ai")],
                         ("total", 12, 0, 230.0, 30.0, 2_000.0, 850.0, "ai"))
    out, tot = suppress(rows, total)
    marks = _suppressed(out)
    assert marks["a"] == TAX
    assert out.loc[0, "employees"] == 100.0 and out.loc[0, "enterprises"] == 5
    # its complement: no published tax is as large as a's (1,000), so the largest (c, 600), never the
    # smallest (b, 400 would pin a's tax between 1,000 and 1,400)
    assert marks["c"] == TAX
    assert marks["b"] == [] and tot["suppressed"] == []  # 850 of 2,000 in the total: not dominant


def test_suppress__lone_suppressed_smallest_cell_complemented_by_the_next_smallest():
    rows, total = _table([("a", 5, 0, 10.0, 2.0, 100.0, 90.0, None),  # dominated and the smallest
                          ("b", 5, 0, 10.0, 2.0, 300.0, 80.0, None),
                          ("c", 5, 0, 10.0, 2.0, 200.0, 60.0, None),
                          ("d", 5, 0, 10.0, 2.0, 500.0, 90.0, None)],
                         ("total", 20, 0, 40.0, 2.0, 1_100.0, 90.0, None))
    marks = _suppressed(suppress(rows, total)[0])
    assert marks == {"a": TAX, "b": [], "c": TAX, "d": []}


def test_suppress__figure_known_for_too_few_enterprises_hidden_in_a_large_row():
    rows, total = _table([("a", 5, 1, 50.0, 15.0, 300.0, 160.0, "ai"),  # tax known for 2 of 5: 160 + 140
                          ("b", 5, 1, 60.0, 15.0, 500.0, 150.0, "ai"),
                          ("c", 5, 1, 70.0, 15.0, 400.0, 150.0, "ai")],
                         ("total", 15, 3, 180.0, 15.0, 1_200.0, 160.0, "ai"))
    rows["known_tax_cny"], total["known_tax_cny"] = [2, 4, 5], 11
    out, tot = suppress(rows, total)
    marks = _suppressed(out)
    assert marks["a"] == TAX and out.loc[0, "employees"] == 50.0  # 160 is only 53 % of 300: not dominant
    assert marks["c"] == TAX and marks["b"] == []  # the complement: the smallest other tax (400)
    assert "known_tax_cny" not in out.columns and "known_tax_cny" not in tot


def test_suppress__two_suppressed_cells_need_no_complement():
    rows, total = _table([("a", 2, 1, 5.0, 3.0, 100.0, 60.0, "ai"),
                          ("b", 1, 0, 4.0, 4.0, 90.0, 90.0, "ict"),
                          ("c", 5, 2, 50.0, 12.0, 500.0, 150.0, "ai"),
                          ("d", 6, 3, 60.0, 15.0, 700.0, 200.0, "ai")],
                         ("total", 14, 6, 119.0, 15.0, 1_390.0, 200.0, "ai;ict"))
    out, tot = suppress(rows, total)
    marks = _suppressed(out)
    assert marks["a"] == ALL and marks["b"] == ALL
    assert marks["c"] == [] and marks["d"] == [] and tot["suppressed"] == []


def test_suppress__total_of_two_enterprises_fully_suppressed():
    rows, total = _table([("a", 2, 1, 5.0, 3.0, 100.0, 60.0, "ai")], ("total", 2, 1, 5.0, 3.0, 100.0, 60.0, "ai"))
    out, tot = suppress(rows, total)
    assert tot["suppressed"] == ALL and all(tot[f] is None for f in ALL)
    assert tot["unit"] == "total" and tot["floor_area_m2"] == 10_000.0
    assert _suppressed(out)["a"] == ALL


def test_suppress__rows_that_do_not_partition_the_total_are_not_complemented():
    # overlapping clusters: 5 + 2 + 4 = 11 enterprises in the rows, 9 in the total
    rows, total = _table([("A", 5, 1, 50.0, 12.0, 500.0, 150.0, "ai"),
                          ("B", 2, 1, 8.0, 5.0, 100.0, 60.0, "ai"),
                          ("C", 4, 1, 40.0, 12.0, 300.0, 100.0, "ai")],
                         ("total", 9, 2, 90.0, 12.0, 750.0, 150.0, "ai"))
    marks = _suppressed(suppress(rows, total)[0])
    assert marks == {"A": [], "B": ALL, "C": []}


def test_suppress__zero_enterprise_row_untouched_and_never_a_complement():
    rows, total = _table([("a", 2, 1, 5.0, 3.0, 100.0, 60.0, "ai"),
                          ("z", 0, 0, np.nan, np.nan, np.nan, np.nan, None),
                          ("c", 4, 2, 40.0, 12.0, 300.0, 100.0, "ai"),
                          ("d", 5, 3, 50.0, 15.0, 400.0, 100.0, "ai")],
                         ("total", 11, 6, 95.0, 15.0, 800.0, 100.0, "ai"))
    out, _ = suppress(rows, total)
    marks = _suppressed(out)
    assert marks["z"] == [] and out.loc[1, "enterprises"] == 0 and np.isnan(out.loc[1, "tax_cny"])
    assert marks["c"] == ["employees", "enterprises", "high_tech", "tax_cny", "tax_per_m2", "tax_yoy"]
    assert marks["d"] == []


def test_suppress__no_non_zero_cell_to_complement_hides_the_total_field():
    # b's tax is a known 0: a's hidden tax would be the total minus 0
    rows, total = _table([("a", 2, 1, 5.0, 3.0, 100.0, 60.0, "ai"),
                          ("b", 5, 1, 50.0, 12.0, 0.0, 0.0, "ai")],
                         ("total", 7, 2, 55.0, 12.0, 100.0, 60.0, "ai"))
    out, tot = suppress(rows, total)
    assert tot["suppressed"] == TAX and tot["tax_cny"] is None
    assert _suppressed(out)["b"] == ["employees", "enterprises", "high_tech"]


def test_suppress__max_columns_dropped_and_inputs_left_alone():
    rows, total = _table([("a", 5, 2, 30.0, 10.0, 500.0, 150.0, "ai")], ("total", 5, 2, 30.0, 10.0, 500.0, 150.0, "ai"))
    out, tot = suppress(rows, total)
    assert not [c for c in out.columns if c.startswith("max_")]
    assert not [k for k in tot if k.startswith("max_")]
    assert "max_tax_cny" in rows.columns and "max_tax_cny" in total  # copies: the inputs keep them


def test_rule__nonsense_thresholds_refused():
    with pytest.raises(ValueError, match="disclosure rule"):
        Rule(min_enterprises=0)
    with pytest.raises(ValueError, match="disclosure rule"):
        Rule(dominance=1.5)


def test_suppress__thresholds_come_from_the_rule():
    rows, total = _table([("a", 5, 1, 40.0, 10.0, 1_000.0, 300.0, "ai"),
                          ("b", 6, 1, 60.0, 10.0, 1_000.0, 600.0, "ai"),  # one enterprise is 60 % of the tax
                          ("c", 7, 1, 70.0, 10.0, 1_000.0, 100.0, "ai")],
                         ("total", 18, 3, 170.0, 10.0, 3_000.0, 600.0, "ai"))
    assert _suppressed(suppress(rows, total)[0]) == {"a": [], "b": [], "c": []}  # defaults: 3 and 0.8
    out, tot = suppress(rows, total, rule=Rule(min_enterprises=6, dominance=0.5))
    marks = _suppressed(out)
    assert marks["a"] == ALL  # 5 < 6
    # b: its tax dominated at 0.5; its other counts the complements of a's (smallest, first on a tie)
    assert marks["b"] == ["employees", "enterprises", "high_tech", *TAX]
    assert marks["c"] == [] and tot["suppressed"] == []


def test_withhold_changes__earlier_withheld_base_withholds_the_change():
    """2024's tax of A was withheld; 2025's is published: the change would give 2024 back, so it goes."""
    from spatial.disclosure import withhold_changes

    rows = pd.DataFrame({"unit": ["A", "B"], "tax_cny": [3456.6, 900.0], "tax_yoy": [-0.759, 0.1],
                         "revenue_yoy": [0.2, 0.3], "suppressed": [[], []]})
    before = pd.DataFrame({"unit": ["A", "B"], "suppressed": [["tax_cny", "tax_per_m2"], []]})
    out, total = withhold_changes(rows, {"tax_yoy": 0.05, "suppressed": []}, before, {"suppressed": ["tax_cny"]})
    assert out["tax_yoy"].tolist()[0] is None and out["tax_yoy"].tolist()[1] == 0.1
    assert out["revenue_yoy"].tolist() == [0.2, 0.3]
    assert out["suppressed"].tolist() == [["tax_yoy"], []]
    assert total == {"tax_yoy": None, "suppressed": ["tax_yoy"]}


def _linked_rows():
    """Carriers a (2 enterprises: withheld), b (10), c (20), d (5); all rows add up to the total."""
    rows = pd.DataFrame({"unit": ["a", "b", "c", "d"], "enterprises": [2, 10, 20, 5],
                         "tax_cny": [50.0, 300.0, 900.0, 100.0], "max_tax_cny": [30.0, 40.0, 80.0, 30.0],
                         "known_tax_cny": [2, 10, 20, 5]})
    total = {"unit": "(total)", "enterprises": 37, "tax_cny": 1350.0, "max_tax_cny": 80.0, "known_tax_cny": 37}
    return rows, total


def test_suppress__linked_group_with_one_withheld_member_gets_a_second():
    """A cluster of a, b, c is published elsewhere: a is withheld, so the cluster minus b and c gives it
    back unless another of its carriers is withheld too (b, the smaller). The table's own complement
    (d, smallest of the rest) is taken first."""
    rows, total = _linked_rows()
    plain, _ = suppress(rows, total)
    assert [("tax_cny" in s) for s in plain["suppressed"]] == [True, False, False, True]  # d: the table's complement
    out, _ = suppress(rows, total, groups=[(np.array([0, 1, 2]), frozenset())])
    assert [("tax_cny" in s) for s in out["suppressed"]] == [True, True, False, True]


def test_suppress__withheld_aggregate_with_all_members_published_withholds_one():
    """A cell withheld in another table (say, as its complement) must not be the sum of published carriers."""
    rows, total = _linked_rows()
    out, _ = suppress(rows, total, groups=[(np.array([1, 2]), frozenset({"tax_cny"}))])
    assert [("tax_cny" in s) for s in out["suppressed"]] == [True, True, False, True]
    untouched, _ = suppress(rows, total, groups=[(np.array([1, 2]), frozenset())])
    assert [("tax_cny" in s) for s in untouched["suppressed"]] == [True, False, False, True]


def test_suppress__per_m2_withheld_where_it_gives_away_the_tax_of_carriers_without_floor_area():
    """Row x: 5 enterprises in carriers of known floor area and one (tax 70) in a carrier of unknown area:
    tax − tax_per_m2 × floor_area = 70, one enterprise's figure, so the per-m² figure is withheld.
    Row y: 5 and 4 enterprises on each side: both parts fit to publish, so it is shown."""
    rows = pd.DataFrame({
        "unit": ["x", "y"], "enterprises": [6, 9], "tax_cny": [570.0, 900.0], "max_tax_cny": [100.0, 100.0],
        "known_tax_cny": [6, 9], "floor_area_m2": [1000.0, 1000.0], "tax_per_m2": [0.5, 0.5],
        "part_on_tax_cny": [500.0, 500.0], "max_part_on_tax_cny": [100.0, 100.0], "known_part_on_tax_cny": [5, 5],
        "part_off_tax_cny": [70.0, 400.0], "max_part_off_tax_cny": [70.0, 100.0], "known_part_off_tax_cny": [1, 4]})
    total = {"unit": "(total)", "enterprises": 15, "tax_cny": 1470.0, "max_tax_cny": 100.0, "known_tax_cny": 15}
    out, _ = suppress(rows, total)
    assert out["suppressed"].tolist() == [["tax_per_m2"], []]
    assert out["tax_per_m2"].tolist()[0] is None and out["tax_cny"].tolist() == [570.0, 900.0]
    assert not [c for c in out.columns if c.startswith("part_")]
