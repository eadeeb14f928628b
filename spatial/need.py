"""An enterprise's need: what it asks for, checked, and its saved form (the demand pool)."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from layers.vocab import FACILITIES, INDUSTRIES

STAGES = ("startup", "growth", "headquarters", "research_institute")
CRITERIA = ("industry", "area", "cost", "distance", "stage", "facilities", "policy", "hk_link")
DEFAULT_WEIGHTS = {"industry": 25.0, "area": 15.0, "cost": 15.0, "distance": 15.0, "stage": 10.0,
                   "facilities": 10.0, "policy": 5.0, "hk_link": 5.0}


@dataclass(frozen=True)
class Need:
    """What an enterprise needs. Every field is optional except the ones it sets."""

    industry: str | None = None  # industry code (resolve names with layers.vocab.resolve_industry)
    area_min: float | None = None  # m²
    area_max: float | None = None
    max_rent: float | None = None  # CNY per m² per month
    zones: tuple[str, ...] = ()  # preferred subdistrict or cluster ids (hard: inside one of them)
    near: tuple[float, float] | None = None  # WGS-84 (lon, lat)
    near_label: str = ""
    within_km: float | None = None
    stage: str | None = None
    facilities: tuple[str, ...] = ()  # required facility codes
    hk_link: bool = False
    policy_support: bool = False

    def validate(self) -> list[str]:
        """Problems with the need itself, as one-line messages (empty when valid)."""
        out = []
        if self.industry is not None and self.industry not in INDUSTRIES:
            out.append(f"unknown industry {self.industry!r}; valid: {', '.join(INDUSTRIES)}")
        for name in ("area_min", "area_max", "max_rent", "within_km"):
            value = getattr(self, name)
            if value is not None and (not np.isfinite(value) or value < 0):
                out.append(f"{name.replace('_', ' ')} must be a non-negative number, got {value}")
        if self.area_min is not None and self.area_max is not None and self.area_min > self.area_max:
            out.append(f"area minimum {self.area_min:g} m² is larger than the maximum {self.area_max:g} m²")
        if self.stage is not None and self.stage not in STAGES:
            out.append(f"unknown stage {self.stage!r}; valid: {', '.join(STAGES)}")
        for code in self.facilities:
            if code not in FACILITIES:
                out.append(f"unknown facility {code!r}; valid: {', '.join(FACILITIES)}")
        if self.within_km is not None and self.near is None:
            out.append("a distance limit needs a place to measure from (near)")
        return out


def with_need(need: Need, **changes) -> Need:
    """A copy of ``need`` with some fields changed."""
    return replace(need, **changes)


def need_to_dict(need: Need) -> dict:
    """JSON-ready form of a need (for the demand pool)."""
    d = {k: getattr(need, k) for k in Need.__dataclass_fields__}
    d["zones"], d["facilities"] = list(need.zones), list(need.facilities)
    d["near"] = list(need.near) if need.near is not None else None
    return d


def need_from_dict(data: dict) -> Need:
    """Rebuild a need saved by :func:`need_to_dict` (unknown keys are ignored)."""
    d = {k: v for k, v in data.items() if k in Need.__dataclass_fields__}
    d["zones"] = tuple(d.get("zones") or ())
    d["facilities"] = tuple(d.get("facilities") or ())
    d["near"] = tuple(d["near"]) if d.get("near") else None
    return Need(**d)


# ---- a need from text (CLI flags, pool CSV columns) -----------------------------------------

def parse_area(text: str | None) -> tuple[float | None, float | None]:
    """``MIN-MAX``, ``MIN-``, ``-MAX`` or ``MIN`` (a minimum) in m² → (min, max)."""
    import re

    from spatial.errors import SpaceMapError

    if text is None or (isinstance(text, float) and text != text) or not str(text).strip():
        return None, None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)?\s*(-)?\s*(\d+(?:\.\d+)?)?\s*", str(text))
    if not m or (m.group(1) is None and m.group(3) is None):
        raise SpaceMapError(f"--area must be MIN-MAX, MIN-, -MAX or MIN in m² (non-negative), got {text!r}")
    lo = float(m.group(1)) if m.group(1) else None
    hi = float(m.group(3)) if m.group(3) and m.group(2) else None
    return lo, hi


def parse_list(text) -> list[str]:
    """A comma-separated list (ASCII or full-width commas), blanks dropped."""
    if text is None or (isinstance(text, float) and text != text):
        return []
    return [p.strip() for p in str(text).replace("，", ",").split(",") if p.strip()]


def resolve_facility(text: str) -> str:
    """A facility code from its code, Chinese or English name or a synonym."""
    from spatial.errors import SpaceMapError

    key = text.strip().lower()
    for code, term in FACILITIES.items():
        if key in {code, term.zh.lower(), term.en.lower(), *(s.lower() for s in term.synonyms)}:
            return code
    raise SpaceMapError(f"unknown facility {text!r}; valid: {', '.join(FACILITIES)}")


def resolve_zones(items: list[str], frames) -> tuple[str, ...]:
    """Subdistrict or cluster ids from ids or names (``frames``: the ``subdistricts`` and ``clusters`` layers)."""
    from spatial.errors import SpaceMapError

    out = []
    for item in items:
        key = item.strip().lower()
        hit = None
        for layer in ("subdistricts", "clusters"):
            f = frames[layer]
            for fid, zh, en in zip(f["id"], f["name_zh"], f["name_en"]):
                names = {str(fid).lower(), str(zh).lower(), str(en).lower(), str(zh).removesuffix("街道").lower(),
                         str(en).lower().removesuffix(" subdistrict")}
                if key in names:
                    hit = fid
        if hit is None:
            raise SpaceMapError(f"unknown subdistrict or cluster {item!r}; see: python cli.py area --layer subdistricts")
        out.append(hit)
    return tuple(out)


def parse_weights(text) -> dict[str, float]:
    """``industry=30,cost=20`` → criterion weights (non-negative numbers of known criteria)."""
    from spatial.errors import SpaceMapError

    out = {}
    for part in parse_list(text):
        key, _, value = part.partition("=")
        if key not in CRITERIA:
            raise SpaceMapError(f"unknown weight {key!r}; criteria: {', '.join(CRITERIA)}")
        try:
            out[key] = float(value)
        except ValueError:
            raise SpaceMapError(f"weight {key} must be a number, got {value!r}") from None
        if out[key] < 0:
            raise SpaceMapError(f"weight {key} must not be negative, got {out[key]:g}")
    return out


def need_from_text(*, frames, carriers, industry=None, area=None, max_rent=None, near=None, within_km=None,
                   needs=None, stage=None, zones=None, hk_link=False, policy_support=False) -> Need:
    """A checked :class:`Need` from text values as a person types them (the CLI's flags, the
    columns of a demand-pool CSV): industry by code, name or synonym; area ``MIN-MAX``; ``near`` a
    landmark, carrier id or name, or ``lat,lon``; comma-separated facilities and zones.

    ``frames``: the ``landmarks``, ``subdistricts`` and ``clusters`` layers; ``carriers``: the
    carriers a place may name.

    Raises
    ------
    SpaceMapError
        Naming the value that is not understood, or what is wrong with the need.
    """
    from layers.vocab import resolve_industry
    from spatial.errors import SpaceMapError
    from spatial.places import resolve_place

    code = None
    if industry:
        code = resolve_industry(industry)
        if code is None:
            valid = ", ".join(f"{c} ({t.zh})" for c, t in INDUSTRIES.items())
            raise SpaceMapError(f"unknown industry {industry!r}; valid: {valid}")
    lo, hi = parse_area(area)
    point, label = None, ""
    if near:
        lon, lat, label = resolve_place(near, landmarks=frames["landmarks"], carriers=carriers)
        point = (lon, lat)
    need = Need(industry=code, area_min=lo, area_max=hi, max_rent=max_rent, zones=resolve_zones(parse_list(zones), frames),
                near=point, near_label=label, within_km=within_km, stage=stage or None,
                facilities=tuple(resolve_facility(f) for f in parse_list(needs)), hk_link=bool(hk_link),
                policy_support=bool(policy_support))
    problems = need.validate()
    if problems:
        raise SpaceMapError("; ".join(problems))
    return need
