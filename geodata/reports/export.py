"""Export carriers as GeoJSON, CSV and XLSX; every text cell and header guarded against formula injection.

Spreadsheet safety is decided here, once, for every caller (the pages' downloads, ``cli.py export``,
``--rejected-csv``): line breaks are normalised (CR LF and a lone CR become LF), a text that begins
with ``=``, ``+``, ``-``, ``@``, a tab or a line break gets a leading apostrophe, headers included,
and every CSV field that holds a line break is quoted, so no value can start a row of its own.
"""
from __future__ import annotations

import csv
import io
import re

import geopandas as gpd
import pandas as pd

from spatial.crs import WGS84, require_crs

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
"""Leading characters a spreadsheet may take as the start of a formula (a line break counts: it
was a carriage return before the line breaks were normalised)."""
CSV_LINE_END = "\r\n"
"""Row separator of the CSV files (RFC 4180); a field holding either character is quoted."""
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters an XLSX cell cannot hold (openpyxl refuses them): replaced by U+FFFD."""


def normalise_breaks(text: str) -> str:
    """``text`` with CR LF and lone CR line breaks turned into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def guard_formula(value):
    """Neutralise a text cell or header that a spreadsheet would run as a formula.

    Line breaks are normalised first (:func:`normalise_breaks`); text then starting with ``=``,
    ``+``, ``-``, ``@``, tab or a line break gets a leading apostrophe. Other values are returned
    unchanged.

    Examples
    --------
    >>> guard_formula("=1+1"), guard_formula("a\\r+1"), guard_formula(-5.0)
    ("'=1+1", 'a\\n+1', -5.0)
    """
    if not isinstance(value, str):
        return value
    value = normalise_breaks(value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell and every text header passed through :func:`guard_formula`."""
    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            out.isetitem(i, column.map(guard_formula).astype(object))
    out.columns = [guard_formula(c) for c in out.columns]
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
    """An XLSX workbook, one sheet per table, every text cell and header guarded against formulas
    (control characters a cell cannot hold become U+FFFD)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, table in sheets.items():
            _xlsx_safe(guard_frame(table)).to_excel(writer, sheet_name=name[:31], index=False)
    return buf.getvalue()


def _xlsx_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (guarded, a copy) without the control characters openpyxl refuses to write."""
    def clean(value):
        return _XLSX_ILLEGAL.sub("\ufffd", value) if isinstance(value, str) else value

    for i in range(frame.shape[1]):
        if frame.iloc[:, i].dtype == object:
            frame.isetitem(i, frame.iloc[:, i].map(clean))
    frame.columns = [clean(c) for c in frame.columns]
    return frame


def table_csv(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV with BOM and CR LF rows, every text cell and header guarded against formulas;
    a field holding a line break is quoted."""
    text = guard_frame(table).to_csv(index=False, quoting=csv.QUOTE_MINIMAL, lineterminator=CSV_LINE_END)
    return ("\ufeff" + text).encode("utf-8")
