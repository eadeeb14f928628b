"""Read a space inventory to match against: the store, or a GeoPackage, GeoJSON or CSV file."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
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

ZONE_KEYS = ("subdistricts", "clusters", "hetao")
"""The zone layers :func:`zoned` reads: a change of one zones every carrier again."""
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


HELD_LOCATIONS = 4
"""Stores (locations) whose copy a process keeps at once (an app has one; tests open many)."""


@dataclass
class _Held:
    labels: set
    copy: object
    carriers: gpd.GeoDataFrame


_held: OrderedDict[str, _Held] = OrderedDict()
_lock = threading.RLock()


def store_snapshot(location: str, revision: int) -> tuple[dict[str, pd.DataFrame], gpd.GeoDataFrame]:
    """Every layer of the store and the zoned carriers at ``revision`` (``location`` and ``revision``
    from :func:`geodata.storage.store_version`).

    The process keeps one copy per store (``cli.py serve`` fills it before the first visitor): a new
    revision brings it up to date by reading only the rows written since
    (:func:`geodata.storage.refresh_copy`), the zoned carriers patched for those rows alone. Shared by
    the whole process: callers must treat the result as read-only.
    """
    from geodata.storage import as_location, read_copy, refresh_copy

    with _lock:
        held = _held.get(location)
        if held is not None and revision in held.labels:
            _held.move_to_end(location)
            return held.copy.frames, held.carriers
        if held is None:
            copy = read_copy(as_location(location))
            held = _Held({revision}, copy, zoned(combine_carriers(copy.frames, CARRIER_LAYERS), copy.frames))
        else:
            copy, changes = refresh_copy(held.copy, as_location(location))
            same = not changes.full and not changes.layers
            held = _Held({*held.labels, revision} if same else {revision}, copy,
                         held.carriers if same else patched_carriers(held.carriers, copy.frames, changes))
        _held[location] = held
        _held.move_to_end(location)
        while len(_held) > HELD_LOCATIONS:
            _held.popitem(last=False)
        return held.copy.frames, held.carriers


def patched_carriers(carriers: gpd.GeoDataFrame, frames: dict[str, pd.DataFrame], changes) -> gpd.GeoDataFrame:
    """The zoned carriers after ``changes`` (:class:`geodata.storage.snapshot_delta.Changes`): only the
    rows read again are zoned again (all of them when a zone layer changed), in the store's order."""
    if changes.full or any(k in changes.layers for k in ZONE_KEYS):
        return zoned(combine_carriers(frames, CARRIER_LAYERS), frames)
    if not any(k in changes.layers for k in CARRIER_LAYERS):
        return carriers
    parts = []
    for key in CARRIER_LAYERS:
        mine = carriers.loc[(carriers["layer"] == key).to_numpy()]
        what = changes.layers.get(key, ([], []))
        changed, gone = what if what is not None else (None, [])
        if changed is not None:
            parts.append(mine.loc[~mine["id"].astype(str).isin({*changed, *gone}).to_numpy()])
        fresh = frames[key] if changed is None else frames[key].loc[frames[key]["id"].astype(str).isin(set(changed))]
        if len(fresh):
            parts.append(zoned(combine_carriers({key: fresh}, [key]), frames))
    parts = [p for p in parts if len(p)]
    if not parts:
        return zoned(combine_carriers(frames, CARRIER_LAYERS), frames)
    out = pd.concat(parts, ignore_index=True)
    for column in ("subdistrict", "clusters", "in_hetao"):  # typed as zoned() types them, from all the rows
        out[column] = out[column].to_numpy()
    return gpd.GeoDataFrame(out[[c for c in carriers.columns if c in out.columns]], geometry="geometry",
                            crs=carriers.crs)


def snapshot(location=None) -> tuple[dict[str, pd.DataFrame], gpd.GeoDataFrame]:
    """:func:`store_snapshot` of the store at ``location`` (default: the configured one), current version."""
    from geodata.storage import store_version

    return store_snapshot(*store_version(location))
