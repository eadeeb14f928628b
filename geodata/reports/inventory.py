"""Read a space inventory to match against: the store, or a GeoPackage, GeoJSON or CSV file."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geodata.ingest.bundled import points_from_lonlat, read_csv_text
from geodata.ingest.schema import coerce_frame
from layers.catalogue import CARRIER_LAYERS, get_layer
from spatial.carriers import annotate_carriers, combine_carriers
from spatial.crs import WGS84, require_crs
from spatial.errors import SpaceMapError

DEFAULT_LAYER = "lowcost_spaces"
"""Layer assumed for rows of an outside file that do not say which carrier layer they are."""


def read_spaces(path: Path) -> gpd.GeoDataFrame:
    """Read carriers from a GeoPackage (carrier layers, else its first point layer), GeoJSON
    or CSV (``lon``/``lat`` in WGS-84), typed like the store's carriers.

    Raises
    ------
    SpaceMapError
        When the file cannot be read or lacks what matching needs.
    """
    path = Path(path)
    if not path.exists():
        raise SpaceMapError(f"spaces file not found: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix == ".gpkg":
            names = [str(n) for n, _ in pyogrio.list_layers(path)]
            wanted = [n for n in names if n in CARRIER_LAYERS] or names[:1]
            frames = {n: pyogrio.read_dataframe(path, layer=n) for n in wanted}
            frame = combine_carriers(frames, wanted)
        elif suffix in (".geojson", ".json"):
            frame = gpd.read_file(path)
        elif suffix == ".csv":
            raw = read_csv_text(path)
            if not {"lon", "lat"} <= set(raw.columns):
                raise SpaceMapError(f"{path.name}: a CSV inventory needs lon and lat columns (WGS-84)")
            frame, problems = points_from_lonlat(raw, layer="spaces")
            if problems:
                raise SpaceMapError(f"{path.name}: {problems[0]}")
        else:
            raise SpaceMapError(f"unsupported spaces file {path.name}: use .gpkg, .geojson or .csv")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, UnicodeDecodeError, ValueError) as exc:
        raise SpaceMapError(f"cannot read {path.name}: {exc}") from exc
    require_crs(frame)
    frame = frame.to_crs(WGS84)
    if "id" not in frame.columns or "name_zh" not in frame.columns:
        raise SpaceMapError(f"{path.name}: needs at least id and name_zh columns")
    if "layer" not in frame.columns:
        frame["layer"] = DEFAULT_LAYER
    frame["layer"] = frame["layer"].where(frame["layer"].isin(CARRIER_LAYERS), DEFAULT_LAYER)
    typed, _ = coerce_frame(frame, get_layer(CARRIER_LAYERS[0]))
    return gpd.GeoDataFrame(typed, geometry=frame.geometry.name, crs=WGS84)


def zoned(carriers: gpd.GeoDataFrame, frames: dict[str, pd.DataFrame]) -> gpd.GeoDataFrame:
    """Carriers with subdistrict / cluster / Hetao membership from the store's zone layers."""
    return annotate_carriers(carriers, subdistricts=frames["subdistricts"], clusters=frames["clusters"],
                             hetao=frames["hetao"])


@lru_cache(maxsize=4)
def store_snapshot(location: str, revision: int) -> tuple[dict[str, pd.DataFrame], gpd.GeoDataFrame]:
    """Every layer of the store and the zoned carriers, memoised per store version
    (``location`` and ``revision`` from :func:`geodata.storage.store_version`).

    Shared by the whole process (``cli.py serve`` fills it before the first visitor):
    callers must treat the result as read-only.
    """
    from geodata.storage import as_location, read_all

    frames = read_all(as_location(location))
    return frames, zoned(combine_carriers(frames, CARRIER_LAYERS), frames)


def snapshot(location=None) -> tuple[dict[str, pd.DataFrame], gpd.GeoDataFrame]:
    """:func:`store_snapshot` of the store at ``location`` (default: the configured one), current version."""
    from geodata.storage import store_version

    return store_snapshot(*store_version(location))
