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
