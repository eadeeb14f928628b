"""A synthetic economy: enterprises with messy registered addresses, their yearly figures, and where
each truly is — for tests, benchmarks and the demo only, never the bundled store.

The addresses are written the ways registers write them (:func:`synthetic_economy`): full-width digits
and letters, the province/city/district prefix dropped or added, a sub-district (街道) added, 栋/座/幢
swapped, a floor and room appended, a road's alias, the carrier's name appended or alone (now and then
with a character wrong). Some carry
coordinates near their carrier; about 5 % cannot be placed (another district, or no real address).
Every row is ``synthetic`` and cites "synthetic (seed N)"; the same seed (and ``today``) gives identical frames.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.synthetic_market import _DAY, _credit_codes, _dates, _frame, _qualifications, _stamps
from layers.catalogue import CARRIER_LAYERS, LAYERS
from layers.vocab import INDUSTRIES
from spatial.address import ROAD_ALIASES, name_variants
from spatial.crs import WGS84

FUTIAN_ROADS = ("深南大道", "北环大道", "滨河大道", "滨海大道", "福华路", "福华一路", "福华三路", "福中路", "福中一路",
                "益田路", "金田路", "彩田路", "新洲路", "皇岗路", "香蜜湖路", "华强北路", "华富路", "红荔路", "红荔西路",
                "莲花路", "泰然九路", "福强路", "沙嘴路", "民田路", "中康路", "梅林路", "景田路", "香梅路", "侨香路", "农林路")
"""Thirty roads of Futian, for synthetic carriers' addresses."""
SUBDISTRICTS = ("园岭街道", "南园街道", "福田街道", "沙头街道", "香蜜湖街道", "梅林街道", "莲花街道", "华富街道", "福保街道",
                "华强北街道")
"""Futian's ten sub-districts (街道)."""
_PREFIXES = ("", "", "深圳市福田区", "广东省深圳市福田区", "福田区", "深圳市", "深圳福田", "深圳市福田区{sub}",
             "广东省深圳市福田区{sub}", "福田区{sub}")
_FLOORS = ("", "", "{f}层", "{f}楼", "{f}F", "{f}层{f}{r:02d}室", "{f}楼{f}{r:02d}", "{f}{r:02d}房", "第{f}层{f}{r:02d}号房")
_ELSEWHERE = ("深圳市南山区粤海街道科技南路{n}号", "南山区深南大道{n}号{f}楼", "深圳市罗湖区深南东路{n}号", "广州市天河区体育西路{n}号",
              "深圳市宝安区新安街道宝安大道{n}号", "深圳市南山区{name}", "北京市海淀区中关村大街{n}号")
"""Addresses in another district: never placed in a Futian carrier (some name a Futian carrier)."""
_NOWHERE = ("不详", "待补充", "无", "见营业执照", "暂无固定地址", "深圳市福田区", "同上", "-")
_ALIAS_OF = {canonical: alias for alias, canonical in ROAD_ALIASES.items()}
_WIDE = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"})
_JITTER_M = 15.0


def synthetic_carriers(n: int, *, seed: int = 0) -> gpd.GeoDataFrame:
    """Synthetic carriers in Futian with addresses, for the placement benchmark.

    Parameters
    ----------
    n : int
        How many (at most 299,970: one per road and number).
    seed : int, optional
        The same seed gives the same carriers.

    Returns
    -------
    geopandas.GeoDataFrame
        ``id`` (``syn-car-0001``…), ``name_zh`` (``演示科技大厦0001``), ``address_zh`` (one of
        :data:`FUTIAN_ROADS` and a number, no two alike; a building for about 30 %), ``layer``,
        ``parent_id`` None, a point (lon 114.00–114.10, lat 22.50–22.58, WGS-84).
    """
    rng, width = np.random.default_rng(seed), max(4, len(str(n)))
    site = rng.choice(len(FUTIAN_ROADS) * 9999, n, replace=False)
    roads, numbers = np.array(FUTIAN_ROADS, dtype=object)[site % len(FUTIAN_ROADS)], site // len(FUTIAN_ROADS) + 1
    building = np.where(rng.random(n) < 0.3, np.array(list("ABCD"), dtype=object)[rng.integers(0, 4, n)] + "栋", "")
    rows = np.arange(1, n + 1)
    frame = pd.DataFrame({
        "id": [f"syn-car-{i:0{width}d}" for i in rows], "name_zh": [f"演示科技大厦{i:0{width}d}" for i in rows],
        "address_zh": [f"{r}{k}号{b}" for r, k, b in zip(roads, numbers.tolist(), building)],
        "layer": np.array(CARRIER_LAYERS, dtype=object)[rng.integers(0, len(CARRIER_LAYERS), n)], "parent_id": None})
    lon, lat = rng.uniform(114.00, 114.10, n), rng.uniform(22.50, 22.58, n)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)


def _unique_names(carriers: gpd.GeoDataFrame) -> list[list[str]]:
    """Per carrier, the names that no other carrier goes by (its full name as written, its main part or
    alias); its full name when none is."""
    names = carriers["name_zh"].tolist()
    variants = name_variants(names)
    owners: dict[str, int] = {}
    for group in variants:
        for v in group:
            owners[v] = owners.get(v, 0) + 1
    return [[name if v == group[0] else v for v in group if owners[v] == 1] or [name or "演示载体"]
            for name, group in zip(names, variants)]


def _mess(text: str, rng: np.random.Generator) -> str:
    """``text`` written as a register might: prefix, 栋/座, road alias, floor and room, widths, spaces."""
    for canonical, alias in _ALIAS_OF.items():
        if canonical in text and rng.random() < 0.5:
            text = text.replace(canonical, alias)
    text = text.replace("栋", str(rng.choice(["栋", "座", "幢", "栋"])))
    for head in ("广东省", "深圳市", "福田区"):
        text = text.removeprefix(head)
    prefix = str(rng.choice(_PREFIXES)).format(sub=rng.choice(SUBDISTRICTS))
    floor = str(rng.choice(_FLOORS))
    if text[-1:].isdigit() and floor[:1] == "{":  # 大厦0583 + 26层 would read as floor 058326: no one writes it
        floor = "第" + floor
    text = prefix + text + floor.format(f=int(rng.integers(1, 40)), r=int(rng.integers(1, 30)))
    if rng.random() < 0.3:
        text = text.translate(_WIDE)
    if rng.random() < 0.15:
        cut = int(rng.integers(1, len(text)))
        text = text[:cut] + " " + text[cut:]
    return text


def _addresses(carriers: gpd.GeoDataFrame, n: int, rng: np.random.Generator) -> tuple[list, np.ndarray]:
    """(messy address, true carrier position or -1) of ``n`` enterprises."""
    names = _unique_names(carriers)
    stated = [a if isinstance(a, str) and a.strip() else None for a in carriers.get("address_zh", [None] * len(names))]
    owner = rng.integers(0, len(carriers), n)
    nowhere = rng.random(n) < 0.05
    owner[nowhere] = -1
    out = []
    for c in owner.tolist():
        if c < 0:
            out.append(_unplaceable(names, rng))
            continue
        name = _typo(str(rng.choice(names[c])), rng) if rng.random() < 0.04 else str(rng.choice(names[c]))
        if stated[c] and rng.random() < 0.85:
            text = stated[c] + (name if rng.random() < 0.3 else "")
        else:
            text = name + (f"{rng.integers(1, 6)}栋" if rng.random() < 0.2 else "")
        out.append(_mess(text, rng))
    return out, owner


def _typo(name: str, rng: np.random.Generator) -> str:
    """``name`` with one character written wrong (a long name only: a short one would name another)."""
    if len(name) < 8:
        return name
    at = int(rng.integers(1, len(name) - 1))
    return name[:at] + str(rng.choice(list("的一是在不了有和人这中大为上个"))) + name[at + 1:]


def _unplaceable(names: list[list[str]], rng: np.random.Generator) -> str:
    if rng.random() < 0.5:
        return str(rng.choice(_NOWHERE))
    name = str(rng.choice(names[int(rng.integers(0, len(names)))]))
    return str(rng.choice(_ELSEWHERE)).format(n=int(rng.integers(1, 9999)), f=int(rng.integers(1, 30)), name=name)


def _coordinates(carriers: gpd.GeoDataFrame, owner: np.ndarray, rng: np.random.Generator) -> tuple:
    """WGS-84 lon, lat for about 20 % of those whose carrier has a site: within 15 m of it (NaN elsewhere)."""
    n, lon, lat = len(owner), np.full(len(owner), np.nan), np.full(len(owner), np.nan)
    geoms = carriers.geometry.to_numpy()
    sited = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
    pick = np.flatnonzero((owner >= 0) & sited[np.maximum(owner, 0)] & (rng.random(n) < 0.2))
    anchor = gpd.GeoSeries(geoms[owner[pick]], crs=carriers.crs).to_crs(WGS84).representative_point()
    metres, angle = _JITTER_M * np.sqrt(rng.random(len(pick))), rng.uniform(0, 2 * np.pi, len(pick))
    y = anchor.y.to_numpy()
    lat[pick] = y + metres * np.sin(angle) / 111_320.0
    lon[pick] = anchor.x.to_numpy() + metres * np.cos(angle) / (111_320.0 * np.cos(np.radians(y)))
    return lon, lat


def _enterprises(n: int, addresses: list, lon, lat, rng: np.random.Generator, seed: int, today: date):
    stage_ix = rng.choice(3, n, p=[.45, .35, .2])
    age = rng.uniform(np.array([30, 730, 2190])[stage_ix], np.array([1825, 4380, 10950])[stage_ix]).astype(int)
    first, second = (np.array(list(INDUSTRIES), dtype=object)[rng.integers(0, len(INDUSTRIES), n)] for _ in "ab")
    two = (rng.random(n) < 0.3) & (first != second)
    created = int(datetime.combine(today, time(), timezone.utc).timestamp()) - rng.integers(30 * _DAY, 900 * _DAY, n)
    rows = np.arange(1, n + 1)
    return _frame("enterprises", {
        "id": [f"syn-eco-{i:05d}" for i in rows], "name": [f"演示企业{i:04d} (synthetic)" for i in rows],
        "credit_code": _credit_codes(n, rng), "industries": np.where(two, first + ";" + second, first),
        "stage": np.array(["seed", "growth", "mature"], dtype=object)[stage_ix],
        "headcount": np.maximum(1, np.round(np.exp(rng.normal(np.array([2.3, 4.0, 5.7])[stage_ix], 0.6)))).astype(int),
        "founded": _dates(today, -age), "qualifications": _qualifications(stage_ix, n, rng, today),
        "address": np.array(addresses, dtype=object), "lon": lon, "lat": lat,
        "contact_name": [f"演示联系人{i:04d}" for i in rows], "contact_phone": [f"1000000{i % 10000:04d}" for i in rows],
        "contact_email": [f"eco{i:05d}@example.com" for i in rows], "created_at": _stamps(created),
        "source": f"synthetic (seed {seed})", "erased_at": None, "synthetic": True})


def _unknown(values: np.ndarray, rng: np.random.Generator, share: float = 0.05) -> np.ndarray:
    return np.where(rng.random(len(values)) < share, np.nan, values)


def _years(enterprises: pd.DataFrame, years, rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """Revenue (log-normal; about 1 % of enterprises dominant, 300 × the rest), tax and R&D under it,
    employees around the headcount, patents; about 5 % of each figure unknown."""
    n, k = len(enterprises), len(years)
    base = np.exp(rng.normal(16.0, 1.3, n)) * np.where(rng.random(n) < 0.01, 300.0, 1.0)
    growth = rng.normal(1.08, 0.12, n)
    step = np.tile(np.arange(k), n)
    owner = np.repeat(np.arange(n), k)
    revenue = np.round(base[owner] * growth[owner] ** step * rng.lognormal(0.0, 0.1, n * k), 2)
    tax = np.round(revenue * rng.uniform(0.01, 0.12, n * k), 2)
    rd = np.round(revenue * rng.uniform(0.0, 0.15, n * k), 2)
    head = enterprises["headcount"].to_numpy(dtype=float)[owner]
    employees = pd.array(np.maximum(1, np.round(head * rng.lognormal(0.0, 0.15, n * k))).astype(int), dtype="Int64")
    employees[rng.random(n * k) < 0.05] = pd.NA
    ids = enterprises["id"].to_numpy(dtype=object)[owner]
    year = np.tile(np.asarray(years, dtype=int), n)
    data = {"id": [f"{e}-{y}" for e, y in zip(ids, year.tolist())], "enterprise_id": ids, "year": year,
            "revenue_cny": _unknown(revenue, rng), "tax_cny": _unknown(tax, rng), "rd_cny": _unknown(rd, rng),
            "employees": employees, "patents": rng.poisson(np.sqrt(rd / 1e6) + 0.2).astype(int),
            "source": f"synthetic (seed {seed})", "imported_at": None, "synthetic": True}
    if "enterprise_years" in LAYERS:
        return _frame("enterprise_years", data)
    return pd.DataFrame(data).drop(columns="imported_at")


def synthetic_economy(carriers: gpd.GeoDataFrame, *, n_enterprises: int = 300, years=(2022, 2023, 2024),
                      seed: int = 0, today: date | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Enterprises registered in ``carriers``, their yearly figures, and the truth of where each is.

    Parameters
    ----------
    carriers : geopandas.GeoDataFrame
        ``id``, ``name_zh``, ``address_zh`` (may be missing), geometry (may be None).
    n_enterprises : int, optional
        How many enterprises.
    years : sequence of int, optional
        The years of figures.
    seed : int, optional
        The same seed (and ``today``) gives identical frames.
    today : datetime.date, optional
        Founding and creation dates lie before it (default: today).

    Returns
    -------
    tuple of pandas.DataFrame
        ``(enterprises, enterprise_years, truth)``: the enterprises (catalogue fields, ``lon``/``lat``
        WGS-84 or NaN, ids ``syn-eco-00001``…), their figures (``id`` = enterprise id and year), and
        ``truth`` (``enterprise_id``, ``carrier_id``: the carrier the address or coordinates were drawn
        from, None for the unplaceable ones).
    """
    if not len(carriers):
        raise ValueError("synthetic_economy needs some carriers")
    today, rng = today or date.today(), np.random.default_rng(seed)
    addresses, owner = _addresses(carriers.reset_index(drop=True), n_enterprises, rng)
    lon, lat = _coordinates(carriers.reset_index(drop=True), owner, rng)
    enterprises = _enterprises(n_enterprises, addresses, lon, lat, rng, seed, today)
    ids = carriers["id"].astype(object).astype(str).to_numpy(dtype=object)
    truth = pd.DataFrame({"enterprise_id": enterprises["id"].to_numpy(dtype=object),
                          "carrier_id": pd.Series([ids[c] if c >= 0 else None for c in owner.tolist()], dtype=object)})
    return enterprises, _years(enterprises, years, rng, seed), truth
