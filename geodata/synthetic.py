"""A synthetic carrier inventory with a fixed seed, for benchmarks and scale tests.

Points are drawn uniformly inside a boundary polygon (Futian by default); attributes are
drawn from the real vocabularies. Every synthetic figure cites "synthetic (seed N)" so
the inventory passes validation and can never be mistaken for data.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.catalogue import CARRIER_LAYERS
from layers.vocab import FACILITIES, INDUSTRIES
from spatial.crs import WGS84

DEFAULT_SEED = 20_251_500


def random_points_in(polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` (lon, lat) pairs uniformly inside ``polygon`` (WGS-84), vectorised rejection."""
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    out = np.empty((0, 2))
    while len(out) < n:
        k = max(64, int((n - len(out)) * 1.6))
        cand = np.column_stack([rng.uniform(minx, maxx, k), rng.uniform(miny, maxy, k)])
        out = np.vstack([out, cand[shapely.contains_xy(polygon, cand[:, 0], cand[:, 1])]])
    return out[:n]


def synthetic_carriers(n: int, boundary, *, seed: int = DEFAULT_SEED, layer: str | None = None,
                       prefix: str = "syn") -> gpd.GeoDataFrame:
    """Return ``n`` synthetic carriers inside ``boundary``.

    Parameters
    ----------
    n : int
        Number of carriers.
    boundary : shapely Polygon/MultiPolygon
        WGS-84 area to fill.
    seed : int, keyword-only
        Random seed; the same seed gives the same inventory.
    layer : str, keyword-only, optional
        Put every carrier in this carrier layer (default: spread over the four).
    """
    rng = np.random.default_rng(seed)  # the draws below come in a fixed order: the same seed, the same inventory
    xy = random_points_in(boundary, n, rng)
    codes = _codes(n, rng)
    figures = _figures(n, rng)
    layers = np.array(CARRIER_LAYERS)[rng.integers(0, len(CARRIER_LAYERS), n)] if layer is None else \
        np.full(n, layer)
    frame = _carrier_frame(n, prefix, f"synthetic (seed {seed})", layers, codes, figures, hk_link=rng.random(n) < 0.1)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=WGS84)


def _codes(n: int, rng: np.random.Generator) -> dict[str, object]:
    """Industries (one, or two for about 30 %) and facilities (each with a 15 % chance)."""
    industries = np.array(list(INDUSTRIES))
    facilities = np.array(list(FACILITIES))
    ind_a = industries[rng.integers(0, len(industries), n)]
    ind_b = industries[rng.integers(0, len(industries), n)]
    two = rng.random(n) < 0.3
    fac_mask = rng.random((n, len(facilities))) < 0.15
    return {"industries": np.where(two & (ind_a != ind_b), np.char.add(np.char.add(ind_a, ";"), ind_b), ind_a),
            "facilities": [";".join(facilities[row]) for row in fac_mask]}


def _figures(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Floor area (log-normal, median ≈ 4,000 m²) and, for some carriers, available area, rent and
    incubation area (NaN: not stated)."""
    floor = np.round(np.exp(rng.normal(8.3, 1.0, n)), 0)
    available = np.where(rng.random(n) < 0.7, np.round(floor * rng.uniform(0.0, 0.6, n), 0), np.nan)
    rent = np.where(rng.random(n) < 0.7, np.round(rng.uniform(40, 260, n), 0), np.nan)
    incubation = np.where(rng.random(n) < 0.3, np.round(floor * rng.uniform(0.2, 1.0, n), 0), np.nan)
    return {"floor_area_m2": floor, "incubation_area_m2": incubation, "available_area_m2": available,
            "rent_cny_m2_month": rent}


def _cited(values: np.ndarray, cite: str) -> np.ndarray:
    return np.where(np.isnan(values), None, cite)


def _carrier_frame(n: int, prefix: str, cite: str, layers: np.ndarray, codes: dict, figures: dict, *,
                   hk_link: np.ndarray) -> pd.DataFrame:
    """The carrier attributes in catalogue order; every stated figure cites ``cite``."""
    return pd.DataFrame({
        "id": [f"{prefix}-{i:07d}" for i in range(n)],
        "layer": layers,
        "name_zh": [f"合成载体{i}" for i in range(n)],
        "name_en": [f"Synthetic carrier {i}" for i in range(n)],
        "address_zh": None,
        "accuracy_m": 10.0,
        "location_basis": "surveyed",
        "location_note": cite,
        "land_area_m2": np.nan,
        "land_area_source": None,
        "floor_area_m2": figures["floor_area_m2"],
        "floor_area_source": cite,
        "incubation_area_m2": figures["incubation_area_m2"],
        "incubation_area_source": _cited(figures["incubation_area_m2"], cite),
        "available_area_m2": figures["available_area_m2"],
        "available_area_source": _cited(figures["available_area_m2"], cite),
        "rent_cny_m2_month": figures["rent_cny_m2_month"],
        "rent_source": _cited(figures["rent_cny_m2_month"], cite),
        "industries": codes["industries"],
        "facilities": codes["facilities"],
        "policies": None,
        "status": "operating",
        "status_source": None,
        "opened": None,
        "operator": None,
        "parent_id": None,
        "hk_link": hk_link,
        "source": cite,
        "notes": None,
    })


def synthetic_parcels(n: int, boundary, *, seed: int = DEFAULT_SEED, prefix: str = "parcel",
                      size_m: tuple[float, float] = (20.0, 400.0)) -> gpd.GeoDataFrame:
    """Return ``n`` synthetic square parcels (polygons) centred inside ``boundary``.

    Sides are drawn between ``size_m`` metres (in EPSG:4547, then stored in WGS-84), so
    some parcels cross subdistrict borders and the district edge. Attributes are those of
    :func:`synthetic_carriers` with the same seed; the stated land area is the drawn square.
    """
    from spatial.crs import METRIC_CRS

    carriers = synthetic_carriers(n, boundary, seed=seed, prefix=prefix)
    rng = np.random.default_rng(seed + 1)
    centres = carriers.to_crs(METRIC_CRS).geometry
    half = rng.uniform(size_m[0], size_m[1], n) / 2
    boxes = shapely.box(centres.x - half, centres.y - half, centres.x + half, centres.y + half)
    parcels = gpd.GeoDataFrame(carriers.drop(columns="geometry"), geometry=boxes, crs=METRIC_CRS).to_crs(WGS84)
    parcels["land_area_m2"] = np.round((2 * half) ** 2, 1)
    parcels["land_area_source"] = carriers["floor_area_source"]
    return parcels


CITY_SEED = 20_260_600


def synthetic_city(n_spaces: int, n_polygons: int, districts: gpd.GeoDataFrame, *, seed: int = CITY_SEED,
                   parent_share: float = 0.002) -> tuple[dict[str, gpd.GeoDataFrame], gpd.GeoDataFrame]:
    """A city-scale inventory over the Shenzhen districts: ``n_spaces`` carriers (points, spread
    over the four carrier layers) and ``n_polygons`` parcels (polygons with the carrier fields).

    A share ``parent_share`` of the carriers lies inside an earlier one (``parent_id``), so the
    double-count rule has work to do. The same seed gives the same inventory.

    Returns
    -------
    (dict, GeoDataFrame)
        Carrier layer → frame, and the parcels.
    """
    boundary = shapely.union_all(districts.geometry.to_numpy())
    carriers = synthetic_carriers(n_spaces, boundary, seed=seed, prefix="city")
    rng = np.random.default_rng(seed + 2)
    children = np.flatnonzero(rng.random(n_spaces) < parent_share)
    children = children[children > 0]
    parents = (children * rng.random(len(children))).astype(np.int64)  # an earlier carrier: no cycles
    parent_col = np.full(n_spaces, None, dtype=object)
    parent_col[children] = carriers["id"].to_numpy()[parents]
    carriers["parent_id"] = parent_col
    layers = {key: carriers.loc[carriers["layer"] == key].reset_index(drop=True) for key in CARRIER_LAYERS}
    parcels = synthetic_parcels(n_polygons, boundary, seed=seed + 7, prefix="cityparcel")
    parcels["layer"] = "science_parks"
    return layers, parcels
