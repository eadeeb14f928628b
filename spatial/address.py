"""Chinese address normalisation: registered addresses written in many ways, made comparable.

An enterprise register gives the same site as ``广东省深圳市福田区福保街道槟榔道３号Ａ座12楼1201室``,
``深圳福田保税区槟榔道3号A栋`` or ``槟榔道3号``. :func:`normalise_text` makes the writing uniform
(half-width, upper-case latin letters, no spaces or punctuation, 栋/座/幢/号楼 → 栋, a floor → 层, a
room → 室, road aliases → their canonical name); :func:`parse_addresses` strips the administrative
prefix (province, city, district: ``cpca``, once per batch), the sub-district (街道) and
community (社区), and splits what is left into road, number, building, floor, room and a name part.
:func:`name_variants` gives the names a carrier goes by (its name, the alias in parentheses, …);
:func:`fuzzy_scores` scores many addresses against many names at once (rapidfuzz, multi-threaded).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

ROAD_ALIASES: dict[str, str] = {
    "深南路": "深南大道",
    "北环路": "北环大道",
    "滨河路": "滨河大道",
    "滨海路": "滨海大道",
}
"""Alias → canonical road name for roads of Futian written short in registers. Editable data: add a pair
when a register is seen to write a road another way. Only aliases that name no other road are listed
(深南中路 is not 深南大道: both are official names, numbered apart)."""

SHENZHEN_DISTRICTS = {"福田": "福田区", "罗湖": "罗湖区", "南山": "南山区", "盐田": "盐田区", "宝安": "宝安区",
                      "龙岗": "龙岗区", "龙华": "龙华区", "坪山": "坪山区", "光明": "光明区", "大鹏": "大鹏新区"}
"""Short form (as written without 区) → district, for addresses cpca cannot read (``深圳福田车公庙``)."""
BLOCK_CELLS = 4_000_000
"""Query × choice cells :func:`fuzzy_scores` bounds at once (int32: 16 MB): memory stays bounded."""
MAX_RESCORED = 64
"""At most this many choices per query are scored exactly by :func:`fuzzy_scores`, best bounds first."""

_CN_NUMBERS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九十")}
_ALIASES = sorted(ROAD_ALIASES.items(), key=lambda kv: -len(kv[0]))
_HASH_BUILDING = re.compile(r"(\d+)#(?:楼|栋|座)?")
_NOISE = re.compile(r"[^0-9A-Z\u3400-\u4dbf\u4e00-\u9fff\-]")
_LONE_DASH = re.compile(r"(?<![0-9A-Z])-|-(?![0-9A-Z])")
_CN_BUILDING = re.compile(r"([一二三四五六七八九十])(?:号楼|号栋|栋|座|幢)")
_BUILDING_WORD = re.compile(r"([0-9A-Z]+)(?:号楼|号栋|栋|座|幢)")
_FLOOR_WORD = re.compile(r"(\d+(?:-\d+)?)(?:楼|F|层)")
_ROOM_WORD = re.compile(r"(\d+[A-Z]?)号?(?:房间|房|室)")
_ROOM = re.compile(r"([A-Z]?\d+[A-Z]?(?:-\d+)?)室")
_FLOOR = re.compile(r"第?(B?\d+(?:-\d+)?)层(\d{3,5}[A-Z]?(?![0-9号]))?")
_BUILDING = re.compile(r"([A-Z]{1,2}\d{0,2}|\d{1,3})栋(\d{3,5}[A-Z]?(?![0-9号]))?")
_SITE = re.compile(r"(大道|大街|路|道|街|巷)(\d+(?:-\d+)?)号?")
_BOUNDARY = re.compile(r".*(?:区|街道|社区|市|省)")
_PREFIX = re.compile(r"^(?:广东省?)?(?:深圳市?)?")
_SHORT_DISTRICT = re.compile(r"^(" + "|".join(SHENZHEN_DISTRICTS) + r")(?:新区|区)?(?!路|大道|大街|街|[东南西北中]路)")
_ADMIN_ONLY = re.compile(r"^(?:广东省?)?(?:深圳市?)?(?:(?:" + "|".join(SHENZHEN_DISTRICTS) + r")(?:新区|区)?)?$")
_FULL_UNIT = re.compile(r"(?:省|市|区|县|旗|盟|州|特别行政区)$")
_SUBDISTRICT = re.compile(r"^(?:[\u4e00-\u9fff]{1,5}街道)?(?:[\u4e00-\u9fff]{1,5}社区)?")
_PARENTHESES = re.compile(r"^(.+?)\((.+)\)$")
_QUOTED = re.compile(r"[“\"「『‘']([^”\"」』’']{4,})[”\"」』’']")


@dataclass(frozen=True)
class Address:
    """One address, parsed.

    Attributes
    ----------
    text : str or None
        The address as given.
    district : str or None
        The district it states (``"福田区"``), None when it states none.
    road, number, building : str or None
        ``"深南大道"``, ``"6009"``, ``"A"`` (the building as 栋/座/幢/号楼 gave it).
    name_part : str or None
        What is left once the administrative prefix, road, number, building, floor and room are
        taken out: often a building's or park's name.
    floor, room : str or None
        ``"12"``, ``"1201"``.
    normalised : str or None
        The normalised text without the administrative prefix, floor and room: what matching compares.
    """

    text: str | None
    district: str | None = None
    road: str | None = None
    number: str | None = None
    building: str | None = None
    name_part: str | None = None
    floor: str | None = None
    room: str | None = None
    normalised: str | None = None

    @property
    def site_key(self) -> str | None:
        """``"road|number|building"`` (building empty when not given); None without road and number."""
        if not self.road or not self.number:
            return None
        return f"{self.road}|{self.number}|{self.building or ''}"


def normalise_text(text) -> str:
    """The address written one way: ``"深南路６００９号Ａ座12楼1201房"`` → ``"深南大道6009号A栋12层1201室"``.

    NFKC (full-width → half-width), upper-case latin letters, spaces and punctuation removed (a hyphen
    between letters or digits kept), ``3#`` / 栋 / 座 / 幢 / 号楼 after a number or letter → 栋, a floor
    (楼, F, 层 after a number) → 层, a room (房, 房间, 室 after a number) → 室, :data:`ROAD_ALIASES`
    applied.

    Parameters
    ----------
    text : str or None
        An address or a name as written.

    Returns
    -------
    str
        The text written one way; ``""`` for None or NaN.
    """
    if not isinstance(text, str):
        return ""
    s = unicodedata.normalize("NFKC", text).upper()
    s = _HASH_BUILDING.sub(r"\1栋", s)
    s = _LONE_DASH.sub("", _NOISE.sub("", s))
    s = _CN_BUILDING.sub(lambda m: _CN_NUMBERS[m[1]] + "栋", s)
    s = _BUILDING_WORD.sub(r"\1栋", s)
    s = _FLOOR_WORD.sub(r"\1层", s)
    s = _ROOM_WORD.sub(r"\1室", s)
    for alias, canonical in _ALIASES:
        s = s.replace(alias, canonical)
    return s


def _admin(texts: list[str]) -> list[tuple[str | None, str, bool]]:
    """(stated district, text after the administrative prefix, whether a prefix was stated) of each text:
    one cpca call. cpca finds no prefix in ``深南大道6009号`` (地址 NaN) and reads too much in building
    names (``湖南大厦``, ``合作区…`` → 合作市): a prefix counts only when its last unit is written in full
    (``南山区``, ``广州市``) or it is a Shenzhen prefix written short (``深圳福田``); else the text is kept."""
    if not texts:
        return []
    import cpca  # loads its tables on first import: only when addresses are parsed

    found = cpca.transform(texts)
    districts = found["区"].astype(object).where(found["区"].notna(), None).tolist()
    out = []
    for text, district, rest in zip(texts, districts, found["地址"].astype(object).tolist()):
        prefix = text[:len(text) - len(rest)] if isinstance(rest, str) and text.endswith(rest) else ""
        stated = bool(_FULL_UNIT.search(prefix) or ("深圳" in prefix and _ADMIN_ONLY.match(prefix)))
        out.append((district, rest, True) if stated else (None, text, False))
    return out


def _strip_prefix(text: str, district: str | None, city: bool) -> tuple[str | None, str]:
    """Remove what cpca left of the prefix from normalised text: 广东/深圳, a district written short
    (``深圳福田车公庙``: only after a stated prefix, as ``光明大厦`` may be a building), the 街道 and 社区
    (and 深圳 again: ``福保街道“深圳智谷”…``)."""
    stripped = _PREFIX.sub("", text)
    short = _SHORT_DISTRICT.match(stripped) if (city or stripped != text) and district is None else None
    if short:
        district, stripped = SHENZHEN_DISTRICTS[short[1]], stripped[short.end():]
    return district, _PREFIX.sub("", _SUBDISTRICT.sub("", stripped))


def _cut(text: str, pattern: re.Pattern, *, last: bool = False) -> tuple[re.Match | None, str]:
    """The (last) match of ``pattern`` in ``text`` and the text without it."""
    found = list(pattern.finditer(text)) if last else [m for m in [pattern.search(text)] if m]
    if not found:
        return None, text
    m = found[-1]
    return m, text[:m.start()] + text[m.end():]


def _parse(text: str, district: str | None, city: bool) -> dict:
    """The parts of one address (``text`` after the administrative prefix, not yet normalised)."""
    district, s = _strip_prefix(normalise_text(text), district, city)
    room_m, s = _cut(s, _ROOM, last=True)
    floor_m, s = _cut(s, _FLOOR, last=True)
    building_m, rest = _cut(s, _BUILDING)
    room = room_m[1] if room_m else (floor_m[2] if floor_m else None) or (building_m[2] if building_m else None)
    if building_m and building_m[2]:  # 3栋2003: the room follows the building
        s = s[:building_m.start(2)] + s[building_m.end(2):]
    normalised, s = s, rest
    road = number = None
    site = _SITE.search(s)
    if site:
        before = s[:site.end(1)]
        boundary = _BOUNDARY.match(before)
        road, number = before[boundary.end():] if boundary else before, site[2]
        s = s[:site.end(1) - len(road)] + s[site.end():]
    return {"district": district, "road": road or None, "number": number if road else None,
            "building": building_m[1] if building_m else None, "name_part": s or None,
            "floor": floor_m[1] if floor_m else None, "room": room, "normalised": normalised or None}


def parse_addresses(texts: Sequence[str | None]) -> list[Address]:
    """Parse a batch of addresses (one cpca call for the distinct texts).

    Parameters
    ----------
    texts : sequence of str or None
        Addresses as written; None, NaN or blank gives an :class:`Address` with every part None.

    Returns
    -------
    list of Address
        One per text, in order.
    """
    raw = [unicodedata.normalize("NFKC", t).strip() if isinstance(t, str) else "" for t in texts]
    distinct = list(dict.fromkeys(r for r in raw if r))
    parts = {r: _parse(rest, district, city) for r, (district, rest, city) in zip(distinct, _admin(distinct))}
    return [Address(text=t if isinstance(t, str) else None, **parts[r]) if r else
            Address(text=t if isinstance(t, str) else None) for t, r in zip(texts, raw)]


def _split_name(name: str) -> list[str]:
    """A name's spellings before normalising: the name, its main part and alias (``A（B）``), quoted parts
    (``“湾区芯谷”…``) and space-separated parts (``BLACKARK 智方舟…``)."""
    name = unicodedata.normalize("NFKC", name).strip()
    out = [name]
    paren = _PARENTHESES.match(name)
    if paren:
        out += [paren[1], paren[2]]
    out += _QUOTED.findall(name)
    bare = paren[1] if paren else name
    if " " in bare:
        out += bare.split()
    return out


def name_variants(names: Sequence[str | None], *, min_chars: int = 4) -> list[tuple[str, ...]]:
    """The normalised names each carrier goes by, longest first.

    The full name, its main part and the alias in parentheses (``国际生物医药产业园（国际生物医药基地）``
    → both), a quoted part, the parts of a name with a space, and each of these without a Shenzhen
    administrative prefix (``深圳新一代信息技术产业园`` → also ``新一代信息技术产业园``: registers drop 深圳
    as they drop 福田区; ``香港城市大学…`` keeps 香港, which is part of the name). Variants shorter than
    ``min_chars`` characters are left out (the full name never is).

    Parameters
    ----------
    names : sequence of str or None
        Carrier names (None: no variants).
    min_chars : int, optional
        Shortest variant kept, 4 by default.
    """
    spelled = [_split_name(n) if isinstance(n, str) and n.strip() else [] for n in names]
    flat = list(dict.fromkeys(s for group in spelled for s in group))
    stripped = dict(zip(flat, _admin(flat)))
    out = []
    for group in spelled:
        found = []
        for k, s in enumerate(group):
            full = normalise_text(s)
            rest = _strip_prefix(normalise_text(stripped[s][1]), None, stripped[s][2])[1]
            admin_only = full.endswith(rest) and _ADMIN_ONLY.match(full[:len(full) - len(rest)])
            found += [v for v in (full, rest if admin_only else "") if v and len(v) >= min_chars]
            found += [full] if k == 0 and full else []
        out.append(tuple(sorted(dict.fromkeys(found), key=lambda v: (-len(v), v))))
    return out


def text_score(choice: str, query: str) -> float:
    """0-100: ``partial_ratio`` (the choice inside the query: a name in an address) when the choice is no
    longer than the query, else ``ratio`` (a short query inside a long name is not a match)."""
    return fuzz.partial_ratio(choice, query) if len(choice) <= len(query) else fuzz.ratio(choice, query)


def _rescore(query: str, bound: np.ndarray, exact: np.ndarray, choices, owners, cutoff: float) -> dict:
    """{owner: (score, choice)} for one query, from the best bounds down until none left can enter the top three."""
    pool = np.flatnonzero(bound >= cutoff)
    pool = pool[np.argsort(-bound[pool], kind="stable")]
    best: dict[int, tuple[float, int]] = {}
    for k, j in enumerate(pool.tolist()):
        top = sorted((s for s, _ in best.values()), reverse=True)
        if (len(top) >= 3 and bound[j] < top[2]) or k >= MAX_RESCORED:
            break
        score, owner = float(bound[j]) if exact[j] else text_score(choices[j], query), int(owners[j])
        if score >= cutoff and score > best.get(owner, (-1.0, 0))[0]:
            best[owner] = (score, j)
    return best


def fuzzy_scores(queries: Sequence[str], choices: Sequence[str], owners, *, cutoff: float) -> list[dict]:
    """The best :func:`text_score` ≥ ``cutoff`` per owner of the choices, for each query.

    A pre-pass scores every query against every choice at once (``rapidfuzz.process.cdist`` of the
    longest common subsequence L, multi-threaded, in blocks of :data:`BLOCK_CELLS`): it gives ``ratio``
    exactly (200·L / (len q + len c)) and bounds ``partial_ratio`` (200·L / (len c + L): no window of the
    query shares more than L characters with the choice). Only choices whose bound reaches ``cutoff``
    are scored exactly, best first, until no bound left can enter the top three.

    Parameters
    ----------
    queries, choices : sequence of str
        Normalised texts (:func:`normalise_text`).
    owners : array_like of int
        The owner of each choice (a carrier's row: one carrier has several names).
    cutoff : float
        Lowest score kept (0-100).

    Returns
    -------
    list of dict
        Per query ``{owner: (score, choice index)}`` (at least its best three owners).
    """
    if not len(choices):
        return [{} for _ in queries]
    lengths, owners, out = np.array([len(c) for c in choices], dtype=np.float64), np.asarray(owners), []
    rows = max(1, BLOCK_CELLS // len(choices))
    for start in range(0, len(queries), rows):
        block = list(queries[start:start + rows])
        common = process.cdist(block, list(choices), scorer=LCSseq.similarity, dtype=np.int32, workers=-1)
        lq = np.array([len(q) for q in block], dtype=np.float64)[:, None]
        exact = lengths[None, :] > lq
        bound = np.where(exact, 200 * common / (lq + lengths), 200 * common / (lengths + np.maximum(common, 1)))
        out += [_rescore(q, bound[r], exact[r], choices, owners, cutoff) for r, q in enumerate(block)]
    return out
