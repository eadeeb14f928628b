"""The tally pushed down to PostGIS gives the same rows as the embedded tally (spatial.tally)."""
from __future__ import annotations

import math

import pytest

from geodata.storage.tally_sql import UNIT_TABLES, tally_in_database
from layers.catalogue import CARRIER_LAYERS
from spatial.carriers import combine_carriers
from spatial.scope import in_scope
from spatial.tally import tally_by
from tests.conftest import BACKENDS, new_database

pytestmark = pytest.mark.skipif("postgis" not in BACKENDS, reason="PostGIS backend not selected")


def _embedded(kind, features, frames, *, land, stated, scope):
    features = features.loc[in_scope(features, frames["district"], scope)].reset_index(drop=True)
    return tally_by(kind, features, frames, land=land, stated=stated, layer_order=CARRIER_LAYERS)


def _same(a, b, where):
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        assert (a is None or a != a) and (b is None or b != b), (where, a, b)
    elif isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-6, abs=1e-3), (where, a, b)
    else:
        assert a == b, (where, a, b)


def assert_same_tally(db: dict, emb: dict) -> None:
    assert db["rows"]["unit"].tolist() == emb["rows"]["unit"].tolist()
    assert db["overlapping"] == emb["overlapping"]
    for d, e in zip(db["rows"].to_dict("records"), emb["rows"].to_dict("records")):
        for col in e:
            _same(d[col], e[col], (e["unit"], col))
    for col, value in emb["total"].items():
        _same(db["total"][col], value, ("total", col))


@pytest.mark.parametrize("kind", list(UNIT_TABLES))
@pytest.mark.parametrize("scope", ["futian", "shenzhen"])
def test_tally_in_database__same_as_embedded_on_city_data(city, kind, scope):
    url, frames, features = city
    for land, stated in (("apportion", "centroid"), ("centroid", "apportion")):
        db = tally_in_database(url, kind, land=land, stated=stated, scope=scope,
                               tables=[*CARRIER_LAYERS, "city_parcels"])
        emb = _embedded(kind, features, frames, land=land, stated=stated, scope=scope)
        assert_same_tally(db, emb)


def test_tally_in_database__parcels_cross_borders_and_parents_are_not_double_counted(city):
    url, frames, features = city
    db = tally_in_database(url, "district", scope="shenzhen", tables=[*CARRIER_LAYERS, "city_parcels"])
    rows = db["rows"].set_index("unit")
    assert db["total"]["count"] == len(features) and db["total"]["polygon_count"] == 300
    assert rows["land_area_m2"].sum() == pytest.approx(db["total"]["land_area_m2"], rel=1e-9)  # nothing lost
    assert rows["floor_area_m2"].sum() == pytest.approx(db["total"]["floor_area_m2"], rel=1e-9)
    known = features["floor_area_m2"].notna().sum()
    assert db["total"]["floor_area_m2_known"] < known  # children inside a parent stating it do not count


@pytest.mark.parametrize("kind", list(UNIT_TABLES))
def test_tally_report__database_and_file_give_the_same_rows_on_the_bundled_data(pg_cluster, kind):
    from geodata.reports.inventory import snapshot
    from geodata.reports.planning import tally_report

    store = new_database(pg_cluster)
    frames, carriers = snapshot(store)
    for scope in ("futian", "shenzhen"):
        db = tally_report(kind, carriers, frames, scope=scope, location=store)
        emb = tally_report(kind, carriers, frames, scope=scope)
        assert_same_tally(db, emb)
        assert db["rows"]["name_en"].tolist() == emb["rows"]["name_en"].tolist()


def test_tally_in_database__a_point_on_a_shared_border_counts_once_in_the_first_unit(pg_cluster):
    """Carriers exactly on vertices shared by two subdistricts go to the first, as in spatial.tally."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from geodata.storage import open_store, read_all

    url = new_database(pg_cluster)
    frames = read_all(url)
    subs = frames["subdistricts"]
    a, b = subs.geometry.iloc[0], subs.geometry.iloc[1:]
    shared = {tuple(c) for c in shapely.get_coordinates(a)} & {tuple(c) for c in shapely.get_coordinates(b.union_all())}
    points = sorted(shared)[:5]
    assert points, "no shared vertex between the first subdistrict and the others"
    extra = frames["incubators"].iloc[:1].drop(columns="geometry")
    rows = pd.concat([extra.assign(id=f"border-{i}", parent_id=None) for i in range(len(points))], ignore_index=True)
    border = gpd.GeoDataFrame(rows, geometry=[shapely.Point(p) for p in points], crs=frames["incubators"].crs)
    incubators = gpd.GeoDataFrame(pd.concat([frames["incubators"], border], ignore_index=True), geometry="geometry",
                                  crs=frames["incubators"].crs)
    open_store(url).write_layers({"incubators": incubators})
    frames = read_all(url)
    features = combine_carriers(frames, CARRIER_LAYERS)
    emb = _embedded("subdistrict", features, frames, land="apportion", stated="centroid", scope="futian")
    db = tally_in_database(url, "subdistrict", scope="futian")
    assert_same_tally(db, emb)
    assert db["total"]["count"] == len(features)
