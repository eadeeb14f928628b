"""Plan an import of enterprises' yearly figures (revenue, tax, R&D, employees, patents) from a CSV
or XLSX register, with the importer's contract: headers mapped (Chinese or English), money converted
to CNY from the one unit its header states (元 … 亿元, 10k CNY, million; another currency is refused),
each row accepted or rejected with row, field, value and reason, nothing written before the commit.

A row names its enterprise by credit code (or the registry's id). A code the registry lacks creates
the enterprise from the row's name and address (and coordinates, converted to WGS-84 like the carrier
importer's), unless ``strict``. A stored enterprise keeps its name and address (a blank address is
filled in); a stored year keeps the figures the file lacks or leaves blank (unless ``blank_clears``).
Where each enterprise is (placement) is :mod:`geodata.stewardship.economy`'s business.
"""
from __future__ import annotations

import math
import re
import unicodedata
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
from geodata.ingest.validate import text_problem
from layers.catalogue import get_layer
from spatial.credit_code import credit_code_problem, normalise_credit_code
from spatial.crs import WGS84
from spatial.errors import SpaceMapError
from spatial.scope import inside_shenzhen

__all__ = ["plan_years_import", "money_factor", "FIGURES", "MONEY", "FORMULA"]

LAYER = "enterprise_years"
MONEY = ("revenue_cny", "tax_cny", "rd_cny")
FIGURES = (*MONEY, "employees", "patents")
COUNTS = ("year", "employees", "patents")
TEXT_LIMITS = {"name": 200, "address": 500}
_HEADERS = {
    "enterprise_id": "企业编号|enterprise id|enterprise_id", "year": "年度|年份|统计年度|year",
    "credit_code": "统一社会信用代码|社会信用代码|信用代码|uscc|credit code|credit_code",
    "name": "企业名称|纳税人名称|单位名称|名称|name|company|enterprise",
    "address": "注册地址|经营地址|地址|住所|address|registered address",
    "lon": "经度|lon|lng|longitude", "lat": "纬度|lat|latitude",
    "revenue_cny": "营业收入|营收|主营业务收入|收入|revenue|revenue_cny",
    "tax_cny": "纳税总额|税收总额|实缴税额|税收|纳税额|纳税|tax|tax_cny|tax paid",
    "rd_cny": "研发投入|研发费用|研发经费|r&d|rd|rd_cny|r&d spending",
    "employees": "从业人员|期末从业人员|员工人数|从业人数|人数|employees|headcount", "patents": "有效专利|专利数|专利|patents",
}
_CN_UNIT = re.compile(r"(?<![单公多])(亿|千万|百万|十万|万|千)?元")  # not 单元 (a unit), 公元, 多元
_CN_FACTORS = {"亿": 1e8, "千万": 1e7, "百万": 1e6, "十万": 1e5, "万": 1e4, "千": 1e3, None: 1.0}
_NUM, _WORD = r"(?<![0-9,.])(?:{})(?![a-z0-9,])", r"(?<![a-z0-9])(?:{})(?![a-z0-9])"
_EN_UNITS = ((1e8, _NUM.format("100 ?m(?:illion)?|100,000,000") + "|" + _WORD.format("hundred million")),
             (1e7, _NUM.format("10,000,000")), (1e6, _WORD.format("millions?|mn") + "|" + _NUM.format("1,000,000")),
             (1e4, _NUM.format("10 ?k|10,000") + "|" + _WORD.format("ten thousand")),
             (1e3, _WORD.format("thousands?|k") + "|" + _NUM.format("1,000") + r"|['’]000(?![0-9,])"))
_EN_UNIT = re.compile("|".join(f"(?P<f{n}>{p})" for n, (_, p) in enumerate(_EN_UNITS)))
_CNY = re.compile(r"人民币|(?<![a-z])(?:cny|yuan|rmb)(?![a-z])")
_FOREIGN = re.compile(r"美元|美金|港元|港币|港幣|澳门元|澳元|欧元|歐元|日元|日圆|英镑|加元|新台币|台币|韩元|卢布|法郎|"
                      r"新加坡元|外币|(?<![a-z])(?:usd|us\$|hkd|hk\$|mop|eur|euros?|jpy|yen|gbp|aud|cad|sgd|twd|ntd|"
                      r"krw|chf|rub|dollars?)(?![a-z])|[$€£]")
_MONEY_WORD = re.compile("|".join(p.pattern for p in (_CN_UNIT, _CNY, _FOREIGN)))
_UNIT_WORDS = re.compile(r"[(（\[【/／].*$|单位|unit|:|：")
NO_UNIT = ("{header}: say the unit of money in the header (元, 万元 or 亿元), e.g. 营业收入（万元） — "
           "a figure without its unit could be 10,000 times wrong")
FOREIGN = "{header}: figures in {currency} — only CNY (元) is imported; convert them to CNY, e.g. 营业收入（万元）"
AMBIGUOUS = "{header}: ambiguous unit of money ({units}); say one unit, e.g. 营业收入（万元）"
UNTAKEN = "{header}: a money column no field takes — name it 营业收入, 纳税总额 or 研发投入 (with its unit), or remove it"
FORMULA = "a formula without a computed value: save the file in Excel first"
_NUMBER = re.compile(r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?")
_INFINITE = re.compile(r"[+-]?inf(?:inity)?")
_UNKNOWN = {"-", "—", "–", "--", "——", "/"}
_MANGLED = re.compile(r"^(.*)\.\d+$")


def _folded(header) -> str:
    return unicodedata.normalize("NFKC", str(header)).strip().lower()


def money_factor(header: str) -> float | None:
    """CNY per unit the header states (``营业收入（千万元）`` → 1e7, ``revenue (10k yuan)`` → 1e4,
    ``revenue_cny`` → 1); None when it states none.

    Raises
    ------
    SpaceMapError
        The header names a currency other than CNY, or two units that disagree (``（万元）（元）``).
    """
    text = _folded(header)
    if foreign := _FOREIGN.search(text):
        raise SpaceMapError(FOREIGN.format(header=header, currency=foreign.group(0).upper()))
    units = {m.group(0): _CN_FACTORS[m.group(1)] for m in _CN_UNIT.finditer(text)}
    units |= {m.group(0): _EN_UNITS[int(m.lastgroup[1:])][0] for m in _EN_UNIT.finditer(text)}
    if len(set(units.values())) > 1:
        raise SpaceMapError(AMBIGUOUS.format(header=header, units=", ".join(units)))
    return next(iter(units.values())) if units else 1.0 if _CNY.search(text) else None


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
    """The header without its units, wherever they are (``营业收入元`` → ``营业收入``)."""
    text = _UNIT_WORDS.sub("", _folded(header))
    for pattern in (_CN_UNIT, _EN_UNIT, _CNY):
        text = pattern.sub(" ", text)
    return normalise_header(text.strip(" _-"))


def _mapped(raw_frame: pd.DataFrame, explicit: dict[str, str] | None, notes: list[str]) -> tuple[pd.DataFrame, dict]:
    """The file's columns renamed to fields (money converted later by the factors returned)."""
    lookup, mapping, factors, unmapped, written = _lookup(), {}, {}, [], {}
    headers = list(map(str, raw_frame.columns))
    for n, header in enumerate(headers, start=1):
        mangled = _MANGLED.match(header)  # pandas writes a repeated header "年度" as "年度.1"
        name = mangled.group(1) if mangled and mangled.group(1) in headers else header
        field = (explicit or {}).get(header) or lookup.get(normalise_header(name)) or lookup.get(_stem(name))
        if field is None:
            if _MONEY_WORD.search(_folded(name)):
                raise SpaceMapError(UNTAKEN.format(header=name))
            unmapped.append(name)
            continue
        if field in written:
            raise SpaceMapError(f"columns {written[field][1]} ({written[field][0]!r}) and {n} ({name!r}) both mean "
                                f"{field}: keep one (or say which in a mapping file)")
        mapping[header], written[field] = field, (name, n)
        if field in MONEY:
            if (factor := money_factor(name)) is None:
                raise SpaceMapError(NO_UNIT.format(header=name))
            factors[field] = factor
    if "year" not in mapping.values() or not {"credit_code", "enterprise_id"} & set(mapping.values()):
        raise SpaceMapError("an enterprise-years file needs a year column and a credit code (统一社会信用代码) "
                            f"or enterprise id column; its headers: {headers}")
    if unmapped:
        notes.append(f"columns not imported (no matching field): {', '.join(unmapped)}")
    notes += [f"{f}: {written[f][0]} read in {'CNY' if factors[f] == 1 else f'units of {factors[f]:,.0f} CNY'}"
              for f in MONEY if f in factors]
    frame = raw_frame.rename(columns=mapping)[list(mapping.values())]
    return frame.reset_index(drop=True), factors


def _number(value) -> float | str | None:
    """A cell as a number (after NFKC; comma thousands groups); None: blank or ``-``/``—``/``/``; str: why not."""
    if is_blank(value) or (text := unicodedata.normalize("NFKC", str(value)).strip().lower()) in _UNKNOWN:
        return None
    if text.startswith("="):
        return FORMULA
    if _INFINITE.fullmatch(text):
        return "not a finite number"
    return float(text.replace(",", "")) if _NUMBER.fullmatch(text) else "not a number"


def _figure_problem(field: str, value: float) -> str | None:
    count = field in COUNTS  # tax may be negative (a refund), the other figures may not
    return ("not a finite number" if not math.isfinite(value) else "not a whole number" if count and value != round(value)
            else "too large to be a count" if count and abs(value) >= 2 ** 53
            else "must not be negative" if value < 0 and field != "tax_cny" else None)


def _figures(frame: pd.DataFrame, factors: dict, verdicts: Verdicts, today: date) -> pd.DataFrame:
    """Year and figures as numbers in CNY (NaN: blank, or no column); a row with a cell that is not one is rejected."""
    out = pd.DataFrame(index=frame.index)
    for f in ("year", *FIGURES):
        values = np.full(len(frame), np.nan)
        for i, cell in enumerate(frame[f] if f in frame.columns else ()):
            got = _number(cell)
            if isinstance(got, float):
                got *= factors.get(f, 1.0)  # a float product overflows to inf, never raises
            if why := got if isinstance(got, str) else None if got is None else _figure_problem(f, got):
                verdicts.reject(i, f, cell, why)
            elif got is not None:
                values[i] = got
        out[f] = values
    years = out["year"].to_numpy()
    for i in np.flatnonzero(np.isnan(years) & ~np.isin(np.arange(len(out)), list(verdicts.bad))):
        verdicts.reject(int(i), "year", None, "the year is required")
    for i in np.flatnonzero((years < 1949) | (years > today.year)):
        verdicts.reject(int(i), "year", frame["year"].iloc[i], f"not a year from 1949 to {today.year}")
    return out


def _texts(frame: pd.DataFrame, verdicts: Verdicts) -> None:
    """Reject rows whose name or address holds a control, NUL or bidi character or is too long."""
    for f, limit in TEXT_LIMITS.items():
        for i, value in enumerate(frame[f] if f in frame.columns else ()):
            text = None if is_blank(value) else str(value).strip()
            if text and (bad := text_problem(f"name_{f}", text, limited=False)):  # a name's rules: no control at all
                verdicts.reject(i, f, *bad)
            elif text and len(text) > limit:
                verdicts.reject(i, f, f"{text[:60]}… ({len(text):,} characters)", f"longer than {limit} characters")


def _enterprise_of(frame: pd.DataFrame, stored: pd.DataFrame, verdicts: Verdicts, *, strict: bool) -> list:
    """Each row's enterprise id (stored, or ``ent-<code>`` to create); rows that name none are rejected."""
    code_of = {str(i): None if is_blank(c) else normalise_credit_code(str(c))
               for i, c in zip(stored["id"], stored["credit_code"])}
    by_code = {c: i for i, c in code_of.items() if c is not None}
    codes, given, names = (frame.get(c, pd.Series([None] * len(frame))) for c in ("credit_code", "enterprise_id", "name"))
    out = []
    for i, (code, eid, name) in enumerate(zip(codes, given, names)):
        code = None if is_blank(code) else normalise_credit_code(str(code))
        new = None if code is None else f"ent-{code}"
        if not is_blank(eid):
            eid = str(eid).strip()
            if eid not in code_of:
                verdicts.reject(i, "enterprise_id", eid, "no enterprise with this id in the registry")
            out.append(eid)
            continue
        if code is None:
            why = "credit_code", None, "the credit code (统一社会信用代码) is required"
        elif problem := credit_code_problem(code):
            why = "credit_code", code, f"not a valid unified social credit code: {problem}"
        elif code in by_code:
            out.append(by_code[code])
            continue
        elif strict:
            why = "credit_code", code, "not in the enterprise registry (--strict: no enterprise is created)"
        elif new in code_of:  # the registry's ids need not follow ent-<code>
            why = "credit_code", code, f"the id {new} belongs to enterprise with code {code_of[new] or '(none)'}"
        elif is_blank(name):
            why = "name", None, "not in the registry, and no name to create the enterprise with"
        else:
            out.append(new)
            continue
        verdicts.reject(i, *why)
        out.append(None)
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
    x[sorted(verdicts.bad)] = y[sorted(verdicts.bad)] = np.nan
    return x, y


def _enterprises(frame: pd.DataFrame, ids: list, lon, lat, stored: pd.DataFrame, verdicts: Verdicts,
                 now: str, file_name: str, notes: list[str]) -> pd.DataFrame:
    """Enterprises the file creates, and stored ones whose blank address or coordinates it fills in
    (a stored enterprise keeps its name: a note counts the rows that name one differently)."""
    old = stored.set_index(stored["id"].astype(str))
    rows: dict[str, dict] = {}
    column = {f: frame[f] if f in frame.columns else pd.Series([None] * len(frame)) for f in ("name", "address")}
    renamed = 0
    for i in verdicts.kept:
        eid, name = ids[i], None if is_blank(column["name"].iloc[i]) else str(column["name"].iloc[i]).strip()
        address = None if is_blank(column["address"].iloc[i]) else str(column["address"].iloc[i]).strip()
        point = (None, None) if np.isnan(lon[i]) else (float(lon[i]), float(lat[i]))
        if eid in old.index:
            rec = rows.get(eid) or {k: (None if is_blank(v) else v) for k, v in old.loc[eid].to_dict().items()}
            renamed += bool(name and name != str(old.at[eid, "name"]).strip())
            fill = {"address": address} if address and rec.get("address") is None else {}
            fill |= {"lon": point[0], "lat": point[1]} if point[0] is not None and rec.get("lon") is None else {}
            if fill or eid in rows:
                rows[eid] = {**rec, **fill, "id": eid}
        elif eid not in rows:
            rows[eid] = {"id": eid, "name": name, "credit_code": eid[4:], "address": address, "lon": point[0],
                         "lat": point[1], "created_at": now, "source": f"import of {file_name}", "synthetic": False}
    if renamed:
        notes.append(f"{renamed} rows name a stored enterprise differently; the registry keeps its name")
    typed, problems = coerce_frame(pd.DataFrame(list(rows.values()), columns=get_layer("enterprises").field_names),
                                   get_layer("enterprises"))
    if problems:
        raise SpaceMapError(f"enterprises: {problems[0]}")
    return typed


def _stored_years(source, ids: list[str]) -> pd.DataFrame:
    """The stored enterprise-years of ``ids`` (``source``: a frame, or a callable ``ids -> frame``)."""
    if source is None or not ids:
        return pd.DataFrame(columns=list(get_layer(LAYER).field_names))
    rows = source(sorted(set(ids))) if callable(source) else source
    return rows.loc[rows["id"].astype(str).isin(set(ids))]


def _year_rows(figures: pd.DataFrame, given: set, keys: list, ids: list, kept: list[int], stored: pd.DataFrame, *,
               blank_clears: bool, source: str, now: str) -> pd.DataFrame:
    """The enterprise-year rows to write, typed: a stored row keeps the figures the file has no column
    for, and (unless ``blank_clears``) those its cells leave blank; it cites the file only if one changes."""
    old = {str(r["id"]): {k: None if is_blank(v) else v for k, v in r.items()} for r in stored.to_dict("records")}
    rows = []
    for i in kept:
        rec = {"id": keys[i], "enterprise_id": ids[i], "source": source, "imported_at": now, "synthetic": False,
               **{f: None if np.isnan(v) else float(v) for f, v in figures.iloc[i].items()}}
        if (was := old.get(keys[i])) is not None:
            for f in FIGURES:
                if f not in given or (rec[f] is None and not blank_clears):
                    rec[f] = was.get(f)
            if not _changes(was, rec):
                rec.update({k: was.get(k) for k in ("source", "imported_at", "synthetic")})
        rows.append(rec)
    spec = get_layer(LAYER)
    typed, problems = coerce_frame(pd.DataFrame(rows, columns=list(spec.field_names)), spec)
    if problems:
        raise SpaceMapError(str(problems[0]))
    return typed[list(spec.field_names)]


def _checked(path: Path, raw, frames: dict, explicit, *, today: date, strict: bool, crs: str, notes: list[str]):
    """The file's rows checked: (frame, figures, stored enterprises, enterprise ids, year-row ids, lon/lat, verdicts)."""
    frame, factors = _mapped(raw.frame, explicit, notes)
    verdicts = Verdicts([raw.first_data_row + i for i in range(len(frame))])
    figures = _figures(frame, factors, verdicts, today)
    _texts(frame, verdicts)
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
    return frame, figures, stored, ids, keys, (lon, lat), verdicts


def plan_years_import(path: Path, frames: dict, *, today: date, strict: bool = False, crs: str = "wgs84",
                      mapping_file: Path | None = None, now: str | None = None,
                      blank_clears: bool = False) -> ImportPlan:
    """Read and check ``path`` (CSV or XLSX) as enterprise-years against the store's ``frames``
    (``enterprises``, the district layers, ``enterprise_years``: the stored rows or a callable ``ids ->
    frame``). The plan's ``accepted`` are the enterprise-year rows (id ``<enterprise id>-<year>``; a
    stored one keeps the figures the file lacks or, unless ``blank_clears``, leaves blank), ``updated``
    exactly the figures that change, ``also["enterprises"]`` the enterprises it creates or completes.

    Raises
    ------
    ImportReadError
        The file cannot be read or is not CSV/XLSX.
    SpaceMapError
        No year or credit-code column, two columns for one field, a money column with no unit, two
        units or another currency than CNY, or one no field takes.
    """
    if FORMATS.get((path := Path(path)).suffix.lower()) not in ("csv", "xlsx"):
        raise ImportReadError(f"{path.name}: enterprise figures are imported from a CSV or XLSX table")
    if crs not in CRS_CHOICES:
        raise SpaceMapError(f"unknown CRS {crs!r}: use one of {', '.join(CRS_CHOICES)}")
    now = now or datetime.now(timezone.utc).isoformat(timespec="seconds")
    raw = read_table(path)
    notes = list(raw.notes) + ([f"text encoding {raw.encoding}"] if raw.encoding else [])
    explicit = read_mapping(mapping_file, list(_HEADERS)) if mapping_file else None
    frame, figures, stored, ids, keys, (lon, lat), verdicts = _checked(path, raw, frames, explicit, today=today,
                                                                       strict=strict, crs=crs, notes=notes)
    enterprises = _enterprises(frame, ids, lon, lat, stored, verdicts, now, path.name, notes)
    kept = verdicts.kept
    before = _stored_years(frames.get(LAYER), [keys[i] for i in kept])
    accepted = _year_rows(figures, set(frame.columns) & set(FIGURES), keys, ids, kept, before,
                          blank_clears=blank_clears, source=f"import of {path.name}", now=now)
    added, updated, unchanged = _compare(accepted, before)
    versions = dict(zip(map(str, frames["enterprises"]["id"]), map(int, frames["enterprises"].get("row_version", []))))
    return ImportPlan(path.name, file_sha256(path), LAYER, raw.format, crs, accepted,
                      [verdicts.row_numbers[i] for i in kept], sorted(verdicts.rejected, key=lambda r: (r.row, str(r.field))),
                      added, updated, unchanged, notes, len(verdicts.row_numbers), raw.frame, raw.first_data_row,
                      also={"enterprises": enterprises} if len(enterprises) else {},
                      also_base={"enterprises": {str(i): versions.get(str(i)) for i in enterprises["id"]}},
                      extra={"enterprises_created": [str(i) for i in enterprises["id"] if str(i) not in versions],
                             "enterprises_completed": [str(i) for i in enterprises["id"] if str(i) in versions]})


def _changes(was: dict, rec: dict) -> list[dict]:
    """The figures that differ between a stored enterprise-year and the one to write."""
    return [{"field": f, "old": _plain(was.get(f)), "new": _plain(rec.get(f))} for f in FIGURES
            if _plain(was.get(f)) != _plain(rec.get(f))]


def _compare(accepted: pd.DataFrame, stored: pd.DataFrame) -> tuple[list, dict, list]:
    """Enterprise-years the commit adds, the figures it changes, the ones it leaves as they are."""
    old = {str(r["id"]): r for r in stored.to_dict("records")}
    diffs = {str(r["id"]): _changes(old[str(r["id"])], r) for r in accepted.to_dict("records") if str(r["id"]) in old}
    return ([str(i) for i in accepted["id"] if str(i) not in old], {i: d for i, d in diffs.items() if d},
            [i for i, d in diffs.items() if not d])


def _plain(value):
    value = None if is_blank(value) else value.item() if hasattr(value, "item") else value
    return round(float(value), 4) if isinstance(value, float) else value
