"""A reader's copy of the store kept current by reading only the rows written since (issue 12), on
both backends: the copy after a refresh equals a fresh read, and the refresh read only what changed."""
from __future__ import annotations

import pandas as pd
import pytest

from geodata.reports.inventory import store_snapshot, zoned
from geodata.storage import open_store, read_all, read_copy, read_layer, read_rows, refresh_copy, store_version, write_rows
from geodata.storage.base import Store
from geodata.stewardship.commits import edit_fields
from geodata.stewardship.goals import set_goal
from layers.catalogue import CARRIER_LAYERS
from spatial.carriers import combine_carriers


def _same_as_a_fresh_read(frames: dict, location) -> None:
    fresh = read_all(location)
    assert set(frames) == set(fresh)
    for key, frame in fresh.items():
        pd.testing.assert_frame_equal(frames[key], frame, obj=key)


@pytest.fixture
def reads(monkeypatch):
    """Every ``read_layer`` call as ``(layer, ids or None)``."""
    seen: list[tuple[str, list[str] | None]] = []
    original = Store.read_layer

    def spy(self, key, *, ids=None, names=False):
        seen.append((key, None if ids is None else sorted(map(str, ids))))
        return original(self, key, ids=ids, names=names)

    monkeypatch.setattr(Store, "read_layer", spy)
    return seen


def _renamed(location, layer: str, position: int, name: str) -> pd.DataFrame:
    row = read_layer(layer, location).iloc[[position]].copy()
    row["name_en"] = name
    return row


def test_refresh__one_row_written_by_another_reads_exactly_that_row(store_copy, reads):
    copy = read_copy(store_copy)
    row = _renamed(store_copy, "incubators", 1, "Renamed by another process")
    write_rows("incubators", row, location=store_copy)
    reads.clear()
    fresh, changes = refresh_copy(copy, store_copy)
    fid = str(row["id"].iloc[0])
    assert reads == [("incubators", [fid])]
    assert (changes.full, changes.layers, changes.rows_read) == (False, {"incubators": ([fid], [])}, 1)
    assert all(fresh.frames[k] is copy.frames[k] for k in copy.frames if k != "incubators")
    _same_as_a_fresh_read(fresh.frames, store_copy)


def test_refresh__nothing_written_reads_nothing_and_keeps_every_frame(store_copy, reads):
    copy = read_copy(store_copy)
    reads.clear()
    fresh, changes = refresh_copy(copy, store_copy)
    assert reads == [] and changes.layers == {} and changes.rows_read == 0
    assert all(fresh.frames[k] is copy.frames[k] for k in copy.frames)


def test_refresh__added_changed_and_deleted_rows_match_a_fresh_read(store_copy):
    copy = read_copy(store_copy)
    lows = read_layer("lowcost_spaces", store_copy)
    added = lows.iloc[[0]].assign(id="lc-added-by-test", name_zh="新增载体", name_en="Added")
    changed = _renamed(store_copy, "lowcost_spaces", 2, "Changed")
    gone = next(i for i in lows["id"].iloc[3:] if _deletable(store_copy, i))
    write_rows("lowcost_spaces", pd.concat([changed, added], ignore_index=True), [gone], location=store_copy)
    fresh, changes = refresh_copy(copy, store_copy)
    assert changes.layers["lowcost_spaces"] == (sorted([str(changed["id"].iloc[0]), "lc-added-by-test"]), [gone])
    _same_as_a_fresh_read(fresh.frames, store_copy)


def _deletable(location, fid: str) -> bool:
    """A carrier no other row names (no child carrier, no ledger entry)."""
    frames = read_all(location)
    named = {str(v) for k in CARRIER_LAYERS for v in frames[k]["parent_id"].dropna()}
    named |= {str(v) for v in frames["incubation_ledger"]["carrier_id"].dropna()}
    return fid not in named


def test_refresh__audited_edit_and_a_plain_table_match_a_fresh_read(store_copy):
    copy = read_copy(store_copy)
    edit_fields("lc-fintech-city", {"notes": "checked on site"}, reason="visit", who="wang", path=store_copy)
    set_goal(2_000_000.0, 2030, set_by="planner", reason="new plan", path=store_copy)
    fresh, changes = refresh_copy(copy, store_copy)
    assert changes.layers["lowcost_spaces"] == (["lc-fintech-city"], [])
    assert changes.layers["audit_log"] is None and changes.layers["progress_goals"] is None  # small: read whole
    assert not changes.full
    _same_as_a_fresh_read(fresh.frames, store_copy)


def test_refresh__changed_metadata_reads_everything(store_copy):
    copy = read_copy(store_copy)
    open_store(store_copy).write_meta({"test_marker": "changed"})
    fresh, changes = refresh_copy(copy, store_copy)
    assert changes.full
    _same_as_a_fresh_read(fresh.frames, store_copy)


def test_store_snapshot__one_copy_per_store_patched_after_a_write(store_copy):
    location, revision = store_version(store_copy)
    frames, carriers = store_snapshot(location, revision)
    assert store_snapshot(location, revision)[1] is carriers  # the same copy, not another
    row = _renamed(store_copy, "tech_buildings", 0, "Renamed tower")
    write_rows("tech_buildings", row, location=store_copy)
    location, later = store_version(store_copy)
    assert later != revision
    new_frames, new_carriers = store_snapshot(location, later)
    assert all(new_frames[k] is frames[k] for k in frames if k != "tech_buildings")
    every = read_all(store_copy)
    pd.testing.assert_frame_equal(new_carriers, zoned(combine_carriers(every, CARRIER_LAYERS), every))
    assert store_snapshot(location, revision)[1] is new_carriers  # an older revision asked: the copy held


@pytest.mark.gpkg_only
def test_read_layer__by_ids_on_a_file_reads_those_rows_only(store_copy):
    every = read_layer("incubators", store_copy)
    wanted = [str(every["id"].iloc[2]), "it's-not-there", str(every["id"].iloc[0])]
    got = read_rows("incubators", wanted, store_copy)
    expected = every.loc[every["id"].isin(wanted)].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)
    assert read_rows("incubators", [], store_copy).empty
    by_name = read_rows("incubators", [every["name_zh"].iloc[3], every["name_en"].iloc[1]], store_copy, names=True)
    pd.testing.assert_frame_equal(by_name, every.iloc[[1, 3]].reset_index(drop=True))
