"""Messages of the printed reports — the planners' PDF (progress, tallies, maps, sources) and the
enterprise's match report — and of their static maps: key → (Chinese, English)."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- both reports ---------------------------------------------------------------------
    "rp_page": ("第 {page} 页，共 {pages} 页", "Page {page} of {pages}"),
    "rp_printed": ("打印日期：{date}", "Printed on {date}"),
    "rp_scope": ("范围：{scope}", "Scope: {scope}"),
    "rp_north": ("北", "N"),
    "rp_legend_carriers": ("有位置的载体", "Carriers with a location"),
    "rp_legend_district": ("福田区界", "Futian district boundary"),
    "rp_legend_subdistricts": ("街道界（近似）", "Subdistricts (approximate)"),
    "rp_legend_clusters": ("创新集群（近似）", "Innovation clusters (approximate)"),
    "rp_legend_shenzhen_districts": ("深圳各区界", "Shenzhen districts"),
    "rp_legend_rank": ("推荐空间（数字为排名）", "Shortlisted space (figure: its rank)"),
    "rp_legend_near": ("所选地点及距离范围", "The place asked for and the distance"),
    "rp_download": ("下载 PDF 报告", "Download the PDF report"),
    "rp_map_offline": ("底图仅含矢量图层（无在线瓦片），可离线打印。",
                       "Drawn from the vector layers only (no online tiles): it prints offline."),
    # ---- the planners' report -------------------------------------------------------------
    "rp_title": ("福田区科技培育空间进度与产业空间面积统计", "Futian incubation space: progress and area tally"),
    "rp_as_of_title": ("数据日期", "Data as of"),
    "rp_as_of_reported": ("最新官方报告数：{when}", "Latest official figure: {when}"),
    "rp_as_of_figures": ("载体所报面积的日期：{dates}", "Carriers' stated figures dated: {dates}"),
    "rp_as_of_undated": ("另有 {n} 个数字未注明日期（外部来源）", "{n} more figure(s) state no date (external sources)"),
    "rp_as_of_none": ("载体所报面积均未注明日期", "No stated figure of a carrier gives a date"),
    "rp_as_of_store": ("台账与面积统计按 {today} 数据库中的数据计算", "Ledger and tallies as in the store on {today}"),
    "rp_scope_progress": ("进度数字为全区口径，范围只影响面积统计。",
                          "The progress figures are district-wide; the scope applies to the tallies."),
    "rp_progress": ("一、科技培育空间进度", "1. Progress to the incubation-space goal"),
    "rp_tally": ("二、产业空间面积统计", "2. Area tally"),
    "rp_tally_by": ("按{kind}统计", "By {kind}"),
    "rp_tally_rows": ("共 {n} 行（另有合计行）", "{n} rows (and the total)"),
    "rp_map_title": ("{kind}{measure}（所报数字之和）", "{measure} per {kind} (sum of stated figures)"),
    "rp_sources": ("三、资料来源", "3. Sources"),
    "rp_sources_note": ("文中引用以简称和章节标注；标有〔外部来源〕的数字来自公开网页，不在政府文件中。",
                        "Citations give a short title and section; figures marked [external] come from public web "
                        "pages, not from the government documents."),
    # ---- the match report -----------------------------------------------------------------
    "rp_match_title": ("科技空间推荐清单", "Shortlist of tech spaces"),
    "rp_match_need": ("需求", "What you are looking for"),
    "rp_match_need_none": ("未设定条件：按综合匹配度排序。", "No criteria set: ranked by overall fit."),
    "rp_match_count": ("从 {total} 个候选空间中按匹配度选出 {n} 个。",
                       "{n} of {total} candidate spaces, ranked by how well they fit."),
    "rp_match_rank": ("第 {rank} 名", "No. {rank}"),
    "rp_match_score": ("匹配度 {score} / 100", "Fit {score} / 100"),
    "rp_match_distance": ("距{place} {km} km", "{km} km from {place}"),
    "rp_match_distance_plain": ("距所选地点 {km} km", "{km} km from the place asked for"),
    "rp_match_note": ("请注意", "Please note"),
    "rp_match_figure": ("项目", "Item"),
    "rp_match_value": ("数字", "Figure"),
    "rp_match_source": ("来源与日期", "Source and date"),
    "rp_match_map": ("位置", "Where they are"),
    "rp_match_figures_note": ("面积、租金等为所列来源给出的数字，“约”“近”等限定词照录；“未知”表示来源未说明（不是 0）。"
                              "数字可能已有变化，请以实地核实为准。",
                              "Areas, rents and the like are the figures the sources listed give, with their "
                              "qualifiers (about, nearly); 'unknown' means no source states it (not 0). Figures may "
                              "have changed since: check them on a visit."),
    "rp_match_enquire": ("如何咨询", "How to enquire"),
    "rp_match_enquire_steps": (
        "在福田科技空间地图的“空间匹配”页面完成匹配后，在“咨询这些空间”中勾选本清单中的空间（按名称或排名），"
        "填写企业名称和联系方式并同意个人信息处理，提交后即获得咨询编号（FT-年月日-8 位字符）。"
        "区科技创新部门的招商服务人员将在 {days} 天内答复；咨询时请提供该编号。",
        "On the Futian tech-space map's Match page, after matching, tick the spaces of this shortlist (by name "
        "or rank) under “Enquire about these spaces”, give your enterprise and a contact and consent to the "
        "processing of your personal data: you get a reference (FT-YYYYMMDD and 8 characters). The district's "
        "investment-promotion staff reply within {days} days; quote the reference when you call."),
    "rp_match_none": ("没有符合条件的空间。", "No space meets the need."),
    "rp_match_located_none": ("推荐的空间均无确切位置，未绘制地图。",
                              "None of the shortlisted spaces has a known site: no map is drawn."),
    "rp_match_unplaced": ("未在地图上标出（无确切位置）：{names}", "Not on the map (no known site): {names}"),
}
"""Key → (Chinese, English)."""
