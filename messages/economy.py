"""Messages of the economy: indicators per carrier and zone, the disclosure rule, placements of
enterprises and their review, the reported figures beside the computed ones: key → (Chinese, English)."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "ind_unit": ("单元", "Unit"),
    "ind_unit_id": ("单元编号", "Unit ID"),
    "ind_enterprises": ("企业数(家)", "Enterprises"),
    "ind_high_tech": ("国家高新技术企业(家)", "National high-tech enterprises"),
    "ind_specialised": ("专精特新企业(家)", "Specialised and innovative SMEs"),
    "ind_employees": ("从业人员(人)", "Employees"),
    "ind_revenue_cny": ("营业收入(万元)", "Revenue (10k CNY)"),
    "ind_tax_cny": ("纳税额(万元)", "Tax paid (10k CNY)"),
    "ind_rd_cny": ("研发投入(万元)", "R&D spending (10k CNY)"),
    "ind_patents": ("专利(件)", "Patents"),
    "ind_floor_area_m2": ("建筑面积(㎡)", "Gross floor area (m²)"),
    "ind_tax_per_m2": ("地均税收(元/㎡)", "Tax per m² (CNY/m²)"),
    "ind_revenue_per_m2": ("地均营收(元/㎡)", "Revenue per m² (CNY/m²)"),
    "ind_occupancy": ("出租率", "Occupancy"),
    "ind_occupancy_basis": ("出租率面积口径", "Occupancy area basis"),
    "ind_tax_yoy": ("纳税同比", "Tax, year on year"),
    "ind_revenue_yoy": ("营收同比", "Revenue, year on year"),
    "ind_industries": ("产业", "Industries"),
    "ind_suppressed": ("保密处理的指标", "Cells withheld"),
    "ind_suppressed_cell": ("保密", "withheld"),
    "unit_not_placed": ("（未落位企业）", "(enterprises not placed)"),
    # ---- the Tally page's economy tab
    "ec_tab_areas": ("面积", "Areas"),
    "ec_tab_economy": ("经济指标", "Economy"),
    "ec_intro": ("按载体、创新集群、街道、河套内外或全区汇总入驻企业的经济指标：企业数、从业人员、营业收入、纳税、"
                 "研发投入、专利，以及地均税收、出租率和同比变化。",
                 "The economic indicators of the enterprises in the carriers, by carrier, innovation cluster, "
                 "subdistrict, Hetao or district: enterprises, employees, revenue, tax, R&D spending, patents, "
                 "tax and revenue per m², occupancy and change on the year before."),
    "ec_empty": ("当前数据库中还没有企业经济数据，因此不显示任何经济指标（没有数据，不是 0）。编辑人员可用以下命令导入"
                 "企业年度数据（金额列须在表头注明单位，如“营业收入（万元）”）：",
                 "The store holds no enterprise figures yet, so no indicator is shown (no data, not zero). An editor "
                 "can import enterprise figures by year with the command below (money columns must name their "
                 "unit, 10k or 100 million CNY, in the header):"),
    "ec_import_command": ("python cli.py import 企业年度数据.csv --layer enterprise_years --by 账户名",
                          "python cli.py import FILE --layer enterprise_years --by ACCOUNT"),
    "ec_no_year": ("所选年度没有企业经济数据。", "No enterprise figures for the years chosen."),
    "ec_level": ("汇总单元", "Summarise by"),
    "ec_level_carrier": ("载体", "Carrier"),
    "ec_level_cluster": ("创新集群", "Innovation cluster"),
    "ec_level_subdistrict": ("街道", "Subdistrict"),
    "ec_level_hetao": ("河套内外", "Inside / outside Hetao"),
    "ec_level_district": ("区", "District"),
    "ec_years": ("年度（可拖动选择一段年份）", "Year (drag to choose a range)"),
    "ec_one_year": ("数据年度：{year}", "Figures for {year}"),
    "ec_years_note": ("{first}–{last} 年：营业收入、纳税、研发投入、专利为各年合计，从业人员为各年平均。",
                      "{first}–{last}: revenue, tax, R&D spending and patents are summed over the years, "
                      "employees averaged."),
    "ec_kpi_note": ("合计，{years}", "Total, {years}"),
    "ec_public_note": ("公开视图：按披露规则，企业少于 {min} 家的单元、或单一企业占该项数值超过 {share} 的单元显示为"
                       "“保密”；能由合计推算出保密数值的单元也一并保密。",
                       "Public view: under the disclosure rule a cell of fewer than {min} enterprises, or one in "
                       "which a single enterprise holds more than {share} of the figure, reads \u201cwithheld\u201d; so "
                       "does a cell from which a withheld one could be worked out from the total."),
    "ec_staff_note": ("工作人员视图：显示全部数值（未按披露规则保密），请勿对外发布。",
                      "Staff view: every figure is shown (the disclosure rule is not applied); do not publish it."),
    "ec_per_m2_note": ("地均税收、地均营收 = 落位在已申报建筑面积的载体内的企业纳税（营收）÷ 这些载体的建筑面积"
                       "（建筑面积口径；园区已计面积的，园内楼宇不重复计算）。建筑面积未知的载体内企业只计入总额。",
                       "Tax (revenue) per m² = the tax (revenue) of the enterprises in carriers that state a gross "
                       "floor area ÷ that gross floor area (a building inside a park that states its area is not "
                       "counted twice). Enterprises in carriers of unknown area count in the totals only."),
    "ec_unknown_note": ("“未知” = 该单元没有任何企业报送该数值（不是 0）。出租率来自可租单元，同比与上一同长时段比较。",
                        "\u201cunknown\u201d: no enterprise of the unit reports the figure (not zero). Occupancy comes "
                        "from the lettable units; the change is against the span of the same length before."),
    "ec_not_placed_note": ("“（未落位企业）”一行：尚未确定所在载体的企业仍计入合计，不会丢弃。落位情况：已确认 {confirmed}"
                           " 家，自动落位 {placed} 家，待核实 {review} 家，未落位 {unplaced} 家。",
                           "The \u201c(enterprises not placed)\u201d row: enterprises whose carrier is not settled still "
                           "count in the total, never dropped. Placements: {confirmed} confirmed, {placed} placed "
                           "automatically, {review} to review, {unplaced} not placed."),
    "ec_chart_field": ("柱状图指标", "Bar chart indicator"),
    "ec_chart_title": ("{field}（按{level}）", "{field} by {level}"),
    "ec_chart_limited": ("柱状图显示数值最大的 {shown} 个单元（共 {total} 个，见上表）。",
                         "The chart shows the {shown} largest of {total} units (all are in the table)."),
    "ec_ranking_top": ("排名显示前", "Rank the top"),
    "ec_ranking_title": ("地均税收排名（前 {n} 名）", "Top {n} carriers by tax per m²"),
    "ec_rank": ("名次", "Rank"),
    "ec_ranking_none": ("没有可排名的载体（需要已公开的纳税额和已申报的建筑面积）。",
                        "No carrier to rank (a published tax figure and a stated gross floor area are needed)."),
    "ec_ranking_carrier_only": ("地均税收排名与亿元楼按载体统计：汇总单元选“载体”后显示。",
                                "The ranking by tax per m² and the buildings paying 100 million CNY are per "
                                "carrier: choose \u201cCarrier\u201d to see them."),
    "ec_yiyuan_title": ("亿元楼（年纳税 ≥ 1 亿元的载体）", "Carriers paying at least 100 million CNY tax a year"),
    "ec_yiyuan_none": ("所选年度没有年纳税达到 1 亿元的载体。", "No carrier paid 100 million CNY tax or more that year."),
    "ec_yiyuan_one_year": ("亿元楼按单一年度统计：请只选一个年度。", "This is counted per year: choose a single year."),
    "ec_published_only": ("公开视图只列出已公开的数值：保密的载体不参与排名。",
                          "The public view lists published figures only: withheld carriers are not ranked."),
    "ec_reported_title": ("文件报告的数字（原文引用，不参与上表计算）",
                          "Figures the documents report (quoted; not part of the indicators above)"),
    "ec_reported_note": ("以下是政府文件报告的数字，口径与上表（由导入的企业数据计算）不同，两者不可相加或比较增减。",
                         "These are the figures as government documents report them. They are counted differently "
                         "from the indicators above (computed from the imported enterprise figures): never add or "
                         "compare the two."),
    "ec_reported_high_tech": ("{date}：国家高新技术企业 {value} 家", "{date}: {value} national high-tech enterprises"),
    "ec_reported_target": ("目标：{year} 年国家高新技术企业达到 {value} 家",
                           "Target: {value} national high-tech enterprises by {year}"),
    "ec_reported_tenants": ("载体自述的入驻企业", "Tenants the carriers state"),
    "ec_col_figure": ("报告数字", "Reported figure"),
    "ec_col_quote": ("原文", "Quote"),
    "ec_col_source": ("来源", "Source"),
    "ec_col_carrier": ("载体", "Carrier"),
    "ec_col_tenants": ("入驻情况", "Tenants"),
    "ec_src_item": ("项目", "Item"),
    "ec_src_value": ("内容", "Value"),
    "ec_src_years": ("年度", "Years"),
    "ec_src_rule": ("披露规则", "Disclosure rule"),
    "ec_src_rule_public": ("已应用：企业少于 {min} 家、或单一企业占比超过 {share} 的单元保密，并作补充保密",
                           "applied: cells of fewer than {min} enterprises, or with one enterprise above {share}, "
                           "withheld, with complementary cells"),
    "ec_src_rule_staff": ("未应用（工作人员导出，含全部数值，请勿对外发布）",
                          "not applied (a staff export with every figure: do not publish)"),
    "ec_src_money": ("金额单位", "Money"),
    "ec_src_money_value": ("万元（地均指标为 元/㎡）", "10k CNY (per m² figures in CNY/m²)"),
    "ec_src_measure": ("地均口径", "Per m² measure"),
    "ec_src_data": ("数据", "Data"),
    "ec_src_data_value": ("导入的企业年度数据（enterprise_years）与企业落位（placements）",
                          "the imported enterprise figures by year (enterprise_years) and where each enterprise is "
                          "(placements)"),
    "ec_src_reported": ("文件报告的数字（未参与计算）", "Reported by a document (not computed)"),
    # ---- the map's indicator mode
    "ec_map_mode": ("按经济指标显示", "Show an indicator"),
    "ec_map_none": ("不显示", "None"),
    "ec_map_empty": ("暂无企业经济数据，地图不能按经济指标显示。", "No enterprise figures yet: no indicator to show."),
    "ec_map_unlocated": ("另有 {n} 个有数值的载体没有具体位置（按片区定位或位置未知），未画圆。",
                         "{n} more carriers with a figure have no site of their own (placed by zone or location "
                         "unknown): no circle."),
    "ec_legend_title": ("{field}，{year} 年", "{field}, {year}"),
    "ec_legend_withheld": ("保密", "withheld"),
    "ec_legend_area": ("圆面积与数值成正比", "circle area proportional to the value"),
    "ec_value_count": ("{value} 家", "{value}"),
    "ec_value_people": ("{value} 人", "{value} people"),
    "ec_value_wan": ("{value} 万元", "{value} × 10k CNY"),
    "ec_value_per_m2": ("{value} 元/㎡", "{value} CNY/m²"),
    "ec_field_value": ("{field}：{value}", "{field}: {value}"),
    "ec_detail_title": ("经济指标（{year} 年）", "Economic indicators ({year})"),
    "ec_detail_none": ("没有落位在该载体的企业经济数据。", "No enterprise figures are placed in this carrier."),
    "ec_trend_title": ("纳税与营收（万元）", "Tax and revenue (10k CNY)"),
    "ec_trend_year": ("年度", "Year"),
    "ec_trend_value": ("万元", "10k CNY"),
    "ec_trend_withheld": ("保密的年份未画出。", "Withheld years are left out of the chart."),
    # ---- the placement review page
    "page_placements": ("企业落位核实", "Placement review"),
    "pl_intro": ("自动落位把握不足的企业在此由编辑人员核实：确认候选载体、改选其他载体，或标记为不在任何载体内。"
                 "每次确认都以您的账户记入审计日志，可撤销；之后的自动落位不会改动已确认的结果。",
                 "Enterprises the automatic placement was unsure of are settled here by an editor: confirm a "
                 "candidate carrier, pick another, or say the enterprise is in none. Each confirmation is recorded "
                 "with your account in the audit log and can be undone; later automatic runs keep it."),
    "pl_editors_only": ("此页面仅限编辑人员。", "This page is for editors only."),
    "pl_nothing": ("没有待核实的企业落位。", "Nothing to review: every placement is settled."),
    "pl_count": ("待核实 {n} 家企业", "{n} placements to review"),
    "pl_page": ("页码", "Page"),
    "pl_col_enterprise": ("企业", "Enterprise"),
    "pl_col_address": ("地址", "Address"),
    "pl_col_method": ("方法", "Method"),
    "pl_col_confidence": ("可信度", "Confidence"),
    "pl_col_candidates": ("候选载体（得分）", "Candidates (score)"),
    "pl_candidate": ("{name}（{score}）", "{name} ({score})"),
    "pl_choice": ("所在载体", "Carrier"),
    "pl_option_candidate": ("候选：{name}（得分 {score}）", "Candidate: {name} (score {score})"),
    "pl_option_none": ("不在任何载体内", "Not in any carrier"),
    "pl_reason": ("备注（可选）", "Note (optional)"),
    "pl_confirm": ("确认落位", "Confirm"),
    "pl_done": ("已确认 {name} 的落位：{carrier}。已记入审计日志（{audit}），可用 `python cli.py undo --by 账户名` 撤销。",
                "Placement of {name} confirmed: {carrier}. Recorded in the audit log ({audit}); undo with "
                "`python cli.py undo --by ACCOUNT`."),
    "pl_conflict": ("{name} 的落位刚被他人修改，未保存。请查看最新情况后再确认。",
                    "Someone changed the placement of {name} meanwhile: nothing saved. Look at it again, then "
                    "confirm."),
    "pl_refused": ("未能保存：{why}", "Not saved: {why}"),
}
