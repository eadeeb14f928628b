"""Plan an import of enterprises' yearly figures (revenue, tax, R&D, employees, patents) from a CSV
or XLSX register, with the importer's contract: headers mapped (Chinese or English), money converted
from the unit its header states (元, 万元, 亿元) to CNY, each row accepted or rejected with row,
field, value and reason, nothing written before the commit.

A row names its enterprise by credit code (or the registry's id). A code the registry lacks creates
the enterprise from the row's name and address (and coordinates, converted to WGS-84 like the
carrier importer's), unless ``strict``: then the row is rejected. A stored enterprise keeps its
address; a file that gives one where the registry has none fills it in. Where each enterprise is
(placement) is the caller's business: :mod:`geodata.stewardship.economy`.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.ingest.columns import normalise_header, read_mapping
from geodata.ingest.coords import CRS_CHOICES, amap_hint, read_coordinates
from geodata.ingest.importer import ImportPlan, file_sha256
from geodata.ingest.readers import FORMATS, ImportReadError, read_table
from geodata.ingest.rowchecks import Verdicts, check_locations
from geodata.ingest.schema import coerce_frame, is_blank
from layers.catalogue import get_layer
from spatial.credit_code import credit_code_problem, normalise_credit_code
from spatial.crs import WGS84
from spatial.errors import SpaceMapError
from spatial.scope import inside_shenzhen

__all__ = ["plan_years_import", "money_factor", "FIGURES", "MONEY"]

LAYER = "enterprise_years"
MONEY = ("revenue_cny", "tax_cny", "rd_cny")
FIGURES = (*MONEY, "employees", "patents")
_HEADERS = {
    "enterprise_id": "企业编号|enterprise id|enterprise_id",
    "credit_code": "统一社会信用代码|社会信用代码|信用代码|uscc|credit code|credit_code",
    "name": "企业名称|纳税人名称|单位名称|名称|name|company|enterprise",
    "address": "注册地址|经营地址|地址|住所|address|registered address",
    "lon": "经度|lon|lng|longitude", "lat": "纬度|lat|latitude",
    "year": "年度|年份|统计年度|year",
    "revenue_cny": "营业收入|营收|主营业务收入|收入|revenue|revenue_cny",
    "tax_cny": "纳税总额|税收总额|实缴税额|税收|纳税额|纳税|tax|tax_cny|tax paid",
    "rd_cny": "研发投入|研发费用|研发经费|r&d|rd|rd_cny|r&d spending",
    "employees": "从业人员|期末从业人员|员工人数|从业人数|人数|employees|headcount",
    "patents": "有效专利|专利数|专利|patents",
}
_UNITS = ((("亿元", "100m cny", "100 million", "hundred million"), 1e8), (("百万元", "million"), 1e6),
          (("万元", "10k cny", "10,000 cny", "ten thousand"), 1e4), (("千元", "thousand"), 1e3),
          (("元", "cny", "yuan", "rmb"), 1.0))
_UNIT_WORDS = re.compile(r"[(（\[【/／].*$|单位|unit|:|：")
_NUMBER_CLEAN = re.compile(r"[,，\s]")
NO_UNIT = ("{header}: say the unit of money in the header (元, 万元 or 亿元), e.g. 营业收入（万元） — "
           "a figure without its unit could be 10,000 times wrong")


def money_factor(header: str) -> float | None:
    """CNY per unit the header states (``营业收入（万元）`` → 10,000; ``revenue_cny`` → 1); None: no unit."""
    text = str(header).strip().lower()
    for words, factor in _UNITS:
        if any(w in text for w in words):
            return factor
    return None


def _lookup() -> dict[str, str]:
    spec = get_layer(LAYER)
    out = {normalise_header(s): "name" if f == "name" else f
           for f, text in _HEADERS.items() for s in text.split("|")}
    for f in FIGURES + ("year",):
        field = spec.field(f)
        for s in (field.title_zh, field.title_en):
            out.setdefault(normalise_header(_UNIT_WORDS.sub("", s)), f)
    return out


def _stem(header: str) -> str:
    return normalise_header(_UNIT_WORDS.sub("", str(header)).replace("万元", "").replace("亿元", "").strip())


def _mapped(raw_frame: pd.DataFrame, explicit: dict[str, str] | None, notes: list[str]) -> tuple[pd.DataFrame, dict]:
    """The file's columns renamed to fields (money converted later by the factors returned)."""
    lookup, mapping, factors, unmapped = _lookup(), {}, {}, []
    for header in map(str, raw_frame.columns):
        field = (explicit or {}).get(header) or lookup.get(normalise_header(header)) or lookup.get(_stem(header))
        if field is None or field in mapping.values():
            unmapped.append(header)
            continue
        mapping[header] = field
        if field in MONEY:
            factor = 1.0 if normalise_header(header) == field else money_factor(header)
            if factor is None:
                raise SpaceMapError(NO_UNIT.format(header=header))
            factors[field] = factor
    if "year" not in mapping.values() or not {"credit_code", "enterprise_id"} & set(mapping.values()):
        raise SpaceMapError("an enterprise-years file needs a year column and a credit code (统一社会信用代码) "
                            f"or enterprise id column; its headers: {list(map(str, raw_frame.columns))}")
    if unmapped:
        notes.append(f"columns not imported (no matching field): {', '.join(unmapped)}")
    notes += [f"{f}: {h} read in {'CNY' if factors[f] == 1 else f'units of {factors[f]:,.0f} CNY'}"
              for h, f in mapping.items() if f in factors]
    frame = raw_frame.rename(columns={h: f for h, f in mapping.items()})[list(mapping.values())]
    return frame.reset_index(drop=True), factors


def _numbers(values: pd.Series, *, integer: bool) -> tuple[np.ndarray, np.ndarray]:
    """Floats of the cells (thousands separators removed; blank or "-" unknown) and which cells are not numbers."""
    text = values.map(lambda v: None if is_blank(v) or str(v).strip() in ("-", "—", "/") else
                      _NUMBER_CLEAN.sub("", str(v)))
    nums = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    bad = text.notna().to_numpy() & np.isnan(nums)
    if integer:
        bad |= ~np.isnan(nums) & (nums != np.round(nums))
    return nums, bad


def _figures(frame: pd.DataFrame, factors: dict, verdicts: Verdicts, today: date) -> pd.DataFrame:
    """Year and figures as numbers in CNY; a row with a cell that is not one is rejected."""
    out = pd.DataFrame(index=frame.index)
    for f in ("year", *FIGURES):
        if f not in frame.columns:
            out[f] = np.nan
            continue
        nums, bad = _numbers(frame[f], integer=f in ("year", "employees", "patents"))
        for i in np.flatnonzero(bad):
            verdicts.reject(int(i), f, frame[f].iloc[i], "not a whole number" if f in ("year", "employees", "patents")
                            else "not a number")
        out[f] = nums * factors.get(f, 1.0)
        if f != "tax_cny":  # tax may be negative (a refund); the others may not
            for i in np.flatnonzero(out[f].to_numpy() < 0):
                verdicts.reject(int(i), f, frame[f].iloc[i], "must not be negative")
    years = out["year"].to_numpy()
    for i in np.flatnonzero(np.isnan(years) & ~np.isin(np.arange(len(out)), list(verdicts.bad))):
        verdicts.reject(int(i), "year", None, "the year is required")
    for i in np.flatnonzero((years < 1949) | (years > today.year)):
        verdicts.reject(int(i), "year", frame["year"].iloc[i], f"not a year from 1949 to {today.year}")
    return out


def _enterprise_of(frame: pd.DataFrame, stored: pd.DataFrame, verdicts: Verdicts, *, strict: bool) -> list:
    """Each row's enterprise id (stored, or ``ent-<code>`` to create); rows that name none are rejected."""
    by_code = {str(c): str(i) for i, c in zip(stored["id"], stored["credit_code"]) if not is_blank(c)}
    ids_known = set(map(str, stored["id"]))
    codes = frame.get("credit_code", pd.Series([None] * len(frame)))
    given = frame.get("enterprise_id", pd.Series([None] * len(frame)))
    names = frame.get("name", pd.Series([None] * len(frame)))
    out = []
    for i, (code, eid, name) in enumerate(zip(codes, given, names)):
        code = None if is_blank(code) else normalise_credit_code(str(code))
        if not is_blank(eid):
            eid = str(eid).strip()
            if eid not in ids_known:
                verdicts.reject(i, "enterprise_id", eid, "no enterprise with this id in the registry")
            out.append(eid)
        elif code is None:
            verdicts.reject(i, "credit_code", None, "the credit code (统一社会信用代码) is required")
            out.append(None)
        elif why := credit_code_problem(code):
            verdicts.reject(i, "credit_code", code, f"not a valid unified social credit code: {why}")
            out.append(None)
        elif code in by_code:
            out.append(by_code[code])
        elif strict:
            verdicts.reject(i, "credit_code", code, "not in the enterprise registry (--strict: no enterprise is created)")
            out.append(None)
        elif is_blank(name):
            verdicts.reject(i, "name", None, "not in the registry, and no name to create the enterprise with")
            out.append(None)
        else:
            out.append(f"ent-{code}")
    return out


def _coordinates(frame: pd.DataFrame, path: Path, raw_frame: pd.DataFrame, crs: str, frames: dict,
                 verdicts: Verdicts, notes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 lon/lat of each row (NaN: none or unusable, the row rejected as the carrier importer would)."""
    if "lon" not in frame.columns and "lat" not in frame.columns:
        return np.full(len(frame), np.nan), np.full(len(frame), np.nan)
    coords = read_coordinates(frame[[c for c in ("lon", "lat") if c in frame.columns]], crs, notes)
    city = [g for k in ("district", "shenzhen_districts") if k in frames for g in frames[k].geometry if g is not None]
    in_city = inside_shenzhen(coords.points(), gpd.GeoSeries(city, crs=WGS84)).to_numpy() if city else \
        np.ones(len(frame), bool)
    check_locations(verdicts, coords, crs, in_city=in_city, hint=amap_hint(path, raw_frame))
    x, y = coords.x.copy(), coords.y.copy()
    x[sorted(verdicts.bad)] = np.nan
    y[sorted(verdicts.bad)] = np.nan
    return x, y


def _enterprises(frame: pd.DataFrame, ids: list, lon, lat, stored: pd.DataFrame, verdicts: Verdicts,
                 now: str, file_name: str) -> pd.DataFrame:
    """Enterprises the file creates, and stored ones whose blank address or coordinates it fills in."""
    old = stored.set_index(stored["id"].astype(str))
    rows: dict[str, dict] = {}
    for i in verdicts.kept:
        eid = ids[i]
        address = None if is_blank(frame.get("address", pd.Series([None] * len(frame))).iloc[i]) \
            else str(frame["address"].iloc[i]).strip()
        point = (None, None) if np.isnan(lon[i]) else (float(lon[i]), float(lat[i]))
        if eid in old.index:
            rec = rows.get(eid) or {k: (None if is_blank(v) else v) for k, v in old.loc[eid].to_dict().items()}
            filled = False
            if address and rec.get("address") is None:
                rec["address"], filled = address, True
            if point[0] is not None and rec.get("lon") is None:
                rec["lon"], rec["lat"], filled = point[0], point[1], True
            if filled or eid in rows:
                rows[eid] = {**rec, "id": eid}
        elif eid not in rows:
            rows[eid] = {"id": eid, "name": str(frame["name"].iloc[i]).strip(), "credit_code": eid[4:],
                         "address": address, "lon": point[0], "lat": point[1], "created_at": now,
                         "source": f"import of {file_name}", "synthetic": False}
    typed, problems = coerce_frame(pd.DataFrame(list(rows.values()), columns=get_layer("enterprises").field_names),
                                   get_layer("enterprises"))
    if problems:
        raise SpaceMapError(f"enterprises: {problems[0]}")
    return typed


def plan_years_import(path: Path, frames: dict[str, pd.DataFrame], *, today: date, strict: bool = False,
                      crs: str = "wgs84", mapping_file: Path | None = None, now: str | None = None) -> ImportPlan:
    """Read and check ``path`` (CSV or XLSX) as enterprise-years against the store's ``frames``
    (``enterprises``, ``enterprise_years`` for the ids in the file, the district layers). The plan's
    ``accepted`` are the enterprise-year rows (id ``<enterprise id>-<year>``: a stored year is replaced
    by the file's figures), ``also["enterprises"]`` the enterprises it creates or completes.

    Raises
    ------
    ImportReadError
        The file cannot be read or is not CSV/XLSX.
    SpaceMapError
        No year or credit-code column, or a money column whose header states no unit.
    """
    if FORMATS.get((path := Path(path)).suffix.lower()) not in ("csv", "xlsx"):
        raise ImportReadError(f"{path.name}: enterprise figures are imported from a CSV or XLSX table")
    if crs not in CRS_CHOICES:
        raise SpaceMapError(f"unknown CRS {crs!r}: use one of {', '.join(CRS_CHOICES)}")
    now = now or datetime.now(timezone.utc).isoformat(timespec="seconds")
    raw = read_table(path)
    notes = list(raw.notes) + ([f"text encoding {raw.encoding}"] if raw.encoding else [])
    explicit = read_mapping(mapping_file, list(_HEADERS)) if mapping_file else None
    frame, factors = _mapped(raw.frame, explicit, notes)
    verdicts = Verdicts([raw.first_data_row + i for i in range(len(frame))])
    figures = _figures(frame, factors, verdicts, today)
    stored = frames["enterprises"].drop(columns=["row_version"], errors="ignore")
    ids = _enterprise_of(frame, stored, verdicts, strict=strict)
    lon, lat = _coordinates(frame, path, raw.frame, crs, frames, verdicts, notes)
    keys = [f"{e}-{int(y)}" if e is not None and not np.isnan(y) else None for e, y in zip(ids, figures["year"])]
    first: dict[str, int] = {}
    for i in verdicts.kept:
        if keys[i] in first:
            verdicts.reject(i, "year", int(figures["year"].iloc[i]), f"this enterprise's {int(figures['year'].iloc[i])} "
                            f"is also on row {first[keys[i]]}")
        first.setdefault(keys[i], verdicts.row_numbers[i])
    enterprises = _enterprises(frame, ids, lon, lat, stored, verdicts, now, path.name)
    kept = verdicts.kept
    rows = figures.iloc[kept].assign(id=[keys[i] for i in kept], enterprise_id=[ids[i] for i in kept],
                                     source=f"import of {path.name}", imported_at=now, synthetic=False)
    accepted, problems = coerce_frame(rows.reset_index(drop=True), get_layer(LAYER))
    if problems:
        raise SpaceMapError(str(problems[0]))
    accepted = accepted[list(get_layer(LAYER).field_names)]
    added, updated, unchanged = _compare(accepted, frames.get(LAYER))
    versions = dict(zip(map(str, frames["enterprises"]["id"]), map(int, frames["enterprises"].get("row_version", []))))
    created = [str(i) for i in enterprises["id"] if str(i) not in versions]
    return ImportPlan(path.name, file_sha256(path), LAYER, raw.format, crs, accepted,
                      [verdicts.row_numbers[i] for i in kept], sorted(verdicts.rejected, key=lambda r: (r.row, str(r.field))),
                      added, updated, unchanged, notes, len(verdicts.row_numbers), raw.frame, raw.first_data_row,
                      also={"enterprises": enterprises} if len(enterprises) else {},
                      also_base={"enterprises": {str(i): versions.get(str(i)) for i in enterprises["id"]}},
                      extra={"enterprises_created": created,
                             "enterprises_completed": [str(i) for i in enterprises["id"] if str(i) in versions]})


def _compare(accepted: pd.DataFrame, stored: pd.DataFrame | None) -> tuple[list, dict, list]:
    """Enterprise-years the commit adds, the figures it changes, the ones it leaves as they are."""
    old = {} if stored is None else {str(r["id"]): r for r in stored.to_dict("records")}
    added, updated, unchanged = [], {}, []
    for rec in accepted.to_dict("records"):
        was = old.get(str(rec["id"]))
        if was is None:
            added.append(str(rec["id"]))
            continue
        diff = [{"field": f, "old": _plain(was.get(f)), "new": _plain(rec.get(f))} for f in FIGURES]
        diff = [d for d in diff if d["old"] != d["new"]]
        (updated.__setitem__(str(rec["id"]), diff) if diff else unchanged.append(str(rec["id"])))
    return added, updated, unchanged


def _plain(value):
    value = None if is_blank(value) else value.item() if hasattr(value, "item") else value
    return round(float(value), 4) if isinstance(value, float) else value
