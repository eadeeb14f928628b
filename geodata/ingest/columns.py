"""Map the headers of a steward's file to catalogue fields: Chinese and English synonyms,
or an explicit mapping file (JSON ``{"file header": "field"}``)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from layers.catalogue import CARRIER_FIELDS
from spatial.errors import SpaceMapError

SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("编号", "代码", "id", "code", "编码"),
    "name_zh": ("名称", "中文名称", "载体名称", "项目名称", "name", "name_zh", "chinese name"),
    "name_en": ("英文名称", "英文名", "name_en", "english name"),
    "address_zh": ("地址", "详细地址", "address", "address_zh"),
    "land_area_m2": ("占地面积", "用地面积", "land area", "land_area", "land_area_m2"),
    "floor_area_m2": ("建筑面积", "总建筑面积", "floor area", "gfa", "floor_area", "floor_area_m2"),
    "incubation_area_m2": ("孵化面积", "培育面积", "incubation area", "incubation_area", "incubation_area_m2"),
    "available_area_m2": ("可租面积", "可出租面积", "空置面积", "available area", "available", "available_area_m2"),
    "rent_cny_m2_month": ("租金", "租金（元/㎡/月）", "月租金", "rent", "rent_cny_m2_month"),
    "industries": ("产业", "产业方向", "主导产业", "industries", "industry"),
    "facilities": ("设施", "配套设施", "facilities"),
    "policies": ("政策", "适用政策", "policies"),
    "status": ("状态", "运营状态", "status"),
    "opened": ("开业时间", "开业日期", "opened"),
    "operator": ("运营方", "运营单位", "运营主体", "operator"),
    "parent_id": ("所属载体", "上级载体", "parent_id", "parent"),
    "hk_link": ("涉港", "香港合作", "hk_link", "hong kong link"),
    "source": ("来源", "数据来源", "source"),
    "notes": ("备注", "说明", "notes", "remarks"),
    "lon": ("经度", "lon", "lng", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
}
"""Field → header spellings accepted (compared without case, spaces or unit suffixes)."""

TITLES = {f.name: (f.name, f.title_zh, f.title_en) for f in CARRIER_FIELDS}
"""Every catalogue field name and its zh/en column titles are accepted too (after the synonyms)."""

_UNIT = re.compile(r"[（(][^）)]*[）)]$")


def normalise_header(header: str) -> str:
    """Lower case, no surrounding space, no unit suffix like ``(㎡)`` or ``（元/㎡/月）``."""
    text = str(header).strip().lower().replace("\ufeff", "")
    text = _UNIT.sub("", text).strip()
    return re.sub(r"\s+", " ", text)


_LOOKUP = {normalise_header(s): field for field, spellings in TITLES.items() for s in spellings if s}
_LOOKUP.update({normalise_header(s): field for field, spellings in SYNONYMS.items() for s in spellings if s})
FIELDS = sorted(set(SYNONYMS) | set(TITLES))


def read_mapping(path: Path, fields=None) -> dict[str, str]:
    """An explicit mapping file: a JSON object from file header to field name (one of ``fields``,
    by default the carriers' importable fields)."""
    fields = FIELDS if fields is None else tuple(fields)
    try:
        mapping = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SpaceMapError(f"cannot read the mapping file {path}: {exc}") from exc
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise SpaceMapError(f"{path}: the mapping must be a JSON object of header → field name")
    unknown = sorted(set(mapping.values()) - set(fields))
    if unknown:
        raise SpaceMapError(f"{path}: unknown field(s) {', '.join(unknown)}; known: {', '.join(fields)}")
    return mapping


def map_headers(headers, explicit: dict[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """Return (header → field, headers left unmapped). Two headers naming one field is an error."""
    mapping: dict[str, str] = {}
    unmapped: list[str] = []
    for header in headers:
        if str(header) == "geometry":
            continue
        field = (explicit or {}).get(str(header)) or _LOOKUP.get(normalise_header(header))
        if field is None:
            unmapped.append(str(header))
            continue
        if field in mapping.values():
            other = next(h for h, f in mapping.items() if f == field)
            raise SpaceMapError(f"columns {other!r} and {header!r} both mean {field}; keep one or use a mapping file")
        mapping[str(header)] = field
    return mapping, unmapped
