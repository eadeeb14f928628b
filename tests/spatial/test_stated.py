import pandas as pd

from spatial.stated import counted_mask, stated_totals


def _frame():
    return pd.DataFrame({
        "id": ["park", "maker", "solo", "nofig", "grandchild"],
        "parent_id": [None, "park", None, None, "maker"],
        "floor_area_m2": [40_000.0, 13_000.0, 5_000.0, None, 2_000.0],
        "land_area_m2": [None, 800.0, None, None, None],
    })


def test_stated_totals__child_inside_parent_not_counted_twice():
    totals = stated_totals(_frame(), ["floor_area_m2"])
    assert totals["floor_area_m2"] == {"sum": 45_000.0, "known": 4, "unknown": 1, "within_parent": 2}


def test_stated_totals__child_counts_when_parent_lacks_that_figure():
    totals = stated_totals(_frame(), ["land_area_m2"])
    assert totals["land_area_m2"]["sum"] == 800.0
    assert totals["land_area_m2"]["within_parent"] == 0


def test_stated_totals__unknown_is_none_not_zero():
    frame = pd.DataFrame({"id": ["a"], "parent_id": [None], "floor_area_m2": [None]})
    assert stated_totals(frame, ["floor_area_m2", "missing_m2"]) == {
        "floor_area_m2": {"sum": None, "known": 0, "unknown": 1, "within_parent": 0},
        "missing_m2": {"sum": None, "known": 0, "unknown": 1, "within_parent": 0},
    }


def test_counted_mask__parent_cycle_does_not_hang():
    frame = pd.DataFrame({"id": ["a", "b"], "parent_id": ["b", "a"], "floor_area_m2": [1.0, 2.0]})
    assert counted_mask(frame, "floor_area_m2").tolist() == [False, False]
