"""Read the curated files shipped under ``geodata/data`` into typed frames.

GeoJSON layers are read with GDAL (pyogrio); the carrier CSV is read as text and its
``lon``/``lat`` columns (WGS-84) become point geometries, a blank pair meaning
"location unknown" (null geometry).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geodata.ingest.schema import coerce_frame
from layers.catalogue import CARRIER_LAYERS, LAYERS, LayerSpec
from spatial.crs import WGS84
from spatial.errors import Problem

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def bundled_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """The data files the catalogue refers to, in a stable order."""
    return sorted({data_dir / spec.file for spec in LAYERS.values()})


def bundled_hash(data_dir: Path = DATA_DIR) -> str:
    """SHA-256 over the bundled data files (names and bytes)."""
    digest = hashlib.sha256()
    for path in bundled_files(data_dir):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_csv_text(path: Path) -> pd.DataFrame:
    """Read a UTF-8 CSV with every cell as text (blank cells become None)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return frame.replace({"": None})


def points_from_lonlat(frame: pd.DataFrame, *, layer: str) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Build WGS-84 points from ``lon``/``lat`` text columns; blanks give null geometry."""
    problems: list[Problem] = []
    lon = pd.to_numeric(frame.get("lon"), errors="coerce")
    lat = pd.to_numeric(frame.get("lat"), errors="coerce")
    for i, (raw_x, raw_y, x, y) in enumerate(zip(frame.get("lon"), frame.get("lat"), lon, lat)):
        given = raw_x is not None or raw_y is not None
        if given and (np.isnan(x) or np.isnan(y)):
            fid = frame["id"].iloc[i] if "id" in frame.columns else f"row {i + 1}"
            problems.append(Problem(layer, str(fid), "lon/lat", f"{raw_x},{raw_y}", "coordinates are not numbers"))
    geometry = gpd.points_from_xy(lon, lat)
    geometry[(lon.isna() | lat.isna()).to_numpy()] = None
    out = gpd.GeoDataFrame(frame.drop(columns=[c for c in ("lon", "lat") if c in frame.columns]),
                           geometry=geometry, crs=WGS84)
    return out, problems


def read_bundled_layer(spec: LayerSpec, *, data_dir: Path = DATA_DIR) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one layer from the shipped files, typed; return it with its typing problems."""
    path = data_dir / spec.file
    if spec.geometry is None:
        return coerce_frame(read_csv_text(path), spec)
    if spec.file.endswith(".csv"):
        raw = read_csv_text(path)
        if spec.key in CARRIER_LAYERS:
            raw = raw.loc[raw["layer"] == spec.key].reset_index(drop=True)
        frame, problems = points_from_lonlat(raw, layer=spec.key)
        typed, more = coerce_frame(frame, spec)
        return typed, problems + more
    frame = pyogrio.read_dataframe(path)
    return coerce_frame(frame, spec)


def read_bundled(*, data_dir: Path = DATA_DIR) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Read every catalogue layer from the shipped files."""
    frames: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for key, spec in LAYERS.items():
        frames[key], found = read_bundled_layer(spec, data_dir=data_dir)
        problems.extend(found)
    carriers = read_csv_text(data_dir / LAYERS[CARRIER_LAYERS[0]].file)
    for i, (fid, layer) in enumerate(zip(carriers["id"], carriers["layer"])):
        if layer not in CARRIER_LAYERS:
            problems.append(Problem("carriers", fid or f"row {i + 1}", "layer", layer,
                                    f"unknown carrier layer; expected one of {', '.join(CARRIER_LAYERS)}"))
    return frames, problems
