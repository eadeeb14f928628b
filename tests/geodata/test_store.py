import re
import shutil
import sqlite3
import subprocess

import pytest

from geodata.ingest.bundled import DATA_DIR
from geodata.storage.migrations import LATEST
from geodata.storage import (create_store, ensure_store, list_store_layers, open_store, read_all, read_layer, read_meta,
                             store_path)
from layers.catalogue import LAYERS
from layers.market_catalogue import LAZY_LAYERS
from spatial.errors import StoreError, UnknownLayerError, ValidationError


def _ogrinfo() -> str:
    exe = shutil.which("ogrinfo")
    assert exe, "GDAL's ogrinfo is missing: run the README's test command (it installs gdal-bin)"
    return exe


def _gdal_name(location) -> str:
    if not isinstance(location, str):
        return str(location)
    import psycopg

    p = psycopg.conninfo.conninfo_to_dict(location)
    return f"PG:host={p['host']} port={p['port']} user={p['user']} dbname={p['dbname']}"


def test_create_store__every_layer_readable_by_gdal_ogrinfo(store, frames):
    for key, spec in LAYERS.items():
        out = subprocess.run([_ogrinfo(), "-so", "-ro", _gdal_name(store), key], capture_output=True, text=True,
                             check=True)
        count = int(re.search(r"Feature Count: (\d+)", out.stdout).group(1))
        expected = frames[key] if key in frames else open_store(store).read_layer(key)  # lazy: read by itself
        assert count == len(expected), key
        if spec.geometry is not None and isinstance(store, str):  # PostGIS: geom (WGS-84) and geom_m (EPSG:4547)
            assert 'ID["EPSG",4326]' in out.stdout and 'ID["EPSG",4547]' in out.stdout, key
        elif spec.geometry is not None:
            assert 'ID["EPSG",4326]' in out.stdout, key
            assert f"Geometry: {'Multi Polygon' if spec.geometry == 'MultiPolygon' else spec.geometry}" in out.stdout


def test_create_store__layers_and_meta(store):
    assert sorted(list_store_layers(store)) == sorted(LAYERS)
    meta = read_meta(store)
    assert meta["schema_version"] == str(LATEST) and len(meta["bundled_hash"]) == 64
    if not isinstance(store, str):
        with sqlite3.connect(store) as con:
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_ensure_store__idempotent(tmp_path):
    path = tmp_path / "s.gpkg"
    ensure_store(path)
    before = (path.stat().st_mtime_ns, path.read_bytes())
    ensure_store(path)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_create_store__refuses_to_overwrite(tmp_path):
    path = tmp_path / "s.gpkg"
    create_store(path)
    with pytest.raises(StoreError, match="already exists"):
        create_store(path)


def test_create_store__invalid_bundled_data_writes_nothing(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    csv = data / "carriers.csv"
    csv.write_text(csv.read_text("utf-8").replace(",32800,", ",-32800,"), "utf-8")
    target = tmp_path / "out" / "s.gpkg"
    with pytest.raises(ValidationError, match="must not be negative"):
        create_store(target, data_dir=data)
    assert not target.exists()
    assert not any(target.parent.glob("*")) if target.parent.exists() else True


def test_read_layer__round_trips_types(frames):
    parks = frames["science_parks"].set_index("id")
    assert parks.loc["sp-biomed", "floor_area_m2"] == 31_086.6
    assert parks.loc["sp-biomed", "industries"] == "biomed"
    assert bool(parks.loc["sp-biomed", "hk_link"]) is True
    assert frames["targets"].set_index("year").loc[2025, "area_m2"] == 1_500_000
    assert parks.loc["sp-quantum", "usable_area_m2"] == 33_000  # one measure per field, each stored
    space = frames["lowcost_spaces"].set_index("id").loc["lc-huaqiangbei"]
    assert (space["space_area_m2"], space["space_area_qualifier"]) == (40_000, "at_least")
    assert space["location_basis"] == "zone" and space["zone_id"] == "cluster-huaqiangbei-shangbu"
    unknown = frames["incubators"].set_index("id").loc["inc-angel-hub"]
    assert unknown["geometry"] is None


def test_read_layer__unknown_layer_names_the_known_ones(store):
    with pytest.raises(UnknownLayerError, match="known layers: district"):
        read_layer("nope", store)


def test_store_path__from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SPACEMAP_STORE", str(tmp_path / "x.gpkg"))
    assert store_path() == tmp_path / "x.gpkg"


def test_read_all__creates_missing_store_on_first_use(tmp_path):
    path = tmp_path / "fresh" / "s.gpkg"
    frames = read_all(path)
    assert path.exists() and set(frames) == set(LAYERS) - set(LAZY_LAYERS)
    assert open_store(path).read_layer("attachment_blobs").empty  # a lazy layer: there, read by itself


def test_ensure_store__adds_new_catalogue_layers_to_an_old_store(tmp_path):
    path = tmp_path / "old.gpkg"
    create_store(path)
    with sqlite3.connect(path) as con:  # simulate a store made before demand_pool existed
        con.execute("DROP TABLE demand_pool")
        con.execute("DELETE FROM gpkg_contents WHERE table_name = 'demand_pool'")
    assert "demand_pool" not in list_store_layers(path)
    ensure_store(path)
    assert "demand_pool" in list_store_layers(path)
    assert read_layer("demand_pool", path).empty
    assert len(read_layer("science_parks", path)) == 19  # existing layers untouched (19 bundled parks)
