"""Messages of the units on the public pages: the Match page by unit, a carrier's units in its popup
and detail panel on the Map, and the Tally's note on where available area comes from:
key → (Chinese, English)."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # the Match page by unit
    "un_level": ("匹配对象", "Match"),
    "un_level_unit": ("按可租单元", "By unit"),
    "un_level_carrier": ("按载体", "By carrier"),
    "un_level_help": ("按单元：逐个单元比较面积和报价租金（不合并多个单元），未登记单元的载体按来源公布的数字参与；"
                      "按载体：所有载体都按来源公布的数字比较。",
                      "By unit: each unit's own area and asking rent (units are never combined); carriers that list "
                      "no unit take part with the figures their sources state. By carrier: every carrier by its stated "
                      "figures."),
    "un_level_note": ("按可租单元匹配：{units} 个可租单元（属于 {carriers} 个载体），以及 {bare} 个未登记单元、按来源公布数字参与的载体。"
                      "已出租、已预留和已撤回的单元不参与。",
                      "Matched by unit: {units} available unit(s) of {carriers} carrier(s), and {bare} carrier(s) that "
                      "list no unit, by their stated figures. Let, reserved and withdrawn units are not offered."),
    "un_col_carrier": ("载体", "Carrier"),
    "un_col_unit": ("单元（楼栋 楼层 单元号）", "Unit (building, floor, unit)"),
    "un_col_area": ("面积", "Area"),
    "un_col_use": ("用途", "Use"),
    "un_col_rent": ("报价租金（元/㎡/月）", "Asking rent (CNY/m²/month)"),
    "un_col_verified": ("核实日期", "Verified on"),
    "un_col_available_from": ("可入驻日期", "Available from"),
    "un_no_unit": ("未登记单元（整个载体）", "No unit listed (the carrier)"),
    "un_area_basis": ("{area} m²（{basis}）", "{area} m² ({basis})"),
    "un_as_stated": ("来源公布", "as stated"),
    "un_stale_mark": ("⚠ 超过 90 天未核实", "⚠ not verified for over 90 days"),
    # a carrier's units: popup and detail panel (Map page)
    "un_available_now": ("当前可租面积", "Available now"),
    "un_from_units": ("来自 {n} 个可租单元（{basis}）", "from {n} available units ({basis})"),
    "un_from_units_mixed": ("来自 {n} 个可租单元，面积口径不同，分开显示、不相加",
                            "from {n} available units on different bases, shown apart, not added"),
    "un_from_no_units": ("登记的单元目前都不可租", "none of its units is available now"),
    "un_stated_basis": ("来源公布的数字", "as stated by the source"),
    "un_unknown_basis": ("未知：未登记单元，来源也未公布", "unknown: no unit listed and no figure stated"),
    "un_units": ("单元", "Units"),
    "un_units_count": ("可租 {available} 个 · 已出租 {let} 个（共 {total} 个）",
                       "{available} available · {let} let (of {total})"),
    "un_occupancy": ("出租率", "Occupancy"),
    "un_occupancy_value": ("{pct}（已出租面积 / 未撤回单元面积）", "{pct} (let area / area of the units not withdrawn)"),
    "un_stale_units": ("⚠ {n} 个单元超过 90 天未核实", "⚠ {n} unit(s) not verified for over 90 days"),
    "un_units_title": ("{name}：可租单元（{n} 个）", "{name}: available units ({n})"),
    "un_none_available": ("该载体登记的单元目前都不可租。", "None of this carrier's units is available now."),
    "un_two_measures": ("“可租面积”是来源公布的数字，“当前可租面积”来自登记的单元：两个口径分开显示，不相加。",
                        "“Available area” is the figure its source states; “Available now” comes from the units it "
                        "lists: two measures, shown apart, never added."),
    "un_attachments_title": ("单元照片与平面图", "Unit photos and floor plans"),
    "un_col_file": ("文件名", "File name"),
    "un_col_type": ("类型", "Type"),
    "un_col_size": ("大小", "Size"),
    "un_size_kb": ("{kb} KB", "{kb} KB"),
    # the Tally page
    "un_tally_basis": ("本表“可租面积”为来源公布的数字（一个口径）。当前可租面积：{units} 个载体来自其登记的单元，"
                       "{stated} 个载体为来源公布的数字，{unknown} 个未知；单元合计不计入本表。",
                       "“Available area” in this table is the figure the sources state (one measure). Available "
                       "area now: from units for {units} carrier(s), as stated for {stated}, unknown for {unknown}; "
                       "the units' sums are not counted here."),
}
