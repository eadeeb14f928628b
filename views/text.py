"""Interface strings in Chinese (default) and English. Pure: no streamlit here."""
from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("福田科技空间地图", "Futian tech-space map"),
    "app_tagline": ("科技培育空间、园区、楼宇与孵化载体的产业空间地图",
                    "An industrial-space map of Futian's science parks, tech buildings and incubators"),
    "language": ("语言", "Language"),
    "page_overview": ("数据总览", "Data overview"),
    "overview_intro": (
        "每个图层的要素数量、申报面积合计（来源见表）与数据校验状态。面积“未知”表示来源未给出，不等于 0。",
        "Every layer with its feature count, summed stated areas (with sources) and validation status. "
        "'Unknown' means no source states the figure; it is not zero.",
    ),
    "col_layer": ("图层", "Layer"),
    "col_key": ("代码", "Key"),
    "col_role": ("类型", "Kind"),
    "col_count": ("要素数", "Features"),
    "col_located": ("已定位", "Located"),
    "col_land": ("占地面积合计(㎡)", "Land area (m²)"),
    "col_floor": ("建筑面积合计(㎡)", "Floor area (m²)"),
    "col_incubation": ("孵化面积合计(㎡)", "Incubation area (m²)"),
    "col_available": ("可租面积合计(㎡)", "Available area (m²)"),
    "col_computed": ("计算面积(km², EPSG:4547)", "Computed area (km², EPSG:4547)"),
    "col_sources": ("来源", "Sources"),
    "col_status": ("校验", "Validation"),
    "unknown": ("未知", "unknown"),
    "stated_of": ("{known} 条有数据", "{known} stated"),
    "status_ok": ("通过", "OK"),
    "status_problems": ("{n} 个问题", "{n} problem(s)"),
    "validation_ok": ("校验通过：{features} 个要素，{layers} 个图层，无问题。",
                      "Validation passed: {features} features in {layers} layers, no problems."),
    "validation_failed": ("校验发现 {n} 个问题。", "Validation found {n} problem(s)."),
    "problems_title": ("校验问题", "Validation problems"),
    "approximate_note": (
        "街道、创新集群和河套范围为近似边界（据道路与河流勾绘，精度约数百米），仅供参考；方法见 geodata/SOURCES.md。",
        "Subdistricts, clusters and the Hetao zone are approximate outlines (sketched from roads and the river, "
        "accurate to a few hundred metres); see geodata/SOURCES.md for the method.",
    ),
    "within_parent_note": (
        "合计不重复计算：位于上级载体内、且上级已给出同类面积的载体不计入（{n} 条）。",
        "Totals do not count twice: carriers inside a parent that states the same figure are left out ({n}).",
    ),
    "reports_title": ("孵化面积报告与目标", "Reported incubation totals and targets"),
    "store_info": ("数据库：{path}（由 geodata/ 首次使用时创建）", "Store: {path} (created from geodata/ on first use)"),
    "col_date": ("日期", "Date"),
    "col_year": ("年份", "Year"),
    "col_area_m2": ("面积(㎡)", "Area (m²)"),
    "col_carriers": ("载体数", "Carriers"),
    "col_measure": ("口径", "Measure"),
    "col_kind": ("类别", "Kind"),
    "kind_baseline": ("基数", "baseline"),
    "kind_target": ("目标", "target"),
    "role_boundary": ("行政边界", "boundary"),
    "role_context": ("背景图层", "context"),
    "role_zone": ("片区", "zone"),
    "role_carrier": ("空间载体", "carrier"),
    "role_table": ("数据表", "table"),
}


def t(key: str, lang: str, **fmt) -> str:
    """Return the interface string ``key`` in ``lang`` ('zh' or 'en'), formatted with ``fmt``."""
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text
