"""Messages of the Data page (stewards: problems, login, import, corrections, undo, audit log)
and the headers of its tables: key → (Chinese, English). The importer's own English messages
are translated by :mod:`messages.problems`."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "d_intro": ("校验问题与变更记录仅供工作人员查看；导入与更正需要数据编辑角色。每次写入要么全部完成、要么什么都不改，"
                "以你的账户记入变更记录，可撤销；若他人已先修改同一载体，会提示冲突而不会覆盖。",
                "Validation problems and the audit log are for staff; importing and correcting need the editor "
                "role. Every write is all or nothing, logged with your account and undoable; if somebody changed "
                "the same carrier first, you get a conflict instead of overwriting their work."),
    "d_backup_file": ("文件存储：每次写入前在 backups/ 中保留副本（最近 10 份）。",
                      "File store: a copy goes to backups/ before every write (the last ten are kept)."),
    "d_backup_db": ("数据库存储（{where}）：备份由数据库完成（pg_dump 或时间点恢复）。",
                    "Database store ({where}): backups are the database's own (pg_dump or point-in-time recovery)."),
    "d_no_problems": ("没有校验问题。", "No validation problems."),
    "d_editors_only": ("导入、更正和撤销需要数据编辑角色。", "Importing, correcting and undoing need the editor role."),
    # import
    "d_import": ("导入", "Import"),
    "d_file": ("文件（CSV、XLSX、GeoJSON、GeoPackage、zip 打包的 Shapefile）",
               "File (CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile)"),
    "d_import_keeps": ("已有编号的载体只修改文件中有的字段：文件没有的列、以及空白单元格，都保留原值。",
                       "For a carrier already in the store only the fields the file carries change: columns the "
                       "file lacks and empty cells keep the stored values."),
    "d_crs": ("坐标系", "Coordinates in"),
    "d_check": ("检查（不写入）", "Check (writes nothing)"),
    "d_preview": ("**{file}**：{rows} 行，可导入 {accepted} 行（新增 {added}，修改 {updated}，不变 {unchanged}），"
                  "拒绝 {rejected} 行。",
                  "**{file}**: {rows} rows, {accepted} accepted ({added} new, {updated} changed, {unchanged} "
                  "unchanged), {rejected} rejected."),
    "d_changes": ("将修改的字段", "Changes to existing carriers"),
    "d_rejected": ("被拒绝的行", "Rejected rows"),
    "d_rejected_csv": ("下载被拒绝的行（CSV，可修改后重新导入）", "Download rejected rows (CSV to fix and re-import)"),
    "d_commit": ("写入 {n} 行", "Commit {n} rows"),
    "d_committed": ("已写入：新增 {added}，修改 {updated}。", "Committed: {added} added, {updated} changed."),
    "d_conflict_import": ("冲突：预览后有 {n} 个载体已被他人修改（{ids}）。未写入任何内容；请重新预览后再提交。",
                          "Conflict: {n} carrier(s) changed since your preview ({ids}). Nothing was written; "
                          "preview the file again, then commit."),
    # corrections and undo
    "d_correct": ("更正字段", "Correct a field"),
    "d_field": ("字段", "Field"),
    "d_value": ("新值", "New value"),
    "d_value_source": ("数值来源（面积、租金必填）", "Source of the figure (needed for areas and rent)"),
    "d_reason": ("理由", "Reason"),
    "d_save": ("保存更正", "Save correction"),
    "d_corrected": ("已更正并记录。", "Corrected and logged."),
    "d_current": ("当前值：{value}（版本 {version}）", "Current value: {value} (version {version})"),
    "d_conflict_edit": ("冲突：您查看后，该载体已被他人修改（您看到的是版本 {seen}，现在是版本 {current}）。"
                        "未保存任何内容；请查看当前值后重新提交。",
                        "Conflict: somebody changed this carrier after you opened it (you saw version {seen}, "
                        "it is now version {current}). Nothing was saved; check the current value and submit again."),
    "d_undo": ("撤销最近一次导入或更正", "Undo the last import or correction"),
    "d_undone": ("已撤销 {entry}。", "Undid {entry}."),
    "d_audit": ("变更记录", "Audit log"),
    "d_no_audit": ("尚无导入或更正。", "No imports or corrections yet."),
    # ---- table headers -------------------------------------------------------------------
    # changes an import would make
    "dc_id": ("编号", "ID"),
    "dc_field": ("字段", "Field"),
    "dc_old": ("原值", "Old value"),
    "dc_new": ("新值", "New value"),
    # rejected rows
    "dr_row": ("行号", "Row"),
    "dr_field": ("字段", "Field"),
    "dr_value": ("值", "Value"),
    "dr_reason": ("原因", "Reason"),
    "dr_reason_original": ("原文（与下载文件一致）", "Original message (as in the download)"),
    # the audit log
    "au_id": ("编号", "ID"),
    "au_at": ("时间", "At"),
    "au_who": ("操作人", "Who"),
    "au_action": ("操作", "Action"),
    "au_layer": ("图层", "Layer"),
    "au_file_name": ("文件", "File"),
    "au_sha256": ("文件摘要 (SHA-256)", "File digest (SHA-256)"),
    "au_accepted": ("接受", "Accepted"),
    "au_rejected": ("拒绝", "Rejected"),
    "au_added": ("新增", "Added"),
    "au_updated": ("修改", "Changed"),
    "au_reason": ("理由", "Reason"),
    "au_undone_by": ("被撤销于", "Undone by"),
    "action_import": ("导入", "import"),
    "action_place": ("企业落位", "enterprises placed"),
    "d_years_help": ("企业年度经济数据：每行一家企业一年（统一社会信用代码、年度、营业收入、纳税额、研发投入、从业人员、专利），"
                     "金额列的表头须注明单位（元、万元或亿元），导入时换算为元。登记库中没有的信用代码会新建企业，并按签约、坐标、"
                     "地址落位到载体。",
                     "Enterprise figures by year: one row per enterprise and year (credit code, year, revenue, tax, "
                     "R&D, employees, patents); each money column's header states its unit (yuan, 10k yuan or 100m yuan), "
                     "converted to CNY on import. A credit code not in the registry creates the enterprise, placed in a carrier "
                     "by lease, coordinates or address."),
    "d_years_preview": ("新建企业 {created} 家；落位：已落位 {placed}，待核实 {review}，未落位 {unplaced}。",
                        "Enterprises created: {created}; placements: placed {placed}, to review {review}, not "
                        "placed {unplaced}."),
    "action_edit": ("更正", "edit"),
    "action_undo": ("撤销", "undo"),
    "action_goal": ("设定目标", "goal"),
    "action_pool-add": ("保存需求", "need saved"),
    "action_pool-delete": ("删除需求", "needs deleted"),
    "action_pool-import": ("导入需求", "needs imported"),
    "action_user-add": ("新建账户", "account added"),
    "action_user-disable": ("停用账户", "account disabled"),
    "action_user-enable": ("启用账户", "account enabled"),
    "action_user-role": ("更改角色", "role changed"),
    "action_user-password": ("更改密码", "password changed"),
}
