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
STRINGS.update({
    "page_progress": ("培育空间进度", "Progress"),
    "page_tally": ("面积统计", "Tally"),
    # progress
    "p_intro": ("福田区科技培育空间（科技孵化载体面积）对照 150 万㎡ 目标的进度：官方报告数、台账数与目标分开标示。",
                "Futian's incubation space (科技培育空间) against the 1.5 million m² goal: reported figures, the "
                "ledger and the targets, each labelled separately."),
    "p_goal": ("目标：{year} 年底前达到 {goal} ㎡（{source}）", "Goal: {goal} m² by the end of {year} ({source})"),
    "p_reported": ("最新报告数", "Latest reported"),
    "p_reported_help": ("{date} · {measure} · {carriers} 个载体 · {source}", "{date} · {measure} · {carriers} carriers · {source}"),
    "p_pct_goal": ("占目标 {pct}", "{pct} of the goal"),
    "p_ledger": ("台账合计（另行统计）", "Ledger total (separate count)"),
    "p_required": ("所需年均增量", "Pace needed"),
    "p_required_help": ("自 {start} 至 {deadline} 每年需增加的面积", "m² a year needed from {start} to {deadline}"),
    "p_historical": ("历史年均增量 {pace} ㎡/年", "historical {pace} m²/year"),
    "p_projected": ("按历史速度达标年份", "Goal reached at the historical pace"),
    "p_never": ("无法达到", "never"),
    "p_outcome_missed": (
        "{deadline} 的期限已过。截至期限，没有任何已报告的数字达到 {goal} ㎡：最后一次报告（{date}）为 {area} ㎡，"
        "即目标的 {pct}。此后没有新的官方数字；按历史速度（{pace} ㎡/年）推算，{year} 年才能达到。",
        "The {deadline} deadline has passed. No figure reported by then reaches {goal} m²: the last report "
        "({date}) gives {area} m², {pct} of the goal. No official figure has been published since; at the "
        "historical pace ({pace} m²/year) the goal would be reached in {year}."),
    "p_outcome_reached": ("{deadline} 的期限已过，目标已按报告数达成。", "The {deadline} deadline has passed and the goal was reached by the reported figures."),
    "p_open": ("距 {deadline} 的期限还有 {days} 天；自今天起每年需增加 {pace} ㎡。",
               "{days} days left to the {deadline} deadline; {pace} m² a year needed from today."),
    "p_gap_title": ("台账与报告数为何不同", "Why the ledger differs from the reported figure"),
    "p_gap": (
        "台账合计 {ledger} ㎡，比最新报告数少 {gap} ㎡。原因：报告数涵盖 {reported_n} 个载体的孵化面积，而公开材料只给出了"
        "少数载体各自的面积——台账中 {n} 个载体里只有 {known} 个有可计入的面积（{counting} 个正在计入，{within} 个已包含在上级载体中）；"
        "其余 {unknown} 个面积未知（其中 {with_floor} 个只公布了总建筑面积，合计 {floor} ㎡，其中多少用作培育空间未说明，因此不计入）。"
        "另外各次报告的口径并不完全相同（见下表“口径”）。",
        "The ledger holds {ledger} m², {gap} m² less than the latest reported figure. The report covers the "
        "incubation space of {reported_n} carriers, but the public sources give a figure for only a few of them "
        "one by one: of the {n} carriers on the ledger, {known} have a countable area ({counting} counting now, "
        "{within} inside a parent that already counts); the other {unknown} are unknown ({with_floor} state only "
        "a gross floor area, {floor} m² in all, without saying how much of it is cultivation space, so it is not "
        "counted). The reports also measure slightly different things (see 'Measure' below)."),
    "p_whatif": ("假设：计划新增空间", "What if: planned additions"),
    "p_whatif_pick": ("加到最新报告数上的计划新增", "Planned additions to add to the latest reported figure"),
    "p_whatif_result": ("最新报告数 + {added} ㎡ = {total} ㎡，占目标 {pct}；按历史速度 {year} 年达标。",
                        "Latest reported + {added} m² = {total} m², {pct} of the goal; at the historical pace the goal is reached in {year}."),
    "p_whatif_note": ("这些新增计划在 2023 年执行，可能已部分包含在 2023-10-16 的报告数中。",
                      "These additions were planned for 2023 and may already be partly inside the 2023-10-16 figure."),
    "p_chart": ("累计面积、报告数与目标", "Cumulative area, reported figures and targets"),
    "p_targets": ("目标完成情况", "Targets"),
    "p_paces": ("各报告之间的年均增量", "Pace between reported figures"),
    "p_ledger_title": ("科技培育空间台账", "Incubation-space ledger"),
    "p_ledger_note": ("园区、楼宇、低成本空间、孵化器都是培育载体（001 新倍增计划）；面积未知的载体列出但不计入。",
                      "Parks, buildings, low-cost spaces and incubators are all cultivation carriers (001 新倍增计划); "
                      "carriers with unknown area are listed, not counted."),
    "p_set_goal": ("设定新的目标", "Set a new goal"),
    "p_set_goal_note": ("2025 年目标期限已过：在此设定下一阶段的目标和年份（保存在数据库中，旧目标保留为历史）。",
                        "The 2025 deadline has passed: set the next goal and year here (stored in the database; "
                        "earlier goals stay as history)."),
    "p_goal_m2": ("目标面积（㎡）", "Goal (m²)"), "p_goal_year": ("目标年份", "Year"),
    "p_goal_by": ("设定人", "Set by"), "p_goal_reason": ("理由", "Reason"), "p_goal_save": ("保存目标", "Save goal"),
    "p_goal_saved": ("新目标已保存并生效。", "The new goal is saved and in force."),
    "col_series": ("数据系列", "Series"),
    "series_ledger": ("台账累计", "Ledger (cumulative)"), "series_reported": ("官方报告数", "Reported"),
    "series_target": ("规划目标", "Target"), "series_baseline": ("规划基数", "Plan baseline"),
    "series_goal": ("新目标", "New goal"), "series_projection": ("按历史速度推算", "Projection at historical pace"),
    "series_what_if": ("含计划新增的推算", "Projection with planned additions"),
    "col_target": ("目标(㎡)", "Target (m²)"), "col_last_report": ("期限前最后报告", "Last report by the deadline"),
    "col_pct": ("完成率", "Share"), "col_reached": ("是否达成", "Reached"),
    "yes": ("是", "yes"), "no": ("否", "no"), "col_from": ("起", "From"), "col_to": ("止", "To"),
    "col_pace": ("年均增量(㎡/年)", "Pace (m²/year)"),
    "col_counted": ("计入面积(㎡)", "Counted area (m²)"), "col_counting_now": ("当前计入(㎡)", "Counting now (m²)"),
    "col_counted_from": ("起计", "Counted from"), "col_counted_until": ("停计", "Counted until"),
    "col_basis": ("依据", "Basis"),
    # tally
    "tl_intro": ("按街道、创新集群、河套内外、图层、产业或全市各区统计载体数量、计算占地面积（EPSG:4547）与申报面积；"
                 "申报面积不重复计算，“未知”不等于 0。",
                 "Count, computed land area (EPSG:4547) and stated areas per subdistrict, innovation cluster, "
                 "inside/outside Hetao, layer, industry or Shenzhen district; stated areas are never counted twice, and "
                 "'unknown' is not 0."),
    "tl_by": ("统计单元", "Tally by"),
    "tl_land": ("跨界面状要素的占地面积", "Land area of polygons crossing a boundary"),
    "tl_stated": ("跨界面状要素的申报面积", "Stated areas of polygons crossing a boundary"),
    "m_apportion": ("按面积比例分摊", "apportioned by area share"), "m_centroid": ("整体计入中心点所在单元", "whole, by centroid"),
    "tl_measure": ("柱状图指标", "Bar chart measure"),
    "tl_overlap": ("一个载体可同时计入多个单元（集群重叠、一个载体多个产业），各行之和可能大于合计。",
                   "A carrier can count in several rows here (overlapping clusters, several industries), so the rows can add up to more than the total."),
    "tl_conserved": ("各行之和等于合计：不遗漏、不重复。", "The rows add up to the total: nothing lost, nothing counted twice."),
    "tl_no_polygons": ("当前载体均为点要素，没有面状范围，计算占地面积为 0；申报占地面积见另一列。",
                       "All carriers are points without footprints, so the computed land area is 0; see the stated land area column."),
    "tl_unknown_note": ("“未知” = 该单元内没有任何载体申报该面积（不是 0）；导出文件中为空白单元格。",
                        "'unknown' means no carrier in the unit states that figure (it is not 0); exports leave the cell empty."),
    "tl_show_map": ("在地图上分级着色显示", "Show as a choropleth on the map"),
    "tl_chart_title": ("{measure}（按{kind}）", "{measure} by {kind}"),
    "tl_csv": ("下载 CSV", "Download CSV"), "tl_xlsx": ("下载 XLSX（含来源表）", "Download XLSX (with sources sheet)"),
})
STRINGS["p_chart_alt"] = (
    "图表：最新报告数 {area} ㎡（{date}），目标 {year} 年 {goal} ㎡，台账 {ledger} ㎡；按历史速度 {projected} 年达标。",
    "Chart: latest reported {area} m² ({date}); goal {goal} m² by {year}; ledger {ledger} m²; at the historical "
    "pace the goal is reached in {projected}.")
STRINGS["p_projected_note"] = ("以 {since} 以来各报告间的平均速度外推", "extrapolating the average pace between reports since {since}")
STRINGS["p_floor_context"] = ("（仅公布总建筑面积 {floor} ㎡，不计入）", " (only a gross floor area of {floor} m² is stated; not counted)")
STRINGS["col_state"] = ("状态", "Status")
STRINGS.update({
    "page_data": ("数据管理", "Data"),
    "d_intro": ("校验问题与变更记录对所有人开放；导入与更正需要编辑登录。每次写入要么全部完成、要么什么都不改，"
                "记入变更记录，可撤销；若他人已先修改同一载体，会提示冲突而不会覆盖。",
                "Validation problems and the audit log are open to all; importing and correcting need an editor "
                "login. Every write is all or nothing, logged and undoable; if somebody changed the same carrier "
                "first, you get a conflict instead of overwriting their work."),
    "d_backup_file": ("文件存储：每次写入前在 backups/ 中保留副本（最近 10 份）。",
                      "File store: a copy goes to backups/ before every write (the last ten are kept)."),
    "d_backup_db": ("数据库存储（{where}）：备份由数据库完成（pg_dump 或时间点恢复）。",
                    "Database store ({where}): backups are the database's own (pg_dump or point-in-time recovery)."),
    "d_no_problems": ("没有校验问题。", "No validation problems."),
    "d_login": ("编辑登录", "Editor login"), "d_name": ("用户名", "Name"), "d_password": ("密码", "Password"),
    "d_login_button": ("登录", "Log in"), "d_logout": ("退出", "Log out"),
    "d_logged_in": ("已登录：{name}", "Logged in as {name}"),
    "d_login_failed": ("用户名或密码不正确。", "Wrong name or password."),
    "d_wait": ("失败次数过多，请 {seconds} 秒后再试。", "Too many failures: try again in {seconds} s."),
    "d_no_editors": ("尚未配置编辑账号，导入与更正已关闭。管理员可运行 python cli.py editor add 用户名 添加"
                     "（密码只以哈希保存在仓库以外），或在 .streamlit/secrets.toml 的 [editors] 中配置。",
                     "No editor account is configured, so importing and correcting are off. An administrator can "
                     "run python cli.py editor add NAME (the password is stored only as a hash, outside the "
                     "repository) or configure [editors] in .streamlit/secrets.toml."),
    "d_import": ("导入", "Import"), "d_file": ("文件（CSV、XLSX、GeoJSON、GeoPackage、zip 打包的 Shapefile）",
                                           "File (CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile)"),
    "d_crs": ("坐标系", "Coordinates in"), "d_check": ("检查（不写入）", "Check (writes nothing)"),
    "d_preview": ("**{file}**：{rows} 行，可导入 {accepted} 行（新增 {added}，修改 {updated}，不变 {unchanged}），"
                  "拒绝 {rejected} 行。",
                  "**{file}**: {rows} rows, {accepted} accepted ({added} new, {updated} changed, {unchanged} "
                  "unchanged), {rejected} rejected."),
    "d_changes": ("将修改的字段", "Changes to existing carriers"), "d_rejected": ("被拒绝的行", "Rejected rows"),
    "d_rejected_csv": ("下载被拒绝的行（CSV，可修改后重新导入）", "Download rejected rows (CSV to fix and re-import)"),
    "d_commit": ("写入 {n} 行", "Commit {n} rows"),
    "d_committed": ("已写入：新增 {added}，修改 {updated}。", "Committed: {added} added, {updated} changed."),
    "d_correct": ("更正字段", "Correct a field"), "d_field": ("字段", "Field"), "d_value": ("新值", "New value"),
    "d_value_source": ("数值来源（面积、租金必填）", "Source of the figure (needed for areas and rent)"),
    "d_save": ("保存更正", "Save correction"), "d_corrected": ("已更正并记录。", "Corrected and logged."),
    "d_undo": ("撤销最近一次导入或更正", "Undo the last import or correction"),
    "d_undone": ("已撤销 {entry}。", "Undid {entry}."),
    "d_audit": ("变更记录", "Audit log"), "d_no_audit": ("尚无导入或更正。", "No imports or corrections yet."),
})
STRINGS.update({
    "scope": ("范围", "Scope"),
    "scope_futian": ("福田区", "Futian"),
    "scope_shenzhen": ("全深圳", "All Shenzhen"),
    "scope_note": ("范围：{scope}（按区界判断；无位置的载体计入福田）",
                   "Scope: {scope} (by the district boundaries; carriers without a location count as Futian's)"),
    "kind_district": ("区（全市）", "District (Shenzhen)"),
})
STRINGS.update({
    "d_current": ("当前值：{value}（版本 {version}）", "Current value: {value} (version {version})"),
    "d_conflict_edit": ("冲突：您查看后，该载体已被他人修改（您看到的是版本 {seen}，现在是版本 {current}）。"
                        "未保存任何内容；请查看当前值后重新提交。",
                        "Conflict: somebody changed this carrier after you opened it (you saw version {seen}, "
                        "it is now version {current}). Nothing was saved; check the current value and submit again."),
    "d_conflict_import": ("冲突：预览后有 {n} 个载体已被他人修改（{ids}）。未写入任何内容；请重新预览后再提交。",
                          "Conflict: {n} carrier(s) changed since your preview ({ids}). Nothing was written; "
                          "preview the file again, then commit."),
})
