"""The market's layers: space units (supply), enterprises and their enquiries (demand), the
pipeline's events, signed leases, screening rules and unit attachments.

The bundled store ships these tables empty: the seeds state no unit, enterprise or enquiry.
``python cli.py demo`` fills a separate store with synthetic rows (``synthetic`` true).
"""
from __future__ import annotations

from layers.spec import FieldSpec, LayerSpec


def _f(name, dtype="str", **kw) -> FieldSpec:
    return FieldSpec(name, dtype, **kw)


UNIT_STALE_DAYS = 90
"""A unit not verified for this many days is flagged as stale wherever it shows."""
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

_SYNTHETIC = _f("synthetic", "bool", title_zh="演示数据", title_en="Synthetic (demo)")

UNIT_FIELDS = (
    _f("id", required=True, title_zh="单元编号", title_en="Unit ID"),
    _f("carrier_id", required=True, title_zh="所属载体", title_en="Carrier"),
    _f("building", title_zh="楼栋", title_en="Building"),
    _f("floor", title_zh="楼层", title_en="Floor"),
    _f("unit_label", required=True, title_zh="单元", title_en="Unit"),
    _f("area_m2", "float", required=True, nonnegative=True, title_zh="面积(㎡)", title_en="Area (m²)"),
    _f("area_basis", "code", required=True, vocabulary="unit_area_basis", title_zh="面积口径", title_en="Area basis"),
    _f("use", "code", required=True, vocabulary="unit_use", title_zh="用途", title_en="Use"),
    _f("fit_out", "code", vocabulary="unit_fit_out", title_zh="装修", title_en="Fit-out"),
    _f("rent_asked_cny_m2_month", "float", nonnegative=True, title_zh="报价租金(元/㎡/月)",
       title_en="Asking rent (CNY/m²/month)"),
    _f("rent_includes", title_zh="租金包含", title_en="Rent includes"),
    _f("available_from", "date", title_zh="可入驻日期", title_en="Available from"),
    _f("floor_load_kn_m2", "float", nonnegative=True, title_zh="楼面荷载(kN/㎡)", title_en="Floor load (kN/m²)"),
    _f("ceiling_height_m", "float", nonnegative=True, title_zh="层高(米)", title_en="Ceiling height (m)"),
    _f("status", "code", required=True, vocabulary="unit_status", title_zh="状态", title_en="Status"),
    _f("source", required=True, title_zh="来源", title_en="Source"),
    _f("verified_on", "date", required=True, title_zh="核实日期", title_en="Verified on"),
    _f("notes", title_zh="备注", title_en="Notes"),
    _SYNTHETIC,
)

ENTERPRISE_FIELDS = (
    _f("id", required=True, title_zh="企业编号", title_en="Enterprise ID"),
    _f("name", required=True, title_zh="企业名称", title_en="Name"),
    _f("credit_code", title_zh="统一社会信用代码", title_en="Unified social credit code"),
    _f("industries", "codes", vocabulary="industries", title_zh="产业", title_en="Industries"),
    _f("stage", "code", vocabulary="enterprise_stage", title_zh="发展阶段", title_en="Stage"),
    _f("headcount", "int", nonnegative=True, title_zh="员工人数", title_en="Headcount"),
    _f("founded", "date", title_zh="成立日期", title_en="Founded"),
    _f("qualifications", title_zh="资质", title_en="Qualifications"),
    _f("address", title_zh="注册地址", title_en="Registered address"),
    _f("lon", "float", title_zh="经度(WGS-84)", title_en="Longitude (WGS-84)"),
    _f("lat", "float", title_zh="纬度(WGS-84)", title_en="Latitude (WGS-84)"),
    _f("contact_name", private=True, title_zh="联系人", title_en="Contact person"),
    _f("contact_phone", private=True, title_zh="联系电话", title_en="Phone"),
    _f("contact_email", private=True, title_zh="电子邮箱", title_en="Email"),
    _f("created_at", required=True, title_zh="创建时间", title_en="Created"),
    _f("source", title_zh="来源", title_en="Source"),
    _f("erased_at", title_zh="个人信息删除时间", title_en="Personal data removed"),
    _SYNTHETIC,
)
"""``qualifications``: JSON ``[{"code", "evidence", "expires"}]`` (codes of the ``qualification`` vocabulary)."""

ENQUIRY_FIELDS = (
    _f("id", required=True, title_zh="编号", title_en="Reference"),
    _f("submitted_at", required=True, title_zh="提交时间", title_en="Submitted"),
    _f("channel", "code", required=True, vocabulary="enquiry_channel", title_zh="渠道", title_en="Channel"),
    _f("enterprise_id", title_zh="企业", title_en="Enterprise"),
    _f("enterprise_name", required=True, title_zh="企业名称", title_en="Enterprise name"),
    _f("credit_code", title_zh="统一社会信用代码", title_en="Credit code"),
    _f("need_json", required=True, title_zh="需求", title_en="Need"),
    _f("picked", title_zh="所选单元/载体", title_en="Units or carriers picked"),
    _f("message", title_zh="留言", title_en="Message"),
    _f("contact_name", private=True, title_zh="联系人", title_en="Contact person"),
    _f("contact_phone", private=True, title_zh="联系电话", title_en="Phone"),
    _f("contact_email", private=True, title_zh="电子邮箱", title_en="Email"),
    _f("consent_version", title_zh="同意书版本", title_en="Consent version"),
    _f("consent_text", title_zh="同意书文本", title_en="Consent text"),
    _f("consent_at", title_zh="同意时间", title_en="Consent given"),
    _f("stage", "code", required=True, vocabulary="enquiry_stage", title_zh="阶段", title_en="Stage"),
    _f("stage_at", required=True, title_zh="进入阶段时间", title_en="In stage since"),
    _f("assigned_to", title_zh="负责人", title_en="Assigned to"),
    _f("due_at", title_zh="答复期限", title_en="Reply due"),
    _f("eligible", "bool", title_zh="符合条件", title_en="Eligible"),
    _f("screening", title_zh="初审理由", title_en="Screening reasons"),
    _f("close_reason", "code", vocabulary="close_reason", title_zh="关闭原因", title_en="Closed because"),
    _f("erased_at", title_zh="个人信息删除时间", title_en="Personal data removed"),
    _SYNTHETIC,
)

EVENT_FIELDS = (
    _f("id", required=True), _f("enquiry_id", required=True, title_zh="需求编号", title_en="Enquiry"),
    _f("at", required=True, title_zh="时间", title_en="When"), _f("who", required=True, title_zh="操作人", title_en="By"),
    _f("from_stage", "code", vocabulary="enquiry_stage", title_zh="原阶段", title_en="From"),
    _f("to_stage", "code", required=True, vocabulary="enquiry_stage", title_zh="新阶段", title_en="To"),
    _f("note", title_zh="备注", title_en="Note"), _f("details"), _f("undone_by"), _SYNTHETIC,
)
"""``details``: JSON of what the step recorded (units, lease) and the enquiry and units as they were (for undo)."""

LEASE_FIELDS = (
    _f("id", required=True), _f("enquiry_id", required=True, title_zh="需求编号", title_en="Enquiry"),
    _f("carrier_id", required=True, title_zh="载体", title_en="Carrier"),
    _f("unit_ids", title_zh="单元", title_en="Units"),
    _f("area_m2", "float", required=True, nonnegative=True, title_zh="签约面积(㎡)", title_en="Leased area (m²)"),
    _f("rent_cny_m2_month", "float", nonnegative=True, title_zh="租金(元/㎡/月)", title_en="Rent (CNY/m²/month)"),
    _f("rent_source", title_zh="租金来源", title_en="Rent source"),
    _f("start", "date", required=True, title_zh="起租日", title_en="Start"),
    _f("end", "date", title_zh="到期日", title_en="End"),
    _f("signed_at", required=True, title_zh="签约时间", title_en="Signed"),
    _f("signed_by", required=True, private=True, title_zh="经办人", title_en="Recorded by"),
    _f("moved_in_at", title_zh="入驻时间", title_en="Moved in"),
    _SYNTHETIC,
)

SCREENING_FIELDS = (
    _f("id", required=True), _f("applies_to", required=True, title_zh="适用载体类型", title_en="Applies to"),
    _f("kind", "code", required=True, vocabulary="screening_kind", title_zh="规则", title_en="Rule"),
    _f("value", required=True, title_zh="取值", title_en="Value"),
    _f("reason_zh", required=True, title_zh="理由(中文)", title_en="Reason (zh)"),
    _f("reason_en", required=True, title_zh="理由(英文)", title_en="Reason (en)"),
    _f("active", "bool", required=True, title_zh="启用", title_en="Active"),
    _f("any_of", title_zh="任一满足组", title_en="Alternatives group"),
    _SYNTHETIC,
)
"""``applies_to``: a carrier layer key, or ``*`` for every carrier; ``value``: the rule's limit or codes;
``any_of``: rules sharing this value are alternatives (one passing is enough)."""

ATTACHMENT_FIELDS = (
    _f("id", required=True), _f("unit_id", required=True, title_zh="单元", title_en="Unit"),
    _f("file_name", required=True, title_zh="文件名", title_en="File name"),
    _f("mime", required=True, title_zh="类型", title_en="Type"),
    _f("size_bytes", "int", required=True, nonnegative=True, title_zh="大小(字节)", title_en="Size (bytes)"),
    _f("sha256", required=True),
    _f("added_at", required=True, title_zh="上传时间", title_en="Added"),
    _f("added_by", required=True, private=True, title_zh="上传人", title_en="Added by"),
    _f("removed", "bool", required=True, title_zh="已移除", title_en="Removed"),
)
BLOB_FIELDS = (_f("id", required=True), _f("content_b64", required=True, private=True))
"""The attachments' bytes (base64), apart from their list: read one at a time, by id, never with the inventory."""

ENTERPRISE_YEAR_FIELDS = (
    _f("id", required=True), _f("enterprise_id", required=True, title_zh="企业", title_en="Enterprise"),
    _f("year", "int", required=True, nonnegative=True, title_zh="年度", title_en="Year"),
    _f("revenue_cny", "float", nonnegative=True, title_zh="营业收入(元)", title_en="Revenue (CNY)"),
    _f("tax_cny", "float", title_zh="纳税额(元)", title_en="Tax paid (CNY)"),
    _f("rd_cny", "float", nonnegative=True, title_zh="研发投入(元)", title_en="R&D spending (CNY)"),
    _f("employees", "int", nonnegative=True, title_zh="从业人员(人)", title_en="Employees"),
    _f("patents", "int", nonnegative=True, title_zh="专利(件)", title_en="Patents"),
    _f("source", required=True, title_zh="来源", title_en="Source"),
    _f("imported_at", title_zh="导入时间", title_en="Imported"),
    _SYNTHETIC,
)
"""One enterprise's figures for one year, in CNY (a file's 万元 and 亿元 converted on import); unknown is empty."""

PLACEMENT_FIELDS = (
    _f("id", required=True), _f("enterprise_id", required=True, title_zh="企业", title_en="Enterprise"),
    _f("carrier_id", title_zh="载体", title_en="Carrier"), _f("unit_id", title_zh="单元", title_en="Unit"),
    _f("method", "code", required=True, vocabulary="placement_method", title_zh="定位方法", title_en="Method"),
    _f("confidence", "float", nonnegative=True, title_zh="可信度", title_en="Confidence"),
    _f("status", "code", required=True, vocabulary="placement_status", title_zh="状态", title_en="Status"),
    _f("matched", title_zh="匹配依据", title_en="Matched on"),
    _f("candidates", title_zh="候选载体", title_en="Candidates"),
    _f("placed_at", required=True, title_zh="定位时间", title_en="Placed"),
    _f("placed_by", private=True, title_zh="确认人", title_en="Confirmed by"),
    _SYNTHETIC,
)
"""Where an enterprise is: one row per enterprise (``id`` = the enterprise's id), by lease, coordinates,
address, or an editor's confirmation; ``candidates``: JSON ``[{"carrier_id", "score"}]``."""

MARKET_LAYERS = (
    LayerSpec("units", "可租单元", "Space units", None, "units.csv", UNIT_FIELDS, role="table",
              description_en="Lettable units of the carriers: area, use, fit-out, asking rent, status, verified on"),
    LayerSpec("unit_attachments", "单元附件", "Unit attachments", None, "unit_attachments.csv", ATTACHMENT_FIELDS,
              role="table", description_en="Photos (PNG/JPEG) and floor plans (PDF) of units: their list"),
    LayerSpec("attachment_blobs", "附件内容", "Attachment contents", None, "attachment_blobs.csv", BLOB_FIELDS,
              role="table", access="staff", description_en="The bytes of unit attachments, read one at a time"),
    LayerSpec("enterprises", "企业库", "Enterprises", None, "enterprises.csv", ENTERPRISE_FIELDS, role="table",
              access="staff", description_en="Enterprises with credit code, qualifications and contact (personal)"),
    LayerSpec("enquiries", "企业需求登记", "Enquiries", None, "enquiries.csv", ENQUIRY_FIELDS, role="table",
              access="staff", description_en="Enquiries from enterprises and where each stands in the pipeline"),
    LayerSpec("enquiry_events", "跟进记录", "Enquiry history", None, "enquiry_events.csv", EVENT_FIELDS,
              role="table", access="staff", description_en="Every step of every enquiry: who, when, a note"),
    LayerSpec("leases", "签约记录", "Signed leases", None, "leases.csv", LEASE_FIELDS, role="table", access="staff",
              description_en="Leases signed through the platform: units, area, rent, dates"),
    LayerSpec("screening_rules", "初审规则", "Screening rules", None, "screening_rules.csv", SCREENING_FIELDS,
              role="table", access="staff", description_en="Rules that mark an enquiry eligible or not, with reasons"),
    LayerSpec("enterprise_years", "企业年度经济数据", "Enterprise figures by year", None, "enterprise_years.csv",
              ENTERPRISE_YEAR_FIELDS, role="table", access="staff",
              description_en="Revenue, tax, R&D, employees and patents of each enterprise per year (CNY)"),
    LayerSpec("placements", "企业落位", "Where enterprises are", None, "placements.csv", PLACEMENT_FIELDS,
              role="table", access="staff",
              description_en="The carrier (and unit) each enterprise is in, how it was found and how sure"),
)
MARKET_KEYS = tuple(spec.key for spec in MARKET_LAYERS)
VERSIONED_TABLES = ("units", "enquiries", "enterprises", "placements")
"""Market tables whose rows carry a ``row_version`` (two people never silently overwrite each other)."""
LAZY_LAYERS = ("attachment_blobs", "enterprise_years", "placements")
"""Layers :meth:`Store.read_all` leaves out (read when asked: attachments by id, the economy's tables by
the indicator reports, which cache them per store revision)."""
