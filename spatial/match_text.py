"""The words of matching — exclusion reasons and flags — in Chinese and English. Pure data
and formatting; the CLI uses English, the pages the interface language."""
from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # constraint summaries (what a constraint excludes)
    "closed": ("已关闭", "closed"),
    "industry": ("没有{ind_zh}或相关产业", "no {ind_en} or related sector"),
    "area": ("可租面积 < 所需 {need} ㎡", "available area < {need} m² needed"),
    "rent": ("租金 > {max} 元/㎡/月", "rent > {max} CNY/m²/month"),
    "distance": ("距{where_zh}超过 {km} km", "farther than {km} km{where_en}"),
    "facility": ("缺少{fac_zh}", "lacks {fac_en}"),
    "location": ("位置未知（无法检查距离）", "location unknown (distance limit cannot be checked)"),
    "zones": ("不在指定的街道/集群内", "outside the preferred subdistricts/clusters"),
    # per-candidate reasons (with the candidate's own numbers)
    "x_industry": ("产业 {have} 既不是{ind_zh}也不相关", "industries {have} are neither {ind_code} nor related to it"),
    "x_area": ("可租面积 {have} ㎡ < 所需 {need} ㎡", "available area {have} m² < {need} m² needed"),
    "x_rent": ("租金 {have} 元/㎡/月 > 上限 {max}", "rent {have} CNY/m²/month > {max} maximum"),
    "x_distance": ("距{where_zh} {have} km > {km} km", "{have} km{where_en} > {km} km"),
    # flags (unknowns to confirm)
    "f_available": ("可租面积未知——请向运营方确认", "availability unknown — confirm with the operator"),
    "f_rent": ("租金未知——请向运营方确认", "rent unknown — confirm with the operator"),
    "f_facilities": ("未记录设施——请向运营方确认{fac_zh}", "facilities not recorded — confirm {fac_code} with the operator"),
    "f_maybe": ("有可能是{fac_zh}的设施——请向运营方确认", "has a facility that may be a {fac_en} — confirm with the operator"),
    "f_location": ("位置未知——未检查距离", "location unknown — distance not checked"),
    "f_industries": ("未记录产业", "industries not recorded"),
    "f_not_operating": ("尚未运营", "not (yet) operating"),
}


def say(key: str, lang: str = "en", **values) -> str:
    """The text ``key`` in ``lang`` ('zh' or 'en'), filled with ``values``."""
    zh, en = TEXTS[key]
    return (zh if lang == "zh" else en).format(**values)


def both(key: str, **values) -> dict[str, str]:
    """The text ``key`` in both languages."""
    return {"zh": say(key, "zh", **values), "en": say(key, "en", **values)}
