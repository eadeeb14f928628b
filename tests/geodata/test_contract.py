"""The store contract: both backends answer the same methods the same way; work a backend cannot
push down raises NotSupported and the caller's fallback gives the same figures."""
from __future__ import annotations

import inspect

import pandas as pd
import pytest

from geodata.reports.inventory import snapshot
from geodata.reports.planning import tally_report
from geodata.storage import NotSupported, open_store
from geodata.storage.base import Store
from geodata.storage.gpkg import GeoPackageStore
from geodata.storage.postgis import PostGISStore
from spatial.match import Need
from spatial.scope import in_scope
from spatial.tally import tally_by


def test_backends__implement_every_primitive_with_the_base_signature():
    abstract = Store.__abstractmethods__
    assert {"read_table", "write_change", "lock", "migrate", "export_gpkg"} <= abstract
    for cls in (GeoPackageStore, PostGISStore):
        assert not cls.__abstractmethods__, cls
        for name in abstract:
            base = inspect.signature(getattr(Store, name))
            mine = inspect.signature(getattr(cls, name))
            assert list(base.parameters)[:len(base.parameters)] == list(mine.parameters)[:len(base.parameters)], \
                (cls.__name__, name)


def test_open_store__picks_the_backend_by_location(store):
    opened = open_store(store)
    assert isinstance(opened, PostGISStore if isinstance(store, str) else GeoPackageStore)
    assert opened.version() == (str(store), opened.revision())
    assert "postgresql://" in opened.describe() if isinstance(store, str) else opened.describe() == str(store)


def test_read_layer__by_ids_and_names_equals_the_filtered_layer(store):
    opened = open_store(store)
    every = opened.read_layer("incubators")
    wanted = [every["id"].iloc[0], every["name_en"].iloc[1]]
    by_ids = opened.read_layer("incubators", ids=wanted[:1])
    by_names = opened.read_layer("incubators", ids=wanted, names=True)
    assert by_ids["id"].tolist() == [wanted[0]]
    assert by_names["id"].tolist() == every["id"].iloc[:2].tolist()
    assert opened.read_layer("incubators", ids=["no-such-id"]).empty


def test_tally__pushed_down_or_not_supported_with_the_same_rows(store):
    opened = open_store(store)
    frames, carriers = snapshot(store)
    if isinstance(opened, PostGISStore):  # the database tallies by itself
        pushed = opened.tally("subdistrict", land="apportion", stated="centroid", scope="futian")
        scoped = carriers.loc[in_scope(carriers, frames["district"], "futian")].reset_index(drop=True)
        embedded = tally_by("subdistrict", scoped, frames, land="apportion", stated="centroid")
        cols = ["unit", "count", "floor_area_m2", "usable_area_m2", "space_area_m2", "incubation_area_m2"]
        pd.testing.assert_frame_equal(pushed["rows"][cols].reset_index(drop=True),
                                      embedded["rows"][cols].reset_index(drop=True), check_dtype=False)
        # and once the carriers placed by zone are moved to their zone's unit, the same report
        placed = tally_report("subdistrict", carriers, frames, location=store)["rows"]
        here = tally_report("subdistrict", carriers, frames)["rows"]
        pd.testing.assert_frame_equal(placed[[*cols, "zone_placed"]].reset_index(drop=True),
                                      here[[*cols, "zone_placed"]].reset_index(drop=True), check_dtype=False)
    else:
        with pytest.raises(NotSupported):
            opened.tally("subdistrict", land="apportion", stated="centroid", scope="futian")
    with pytest.raises(NotSupported):  # no backend tallies a non-spatial kind itself
        opened.tally("industry", land="apportion", stated="centroid", scope="futian")


def test_match__pushed_down_or_not_supported(store):
    opened = open_store(store)
    zones = {k: opened.read_layer(k) for k in ("district", "subdistricts", "clusters", "hetao")}
    need = Need(industry="biomed", area_min=500.0)
    if isinstance(opened, PostGISStore):  # the database pre-filters by itself
        found = opened.match(need, zones, scope="futian", top=5)
        assert found["scope_size"] > 0 and len(found["result"].order) <= 5
    else:
        with pytest.raises(NotSupported):
            opened.match(need, zones, scope="futian", top=5)


def test_backup__a_file_store_keeps_copies_a_database_keeps_its_own(store_copy):
    opened = open_store(store_copy)
    made = opened.backup(keep=2)
    if opened.keeps_backups:
        assert made is not None and made.exists() and opened.list_backups() == [made]
    else:
        assert made is None and opened.list_backups() == []
