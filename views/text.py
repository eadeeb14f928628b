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

STRINGS.update({
    "page_map": ("地图", "Map"),
    "basemap": ("底图", "Base map"),
    "search": ("搜索载体（中文名、英文名或拼音首字母）", "Find a carrier (Chinese, English or pinyin initials)"),
    "search_results": ("搜索结果", "Matches"),
    "search_none": ("没有匹配的载体。", "No carrier matches."),
    "filters": ("筛选", "Filters"),
    "f_layers": ("图层", "Layers"),
    "f_industries": ("产业", "Industries"),
    "f_subdistricts": ("街道", "Subdistricts"),
    "f_clusters": ("创新集群", "Clusters"),
    "f_min_available": ("最小可租面积（㎡）", "Minimum available area (m²)"),
    "choropleth": ("分级着色", "Choropleth"),
    "ch_off": ("关闭", "Off"),
    "ch_sub_floor": ("街道 · 建筑面积", "Subdistricts · floor area"),
    "ch_sub_incubation": ("街道 · 孵化面积", "Subdistricts · incubation area"),
    "ch_cl_floor": ("集群 · 建筑面积", "Clusters · floor area"),
    "ch_cl_incubation": ("集群 · 孵化面积", "Clusters · incubation area"),
    "matching": ("符合条件的载体：{shown} / {total}（{unlocated} 个位置未知，不在地图上）",
                 "Matching carriers: {shown} of {total} ({unlocated} without a location, not on the map)"),
    "min_available_note": ("可租面积未知的载体不满足最小可租面积条件（{n} 个被排除）。",
                           "Carriers whose available area is unknown do not pass a minimum ({n} left out)."),
    "detail": ("载体详情", "Carrier details"),
    "detail_hint": ("点击地图上的载体、在列表中选择一行或搜索，查看详情。",
                    "Click a carrier on the map, pick a row in the list or search to see its details."),
    "col_name": ("名称", "Name"),
    "col_value": ("内容", "Value"),
    "col_subdistrict": ("街道", "Subdistrict"),
    "legend": ("图例", "Legend"),
    "export": ("导出", "Export"),
    "export_geojson": ("下载 GeoJSON", "Download GeoJSON"),
    "export_csv": ("下载 CSV", "Download CSV"),
    "export_html": ("生成离线地图 HTML", "Build offline map HTML"),
    "export_html_ready": ("下载地图 HTML", "Download map HTML"),
    "approx_zones": ("街道、集群、河套边界为近似（≈）。", "Subdistrict, cluster and Hetao outlines are approximate (≈)."),
    "gcj_note": ("当前底图为 GCJ-02，所有矢量图层已在显示时转换。", "This base map is GCJ-02: every vector layer is shifted for display."),
    "assets_missing": ("地图脚本未安装：请运行 bash scripts/start.sh（会通过 npm 安装 Leaflet 等）。",
                       "Map scripts are not installed: run bash scripts/start.sh (installs Leaflet etc. with npm)."),
    "layer_col": ("图层", "Layer"),
})
STRINGS["pick_carrier"] = ("查看载体详情", "Show details of")
STRINGS["col_floor_one"] = ("建筑面积(㎡)", "Floor area (m²)")
STRINGS["col_available_one"] = ("可租面积(㎡)", "Available area (m²)")
STRINGS["any"] = ("全部", "All")
STRINGS["list_limited"] = ("列表显示前 {shown} 个（共 {total} 个）；请用搜索或筛选缩小范围，导出文件包含全部。",
                           "The list shows the first {shown} of {total}; search or filter to narrow it — exports hold all.")
STRINGS["export_html"] = ("下载离线地图 HTML", "Download offline map HTML")
STRINGS.update({
    "page_match": ("空间匹配", "Match"),
    "m_intro": ("描述企业需求，获得排序并附理由的空间清单；未知的可租面积、租金、设施不会被当作符合，只会被标注。",
                "Describe a need and get a ranked, explained shortlist; unknown availability, rent or facilities are "
                "flagged, never assumed to fit."),
    "m_industry": ("产业", "Industry"), "m_stage": ("发展阶段", "Stage"), "m_top": ("结果数", "Results"),
    "m_area_min": ("最小面积（㎡，0 = 不限）", "Minimum area (m², 0 = any)"),
    "m_area_max": ("最大面积（㎡，0 = 不限）", "Maximum area (m², 0 = any)"),
    "m_max_rent": ("最高租金（元/㎡/月，0 = 不限）", "Maximum rent (CNY/m²/month, 0 = any)"),
    "m_near": ("靠近", "Near"), "m_within": ("距离上限（km，0 = 不限）", "Within (km, 0 = any)"),
    "m_zones": ("限定街道/集群", "Only in subdistricts/clusters"), "m_facilities": ("必需设施", "Required facilities"),
    "m_hk": ("需要涉港资源", "Wants a Hong Kong link"), "m_policy": ("需要政策支持", "Wants policy support"),
    "m_weights": ("评分权重", "Score weights"), "m_submit": ("匹配", "Match"),
    "m_summary": ("{n} 个结果（候选 {total} 个，排除 {excluded} 个）", "{n} results ({total} candidates, {excluded} excluded)"),
    "m_near_miss": ("放宽“{reason}”可增加 {adds} 个候选。", "Relaxing “{reason}” would add {adds} candidate(s)."),
    "m_unstable": ("权重变动 ±20% 时前三名会改变：{which}", "The top three change when weights move ±20 %: {which}"),
    "m_rank": ("排名", "Rank"), "m_score": ("得分", "Score"), "m_distance": ("距离(km)", "Distance (km)"),
    "m_flags": ("提示", "Flags"), "m_criterion": ("评分项", "Criterion"),
    "m_compare": ("对比与评分明细", "Compare and score breakdown"), "m_compare_pick": ("选择最多 4 个", "Pick up to 4"),
    "m_breakdown_note": ("得分 / 满分；(?) 表示数据未知，只得部分分。", "Points / maximum; (?) means unknown, partial credit only."),
    "m_xlsx": ("下载 XLSX", "Download XLSX"), "m_report": ("下载可打印报告", "Download printable report"),
    "m_pool_name": ("需求名称（保存到需求库）", "Need name (save to the demand pool)"),
    "m_pool_save": ("保存需求", "Save need"), "m_pool_saved": ("已保存到需求库。", "Saved to the demand pool."),
    "m_reverse": ("反向匹配：为载体排序企业需求", "Reverse match: rank saved needs for a carrier"),
    "m_pool_empty": ("需求库为空：在上方保存需求后可反向匹配。", "The demand pool is empty: save a need above first."),
    "m_reverse_pick": ("载体", "Carrier"), "m_need_name": ("需求", "Need"), "m_passes": ("满足硬条件", "Passes"),
    "m_reasons": ("不满足原因", "Why not"),
})
STRINGS["m_excluded"] = ("被排除的候选及原因（{n} 个，最多列 200 个）", "Excluded candidates and why ({n}; up to 200 listed)")
