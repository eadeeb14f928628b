"""Read an inventory file a data steward brings: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030),
XLSX, GeoJSON, GeoPackage or a zipped Shapefile (its .prj and .cpg honoured by GDAL).

Every failure is an :class:`ImportReadError` with a message a steward can act on; limits
guard against oversized files and zip bombs before anything is decompressed.
"""
from __future__ import annotations

import io
import warnings
import zipfile
from xml.etree.ElementTree import ParseError
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from spatial.errors import SpaceMapError

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Largest file accepted (the app's upload limit is the same)."""
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_ROWS = 200_000
MAX_NAME_CHARS = 255
"""Longest file name accepted (the longest most file systems can store)."""
RING_NOT_CLOSED = "a polygon ring is not closed"
UNREADABLE_GEOMETRY = "the geometry cannot be read"
GEOMETRY_PROBLEMS = "geometry_problems"
"""Key in a GIS frame's ``attrs``: row position → (value, reason) for a geometry that could not be
read; the row is rejected by :mod:`geodata.ingest.rowchecks`, the others are imported."""
ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig also reads plain UTF-8; GB18030 is a superset of GBK
FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".geojson": "geojson", ".json": "geojson",
           ".gpkg": "gpkg", ".zip": "shapefile"}


try:
    from defusedxml import DefusedXmlException as _DefusedXml
except ImportError:  # pragma: no cover - defusedxml is a pinned requirement; expat's own limit still holds
    class _DefusedXml(Exception):
        pass


class ImportReadError(SpaceMapError):
    """The file cannot be read at all (nothing was imported)."""


@dataclass
class RawTable:
    """What a file holds: text cells (tables) or attributes + geometry (GIS files)."""

    frame: pd.DataFrame  # a GeoDataFrame for GIS formats
    format: str
    encoding: str | None = None
    crs: str | None = None  # the CRS the file declares (GIS formats), as authority:code or WKT
    first_data_row: int = 2  # file row number of the first record (header = row 1)
    notes: list[str] = field(default_factory=list)


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size == 0:
        raise ImportReadError(f"{path.name} is empty")
    if size > MAX_FILE_BYTES:
        raise ImportReadError(f"{path.name} is {size / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES / 2**20:.0f} MB")


def _check_zip(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportReadError(f"{path.name} is not a readable zip file: {exc}") from exc
    total = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
        raise ImportReadError(f"{path.name} would unpack to {total / 1e6:.0f} MB (ratio {total / packed:.0f}:1); "
                              "refusing a possible zip bomb")
    names = [i.filename for i in infos if not i.is_dir()]
    shp = [n for n in names if n.lower().endswith(".shp")]
    if len(shp) != 1:
        raise ImportReadError(f"{path.name} must hold exactly one .shp (found {len(shp)})")
    stem = shp[0][:-4]
    missing = [ext for ext in (".shx", ".dbf") if not any(n.lower() == (stem + ext).lower() for n in names)]
    if missing:
        raise ImportReadError(f"{path.name}: the shapefile lacks {', '.join(missing)}")
    if not any(n.lower() == (stem + ".prj").lower() for n in names):
        raise ImportReadError(f"{path.name}: the shapefile has no .prj, so its coordinate system is unknown")
    return names


def _read_csv(path: Path) -> RawTable:
    data = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            raise ImportReadError(f"{path.name}: not a readable CSV table: {exc}") from exc
        return RawTable(frame.replace({"": None}), "csv", encoding=encoding)
    raise ImportReadError(f"{path.name}: text is neither UTF-8 nor GBK/GB18030")


def _read_xlsx(path: Path) -> RawTable:
    try:
        zipfile.ZipFile(path).close()
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="openpyxl")
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, ParseError) as exc:
        raise ImportReadError(f"{path.name}: not a readable XLSX workbook: {_xlsx_error(exc)}") from exc
    if not sheets:
        raise ImportReadError(f"{path.name}: the workbook has no sheet")
    name, frame = next(iter(sheets.items()))
    frame = frame.dropna(how="all")
    notes = [f"read the first sheet, {name!r}"] + ([f"{len(sheets) - 1} other sheet(s) ignored"] if len(sheets) > 1
                                                   else [])
    frame = frame.astype(object).where(frame.notna(), None)
    if _has_formulas(path):
        _uncomputed_formulas(path, name, frame)
    return RawTable(frame, "xlsx", notes=notes)


def _has_formulas(path: Path) -> bool:
    """Whether a worksheet of the workbook holds a formula (an ``<f>`` element), without parsing it."""
    with zipfile.ZipFile(path) as book:
        return any(b"<f>" in book.read(n) or b"<f " in book.read(n) for n in book.namelist()
                   if n.startswith("xl/worksheets/") and n.endswith(".xml"))


def _uncomputed_formulas(path: Path, sheet: str, frame: pd.DataFrame) -> None:
    """Put the text of each formula saved without a computed value (it reads as empty) into ``frame``, in
    place, so that the row checks refuse it instead of importing an empty cell."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        rows = book[sheet].iter_rows(values_only=True)
        header = [None if h is None else str(h) for h in next(rows, ())]
        for label, values in enumerate(rows):
            for column, value in zip(header, values):
                if (isinstance(value, str) and value.startswith("=") and column in frame.columns
                        and label in frame.index and frame.at[label, column] is None):
                    frame.at[label, column] = value
    finally:
        book.close()


def _xlsx_error(exc: BaseException) -> str:
    """One line saying why openpyxl could not read a workbook; an XML entity declaration (refused by
    defusedxml, or over expat's amplification limit) is named as a possible entity bomb."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, (_DefusedXml, ParseError)):
            return "XML entity declarations are not allowed (a possible entity bomb)"
        cause = cause.__cause__ or cause.__context__
    return " ".join(str(exc).split())


def _read_gis(path: Path, fmt: str, prefer_layer: str | None = None) -> RawTable:
    source = f"/vsizip/{path}" if fmt == "shapefile" else str(path)
    try:
        layers = pyogrio.list_layers(source)
        if len(layers) == 0:
            raise ImportReadError(f"{path.name}: no layer found")
        names = [str(n) for n in layers[:, 0]]
        layer = prefer_layer if prefer_layer in names else names[0]
        info = pyogrio.read_info(source, layer=layer)
        if info["features"] > MAX_ROWS:
            raise ImportReadError(f"{path.name}: {info['features']:,} features; the limit is {MAX_ROWS:,}")
        try:
            with warnings.catch_warnings():  # GDAL warns of an unclosed ring; GEOS refuses it below
                warnings.filterwarnings("ignore", "Non closed ring", RuntimeWarning)
                frame = pyogrio.read_dataframe(source, layer=layer)
        except shapely.errors.GEOSException:  # one geometry GEOS cannot build: read row by row
            frame = _read_gis_rows(source, layer)
    except ImportReadError:
        raise
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.CRSError,
            pyogrio.errors.GeometryError, pyogrio.errors.FieldError, ValueError, UnicodeDecodeError) as exc:
        raise ImportReadError(f"{path.name}: cannot read it as {fmt}: {exc}") from exc
    crs = frame.crs.to_string() if getattr(frame, "crs", None) is not None else None
    notes = [f"read layer {layer!r}"] + ([f"{len(layers) - 1} other layer(s) ignored"] if len(layers) > 1 else [])
    return RawTable(frame, fmt, crs=crs, first_data_row=1, notes=notes)


def _read_gis_rows(source: str, layer: str):
    """The layer with each geometry built on its own; one that cannot be built is None and is named
    in ``frame.attrs[GEOMETRY_PROBLEMS]``."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Non closed ring", RuntimeWarning)
        meta, _, wkbs, _ = pyogrio.raw.read(source, layer=layer, columns=[])
        attributes = pyogrio.read_dataframe(source, layer=layer, read_geometry=False)
    geometries, problems = np.full(len(wkbs), None, dtype=object), {}
    for i, wkb in enumerate(wkbs):
        if wkb is None:
            continue
        try:
            geometries[i] = shapely.from_wkb(wkb)
        except shapely.errors.GEOSException as exc:
            message = str(exc).split(": ", 1)[-1]
            problems[i] = (message, RING_NOT_CLOSED if "closed" in message else UNREADABLE_GEOMETRY)
    frame = gpd.GeoDataFrame(attributes, geometry=list(geometries), crs=meta.get("crs"))
    frame.attrs[GEOMETRY_PROBLEMS] = problems
    return frame


def check_file_name(name: str) -> None:
    """Refuse a file (or upload) name longer than :data:`MAX_NAME_CHARS`, before it is written
    anywhere: :class:`ImportReadError` whose one-line message shows the name's beginning."""
    name = Path(name).name
    if len(name) > MAX_NAME_CHARS:
        raise ImportReadError(f"{name[:40]}…: the file name is {len(name)} characters; the limit is {MAX_NAME_CHARS}")


def read_table(path: Path, *, prefer_layer: str | None = None) -> RawTable:
    """Read ``path`` by its extension (from a multi-layer GeoPackage, the layer called
    ``prefer_layer`` if there is one, else the first).

    Raises
    ------
    ImportReadError
        Missing, empty, oversized, unknown format, undecodable, truncated or malformed files.
    """
    path = Path(path)
    check_file_name(path.name)
    try:
        found = path.is_file()
    except OSError as exc:
        raise ImportReadError(f"{path.name}: cannot open the file: {exc.strerror}") from exc
    if not found:
        raise ImportReadError(f"file not found: {path}")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ImportReadError(f"{path.name}: unsupported format; use {', '.join(sorted(FORMATS))}")
    _check_size(path)
    if fmt == "shapefile":
        _check_zip(path)
    if fmt == "csv":
        table = _read_csv(path)
    elif fmt == "xlsx":
        table = _read_xlsx(path)
    else:
        table = _read_gis(path, fmt, prefer_layer)
    if len(table.frame) > MAX_ROWS:
        raise ImportReadError(f"{path.name}: {len(table.frame):,} rows; the limit is {MAX_ROWS:,}")
    if not len(table.frame):
        raise ImportReadError(f"{path.name}: no rows")
    return table
