"""Messages of the planners' pages — Progress and Tally — and of the tally tables and their
exports (:mod:`geodata.reports.planning`): key → (Chinese, English)."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- progress -------------------------------------------------------------------------
    "p_intro": ("福田区科技培育空间（科技孵化载体面积）对照 150 万㎡ 目标的进度：官方报告数、台账数与目标分开标示。",
                "Futian's incubation space (sci-tech cultivation space) against the 1.5 million m² goal: reported "
                "figures, the ledger and the targets, each labelled separately."),
    "p_goal": ("目标：{year} 年底前达到 {goal} ㎡（{source}）", "Goal: {goal} m² by the end of {year} ({source})"),
    "p_reported": ("最新报告数", "Latest reported"),
    "p_reported_help": ("{date} · {measure} · {carriers} 个载体 · {source}",
                        "{date} · {measure} · {carriers} carriers · {source}"),
    "p_pct_goal": ("占目标 {pct}", "{pct} of the goal"),
    "p_ledger": ("台账合计（另行统计）", "Ledger total (separate count)"),
    "p_required": ("所需年均增量", "Pace needed"),
    "p_required_help": ("自 {start} 至 {deadline} 每年需增加的面积", "m² a year needed from {start} to {deadline}"),
    "p_historical": ("历史年均增量 {pace} ㎡/年", "historical {pace} m²/year"),
    "p_projected": ("按历史速度达标年份", "Goal reached at the historical pace"),
    "p_projected_note": ("以 {since} 以来各报告间的平均速度外推", "extrapolating the average pace between reports since {since}"),
    "p_never": ("无法达到", "never"),
    "p_outcome_missed": (
        "{deadline} 的期限已过。截至期限，没有任何已报告的数字达到 {goal} ㎡：最后一次报告（{date}）为 {area} ㎡，"
        "即目标的 {pct}。此后没有新的官方数字；按历史速度（{pace} ㎡/年）推算，{year} 年才能达到。",
        "The {deadline} deadline has passed. No figure reported by then reaches {goal} m²: the last report "
        "({date}) gives {area} m², {pct} of the goal. No official figure has been published since; at the "
        "historical pace ({pace} m²/year) the goal would be reached in {year}."),
    "p_outcome_unknown": (
        "{deadline} 的期限已过。来源中没有与目标同一口径（{goal_measure}）的数字，无法判断是否达成：最后一次报告是{when}的 "
        "{area} ㎡（{measure}，口径不同），{last} 之后来源中没有新的数字。",
        "The {deadline} deadline has passed. The sources give no figure of the goal's measure ({goal_measure}), so "
        "whether it was reached cannot be told: the last report is {area} m² {when} ({measure}, a different "
        "measure), and the sources give no figure after {last}."),
    "p_other_measure": ("与目标口径不同", "not the goal's measure"),
    "p_no_like_pace": ("来源中没有两个同一口径的报告数，无法计算历史速度",
                       "no two reported figures of one measure: no historical pace"),
    "p_when_reported_by": ("不晚于 {date}", "no later than {date}"),
    "p_when_year": ("{year} 年", "in {year}"),
    "p_when_day": ("{date}", "on {date}"),
    "p_measure_change": ("口径不同，不是增速", "different measures: not a pace"),
    "p_not_comparable": ("无同口径数字", "no figure of this measure"),
    "p_external": ("台账计入外部来源的面积", "Ledger includes areas from external sources"),
    "p_ledger_external": ("其中外部来源 {area} ㎡", "of which {area} m² from external sources"),
    "p_whatif_none": ("没有与最新报告数同一口径的计划新增，可加到报告数上的为 0。",
                      "No planned addition measures what the latest report measures: nothing can be added to it."),
    "p_whatif_not_added": ("口径不同，未加入：{items}", "a different measure, not added: {items}"),
    "p_counts": ("载体数量目标（表1）与最新报告数", "Count targets (Table 1 of the plan) and the latest reported counts"),
    "count_incubators": ("科技企业孵化器（家）", "Tech-enterprise incubators"),
    "count_national_makerspaces": ("国家级众创空间（家）", "National makerspaces"),
    "count_city_makerspaces": ("市级以上众创空间（家）", "City-level-or-above makerspaces"),
    "count_high_tech_enterprises": ("国家高新技术企业（家）", "National high-tech enterprises"),
    "count_innovation_carriers": ("各类创新载体（研发平台，家）", "Innovation carriers (R&D platforms)"),
    "col_indicator": ("指标", "Indicator"),
    "col_count_target": ("目标（家）", "Targets (count)"),
    "count_when": ("{value}（{when}）", "{value} ({when})"),
    "p_whatif_item_area": ("{what}（{area} ㎡）", "{what} ({area} m²)"),
    "col_baseline": ("基数", "Baseline"),
    "col_latest_count": ("最新报告数", "Latest reported"),
    "col_measure_from_to": ("口径", "Measures"),
    "p_outcome_reached": ("{deadline} 的期限已过，目标已按报告数达成。",
                          "The {deadline} deadline has passed and the goal was reached by the reported figures."),
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
    "p_whatif_item": ("{what} ({year}, +{area} ㎡)", "{what} ({year}, +{area} m²)"),
    "p_whatif_result": ("最新报告数 + {added} ㎡ = {total} ㎡，占目标 {pct}；按历史速度 {year} 年达标。",
                        "Latest reported + {added} m² = {total} m², {pct} of the goal; at the historical pace the goal "
                        "is reached in {year}."),
    "p_whatif_note": ("这些新增计划在 2023 年执行，可能已部分包含在 2023-10-16 的报告数中。",
                      "These additions were planned for 2023 and may already be partly inside the 2023-10-16 figure."),
    "p_chart": ("累计面积、报告数与目标", "Cumulative area, reported figures and targets"),
    "p_chart_alt": (
        "图表：最新报告数 {area} ㎡（{date}），目标 {year} 年 {goal} ㎡，台账 {ledger} ㎡；按历史速度 {projected} 年达标。",
        "Chart: latest reported {area} m² ({date}); goal {goal} m² by {year}; ledger {ledger} m²; at the historical "
        "pace the goal is reached in {projected}."),
    "p_targets": ("目标完成情况", "Targets"),
    "p_paces": ("各报告之间的年均增量", "Pace between reported figures"),
    "p_ledger_title": ("科技培育空间台账", "Incubation-space ledger"),
    "p_ledger_note": ("规划列出的培育载体是“众创空间、孵化器、科技园区、‘硅楼’”（001 二（三）1）：台账只列孵化器与众创空间、"
                      "科技园区和科技楼宇；低成本产业空间、科研平台等不在其中。面积未知的载体列出但不计入；各载体的数字"
                      "多为提供空间面积而非孵化面积（见来源）。",
                      "The plan names its cultivation carriers as makerspaces, incubators, science parks and 'silicon "
                      "buildings' (plan 001, part 2 (3) 1): the ledger lists incubators and makerspaces, science parks and tech "
                      "buildings only; low-cost space, research platforms and the like are not on it. Carriers with "
                      "unknown area are listed, not counted; most carriers' figures are space provided rather than "
                      "incubation area (see the sources)."),
    "p_why_unknown_area": ("（面积未知）", " (area unknown)"),
    "p_why_inside_parent": ("（已含在所属载体中）", " (inside a carrier that counts)"),
    "p_why_not_open": ("（尚未运营）", " (not open yet)"),
    "p_why_closed": ("（已关闭）", " (closed)"),
    "p_why_ended": ("（计入已截止）", " (counting ended)"),
    "p_why_not_started": ("（无开始日期，且不在运营）", " (no start date and not in operation)"),
    "p_floor_context": ("（仅公布总建筑面积 {floor} ㎡，不计入）",
                        " (only a gross floor area of {floor} m² is stated; not counted)"),
    "p_set_goal": ("设定新的目标", "Set a new goal"),
    "p_set_goal_note": ("2025 年目标期限已过：在此设定下一阶段的目标和年份（保存在数据库中，旧目标保留为历史）。",
                        "The 2025 deadline has passed: set the next goal and year here (stored in the database; "
                        "earlier goals stay as history)."),
    "p_goal_m2": ("目标面积（㎡）", "Goal (m²)"),
    "p_goal_year": ("目标年份", "Year"),
    "p_goal_set_public": ("规划人员于 {date} 设定", "set by the planners on {date}"),
    "p_goal_undo": ("撤回最近一次目标设定", "Withdraw the latest goal"),
    "p_goal_reason": ("理由", "Reason"),
    "p_goal_save": ("保存目标", "Save goal"),
    "p_goal_saved": ("新目标已保存并生效。", "The new goal is saved and in force."),
    "col_series": ("数据系列", "Series"),
    "series_ledger": ("台账累计", "Ledger (cumulative)"),
    "series_reported": ("官方报告数", "Reported"),
    "series_target": ("规划目标", "Target"),
    "series_baseline": ("规划基数", "Plan baseline"),
    "series_goal": ("新目标", "New goal"),
    "series_projection": ("按历史速度推算", "Projection at historical pace"),
    "series_what_if": ("含计划新增的推算", "Projection with planned additions"),
    "col_target": ("目标(㎡)", "Target (m²)"),
    "col_last_report": ("期限前最后报告", "Last report by the deadline"),
    "col_pct": ("完成率", "Share"),
    "col_reached": ("是否达成", "Reached"),
    "col_from": ("起", "From"),
    "col_to": ("止", "To"),
    "col_pace": ("年均增量(㎡/年)", "Pace (m²/year)"),
    "col_counted": ("计入面积(㎡)", "Counted area (m²)"),
    "col_counting_now": ("当前计入(㎡)", "Counting now (m²)"),
    "col_counted_from": ("起计", "Counted from"),
    "col_counted_until": ("停计", "Counted until"),
    "col_basis": ("依据", "Basis"),
    "col_state": ("状态", "Status"),
    # ---- tally page -----------------------------------------------------------------------
    "tl_intro": ("按街道、创新集群、河套内外、图层、产业或全市各区统计载体数量、计算占地面积（EPSG:4547）与申报面积；"
                 "申报面积不重复计算，“未知”不等于 0。",
                 "Count, computed land area (EPSG:4547) and stated areas per subdistrict, innovation cluster, "
                 "inside/outside Hetao, layer, industry or Shenzhen district; stated areas are never counted twice, and "
                 "'unknown' is not 0."),
    "tl_by": ("统计单元", "Tally by"),
    "tl_land": ("跨界面状要素的占地面积", "Land area of polygons crossing a boundary"),
    "tl_stated": ("跨界面状要素的申报面积", "Stated areas of polygons crossing a boundary"),
    "tl_method_apportion": ("按面积比例分摊", "apportioned by area share"),
    "tl_method_centroid": ("整体计入中心点所在单元", "whole, by centroid"),
    "tl_measure": ("柱状图指标", "Bar chart measure"),
    "tl_overlap": ("一个载体可同时计入多个单元（集群重叠、一个载体多个产业），各行之和可能大于合计。",
                   "A carrier can count in several rows here (overlapping clusters, several industries), so the rows "
                   "can add up to more than the total."),
    "tl_conserved": ("各行之和等于合计：不遗漏、不重复。", "The rows add up to the total: nothing lost, nothing counted twice."),
    "tl_no_polygons": ("当前载体没有面状范围（有位置的为点，其余按片区定位或位置未知），计算占地面积为 0；申报占地面积见另一列。",
                       "No carrier has a footprint (those with a location are points; the others are placed by zone "
                       "or have none), so the computed land area is 0; see the stated land area column."),
    "tl_unknown_note": ("“未知” = 该单元内没有任何载体申报该面积（不是 0）；导出文件中为空白单元格。",
                        "'unknown' means no carrier in the unit states that figure (it is not 0); exports leave the "
                        "cell empty."),
    "tl_show_map": ("在地图上分级着色显示", "Show as a choropleth on the map"),
    "tl_chart_title": ("{measure}（按{kind}）", "{measure} by {kind}"),
    "tl_csv": ("下载 CSV", "Download CSV"),
    "tl_xlsx": ("下载 XLSX（含来源表）", "Download XLSX (with sources sheet)"),
    # ---- tally units, kinds and columns (geodata.reports.planning) -------------------------
    "unit_outside": ("不在任何单元内", "outside every unit"),
    "unit_unlocated": ("位置未知", "location unknown"),
    "unit_none_stated": ("未注明", "none stated"),
    "unit_hetao_inside": ("河套深圳园区内", "inside the Hetao Shenzhen Park"),
    "unit_hetao_outside": ("河套以外", "outside Hetao"),
    "unit_total": ("合计", "Total"),
    "tl_external": ("计入外部来源的数字", "Include figures from external sources"),
    "tl_external_help": ("外部来源：新闻报道等公开网页（标记 [ext]），不在政府文件中。关闭后只统计政府文件给出的数字。",
                         "External: public pages such as press reports (marked [ext]), not in the government "
                         "documents. Off: only figures the documents give are summed."),
    "tl_external_share": ("合计中来自外部来源的部分：{parts} ㎡", "Of the totals, from external sources: {parts} m²"),
    "tl_external_off": ("已排除外部来源的数字，只统计政府文件给出的数字。",
                        "External figures are left out: only figures from the government documents are summed."),
    "unit_placed_across": ("（按片区定位，跨多个单元）", "(placed by zone, across units)"),
    "tc_zone_placed": ("其中按片区定位", "of which placed by zone"),
    "unit_kind_subdistrict": ("街道", "Subdistrict"),
    "unit_kind_cluster": ("创新集群与街区", "Innovation cluster"),
    "unit_kind_hetao": ("河套内外", "Inside / outside Hetao"),
    "unit_kind_layer": ("图层", "Layer"),
    "unit_kind_industry": ("产业", "Industry"),
    "unit_kind_district": ("区（全市）", "District (Shenzhen)"),
    "tc_unit": ("单元", "Unit"),
    "tc_unit_id": ("单元代码", "Unit id"),
    "tc_count": ("载体数", "Carriers"),
    "tc_polygon_count": ("面状要素数", "Polygons"),
    "tc_land_area_m2": ("计算占地面积(㎡, EPSG:4547)", "Computed land area (m², EPSG:4547)"),
    "tc_stated_land_area_m2": ("申报占地面积(㎡)", "Stated land area (m²)"),
    # the sources sheet of a tally export
    "ts_unit": ("单元", "Unit"),
    "ts_carrier_id": ("载体编号", "Carrier id"),
    "ts_carrier": ("载体", "Carrier"),
    "ts_figure": ("面积项", "Figure"),
    "ts_value": ("数值(㎡)", "Value (m²)"),
    "ts_counted": ("计入合计", "Counted"),
    "ts_not_counted": ("否（已含在上级载体中）", "no (inside a parent that states it)"),
    "ts_source": ("来源", "Source"),
}
