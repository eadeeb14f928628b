"""Fixtures for the PostGIS push-down tests: a store holding the bundled data and a synthetic city."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from geodata.storage import open_store, read_all
from geodata.synthetic import synthetic_city
from layers.catalogue import CARRIER_LAYERS
from spatial.carriers import combine_carriers
from tests.conftest import new_database


@pytest.fixture(scope="session")
def city(pg_cluster):
    """The bundled store plus a synthetic city: 3,000 carriers (some inside others) across
    Shenzhen and 300 parcels crossing district and subdistrict borders."""
    url = new_database(pg_cluster)
    frames = read_all(url)
    layers, parcels = synthetic_city(3_000, 300, frames["shenzhen_districts"], seed=11, parent_share=0.05)
    merged = {k: gpd.GeoDataFrame(pd.concat([frames[k], layers[k]], ignore_index=True), geometry="geometry",
                                  crs=frames[k].crs) for k in CARRIER_LAYERS}
    store = open_store(url)
    store.write_layers(merged)
    store.load_parcels("city_parcels", parcels)
    frames = read_all(url)
    features = combine_carriers(frames, CARRIER_LAYERS)
    features = gpd.GeoDataFrame(pd.concat([features, parcels], ignore_index=True), geometry="geometry",
                                crs=features.crs)
    return url, frames, features
