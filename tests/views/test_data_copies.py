"""The pages' data: one shared copy per store and scope in the process, replaced (not added to) when
another process writes, and patched from the rows written (issue 12)."""
from __future__ import annotations

import gc
import weakref

import pandas as pd

from geodata.storage import read_layer, store_version, write_rows
from views import data


def _write_one_row(location) -> None:
    row = read_layer("incubators", location).iloc[[0]].copy()
    row["name_en"] = "Renamed by another process"
    write_rows("incubators", row, location=location)


def test_carriers__one_shared_frame_per_scope_until_the_store_changes(store_copy):
    path, revision = store_version(store_copy)
    futian = data._carriers(path, revision, "futian")
    everywhere = data._carriers(path, revision, "shenzhen")
    assert data._carriers(path, revision, "futian") is futian  # shared, not a copy per call
    assert futian is not everywhere  # the scope's own frame (the snapshot holds every carrier)
    was = weakref.ref(futian)
    _write_one_row(store_copy)
    path, later = store_version(store_copy)
    renamed = data._carriers(path, later, "futian")
    assert renamed is not futian
    assert "Renamed by another process" in set(renamed["name_en"])
    del futian, everywhere
    gc.collect()
    assert was() is None  # the old copy is gone with the old snapshot: one copy per scope


def test_frames__the_same_objects_for_layers_no_write_touched(store_copy):
    path, revision = store_version(store_copy)
    before = data.store_snapshot(path, revision)[0]
    _write_one_row(store_copy)
    after = data.store_snapshot(*store_version(store_copy))[0]
    assert after["incubators"] is not before["incubators"]
    assert all(after[k] is before[k] for k in before if k != "incubators")
    pd.testing.assert_frame_equal(after["incubators"], read_layer("incubators", store_copy))
