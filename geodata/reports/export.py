"""Export carriers as GeoJSON and CSV; every text cell guarded against formula injection."""
from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd

from spatial.crs import WGS84, require_crs

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def guard_formula(value):
    """Neutralise a text cell that a spreadsheet would run as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
    apostrophe; other values are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell passed through :func:`guard_formula`."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(guard_formula)
    return out


def carriers_table(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Carriers as a flat table: lon/lat columns instead of geometry, list cells joined with ``;``."""
    require_crs(frame, expected=WGS84)
    geom = frame.geometry
    located = geom.notna() & ~geom.is_empty
    table = pd.DataFrame(frame.drop(columns=geom.name))
    table.insert(3 if len(table.columns) >= 3 else 0, "lon", geom.x.where(located))
    table.insert(4 if len(table.columns) >= 4 else 1, "lat", geom.y.where(located))
    for col in table.columns:
        if table[col].map(lambda v: isinstance(v, list)).any():
            table[col] = table[col].map(lambda v: ";".join(map(str, v)) if isinstance(v, list) else v)
    return table


def carriers_csv(frame: gpd.GeoDataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads the Chinese) with lon/lat columns, guarded."""
    return table_csv(carriers_table(frame))


def carriers_geojson(frame: gpd.GeoDataFrame) -> bytes:
    """RFC 7946 GeoJSON (WGS-84) of the carriers; list columns become ``;``-joined text."""
    require_crs(frame, expected=WGS84)
    out = frame.copy()
    for col in out.columns:
        if col != out.geometry.name and out[col].map(lambda v: isinstance(v, list)).any():
            out[col] = out[col].map(lambda v: ";".join(map(str, v)) if isinstance(v, list) else v)
    return out.to_json(drop_id=True, ensure_ascii=False, na="null").encode("utf-8")


def table_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An XLSX workbook, one sheet per table, every text cell guarded against formulas."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, table in sheets.items():
            guard_frame(table).to_excel(writer, sheet_name=name[:31], index=False)
    return buf.getvalue()


def table_csv(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV with BOM, every text cell guarded against formulas."""
    return ("\ufeff" + guard_frame(table).to_csv(index=False)).encode("utf-8")
