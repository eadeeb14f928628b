"""Export the whole store: one GeoPackage, GeoJSON per layer, or CSV / XLSX tables."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geodata.reports.export import carriers_table, table_csv, table_xlsx
from geodata.storage import open_store
from layers.catalogue import CARRIER_LAYERS, LAYERS, PUBLIC_LAYERS
from spatial.crs import WGS84
from spatial.errors import SpaceMapError


def public_frames(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Only what anonymous visitors may read: the public layers, without their private fields."""
    out = {}
    for key in PUBLIC_LAYERS:
        if key in frames:
            spec = LAYERS[key]
            keep = [c for c in frames[key].columns if c in spec.public_fields or c == "geometry"]
            out[key] = frames[key][keep]
    return out


def export_store(fmt: str, out: Path, *, path: Path | None = None, public: bool = False) -> list[Path]:
    """Export every layer: one GeoPackage, a folder of GeoJSON (one per layer), or CSV / XLSX
    (carriers with lon/lat plus the tables; every text cell guarded against formulas). ``public``:
    only the public layers and fields (no accounts, enquiries, enterprises, contacts, audit log)."""
    store = open_store(path)
    frames = store.read_all()
    out = Path(out)
    if public:
        frames = public_frames(frames)
        if fmt == "gpkg":
            if out.exists():
                out.unlink()
            for key, frame in frames.items():
                kind = LAYERS[key].geometry
                if kind is None:
                    frame = gpd.GeoDataFrame(frame, geometry=[None] * len(frame), crs=WGS84)
                pyogrio.write_dataframe(frame, out, layer=key, driver="GPKG", geometry_type=kind or "Unknown",
                                        promote_to_multi=kind == "MultiPolygon")
            return [out]
    if fmt == "gpkg":
        if out.exists():
            out.unlink()
        store.export_gpkg(out)
        return [out]
    if fmt == "geojson":
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for key, frame in frames.items():
            target = out / f"{key}.geojson"
            if LAYERS[key].geometry is None:
                frame = gpd.GeoDataFrame(frame, geometry=[None] * len(frame), crs=WGS84)
            pyogrio.write_dataframe(frame, target, driver="GeoJSON")
            written.append(target)
        return written
    if fmt in ("csv", "xlsx"):
        tables = {}
        for key, frame in frames.items():
            if key in CARRIER_LAYERS:
                tables[key] = carriers_table(frame)
            elif LAYERS[key].geometry is None:
                tables[key] = pd.DataFrame(frame)
        if fmt == "xlsx":
            out.write_bytes(table_xlsx(tables))
            return [out]
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for key, table in tables.items():
            (out / f"{key}.csv").write_bytes(table_csv(table))
            written.append(out / f"{key}.csv")
        return written
    raise SpaceMapError(f"unknown export format {fmt!r}: use gpkg, geojson, csv or xlsx")
