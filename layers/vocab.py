"""Controlled vocabularies: industries, facilities, policies, statuses, location bases.

Every coded value in the data must come from one of these tables. Industries carry zh/en
labels, synonyms (so 生物医药 = biomedicine = 医疗科技) and related sectors (for the
partial credit of matching).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from messages import pick


@dataclass(frozen=True)
class Term:
    """One vocabulary entry."""

    code: str
    zh: str
    en: str
    synonyms: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    source: str = ""
    extra: dict = field(default_factory=dict)

    def label(self, lang: str) -> str:
        """Return the label in ``lang`` ('zh' or 'en')."""
        return pick(self.zh, self.en, lang)


INDUSTRIES: dict[str, Term] = {
    t.code: t
    for t in [
        Term("ict", "新一代信息技术", "Next-generation ICT",
             ("5G", "信息技术", "新一代信息技术", "通信", "未来网络", "ICT", "telecom", "telecommunications",
              "information technology", "5G研发及应用"),
             ("ic", "ai", "smart_hardware", "big_data", "iot"), "001 专栏6 (4); 002 二（一）"),
        Term("ic", "集成电路", "Integrated circuits",
             ("芯片", "半导体", "微电子", "芯片设计", "EDA", "chip", "chips", "semiconductor", "semiconductors",
              "microelectronics"),
             ("ict", "smart_hardware", "new_materials", "quantum"), "002 一（一）; 001 专栏4 (5)"),
        Term("ai", "人工智能", "Artificial intelligence",
             ("AI", "机器学习", "智能+", "machine learning", "artificial intelligence"),
             ("big_data", "robotics", "ict", "smart_hardware", "iot"), "002 三（一）; 001 专栏4 (2)"),
        Term("big_data", "大数据与云计算", "Big data and cloud computing",
             ("大数据", "云计算", "数据", "big data", "cloud", "cloud computing"),
             ("ai", "fintech", "ict", "blockchain"), "001 专栏6 (3)"),
        Term("blockchain", "区块链", "Blockchain", ("blockchain", "分布式账本", "distributed ledger"),
             ("fintech", "big_data"), "002 一（一）; 001 专栏6 (3)"),
        Term("fintech", "金融科技", "Financial technology",
             ("金融科技", "数字货币", "数字人民币", "移动支付", "fintech", "financial technology", "digital currency"),
             ("blockchain", "big_data", "ai"), "002 二（二）; 001 专栏6 (3)"),
        Term("biomed", "生物医药", "Biomedicine",
             ("生物医药", "医疗科技", "生命健康", "医疗器械", "生物技术", "精准医疗", "基因测序", "干细胞",
              "biomedicine", "biomedical", "biotech", "biotechnology", "life sciences", "life science", "medtech",
              "medical technology", "medical devices", "pharmaceuticals", "pharma"),
             ("new_materials",), "002 二（四）; 001 专栏4 (1)"),
        Term("quantum", "量子科技", "Quantum technology",
             ("量子", "量子信息", "量子计算", "量子通信", "quantum", "quantum computing", "quantum information"),
             ("ic", "ict", "new_materials"), "002 二（五）"),
        Term("smart_hardware", "智能硬件与智能终端", "Smart hardware and devices",
             ("智能硬件", "智能终端", "硬科技", "电子信息", "电子", "hardware", "smart hardware", "electronics",
              "consumer electronics", "devices"),
             ("ic", "iot", "ict", "robotics", "ai"), "002 二（六）; 001 专栏6 (2)"),
        Term("iot", "物联网", "Internet of Things", ("物联网", "IoT", "internet of things"),
             ("smart_hardware", "ai", "ict"), "002 二（六）"),
        Term("robotics", "机器人与智能装备", "Robotics and intelligent equipment",
             ("机器人", "智能装备", "智能制造", "先进制造", "robot", "robots", "robotics", "intelligent manufacturing",
              "advanced manufacturing"),
             ("ai", "smart_hardware"), "001 专栏4 (3)"),
        Term("new_materials", "新材料", "Advanced materials",
             ("新材料", "纳米材料", "第三代半导体材料", "materials", "advanced materials", "new materials"),
             ("ic", "quantum", "biomed"), "001 专栏4 (4); 001 三（三）2"),
        Term("culture_creative", "文化创意与时尚设计", "Culture, creative and fashion design",
             ("文化创意", "文化科技", "时尚", "时尚设计", "设计", "新媒体", "广告", "creative", "culture", "fashion",
              "design", "media", "advertising"),
             (), "001 专栏6 (5); 000 一（三）"),
        Term("green_low_carbon", "绿色低碳", "Green and low-carbon",
             ("绿色低碳", "新能源", "节能环保", "清洁能源", "green", "clean energy", "new energy", "low carbon"),
             ("new_materials",), "001 发展成绩; 002 三"),
        Term("high_end_services", "高端现代服务业", "High-end modern services",
             ("现代服务业", "专业服务", "services", "professional services"),
             ("fintech",), "002 二（一）"),
    ]
}

FACILITIES: dict[str, Term] = {
    t.code: t
    for t in [
        Term("laboratory", "实验室", "Laboratory", ("lab", "实验室")),
        Term("wet_lab", "湿实验室", "Wet lab", ("湿实验室", "wet laboratory"), extra={"maybe": ("laboratory",)}),
        Term("clean_room", "洁净室", "Clean room", ("洁净室", "无尘室", "cleanroom")),
        Term("heavy_floor_load", "重载楼板", "Heavy floor load", ("重载", "高承重", "heavy load")),
        Term("public_tech_platform", "公共技术服务平台", "Public technology platform", ("公共服务平台", "公共技术平台")),
        Term("pilot_line", "中试/小试条件", "Pilot-scale production", ("中试", "小试", "pilot")),
        Term("clinical_research", "临床研究", "Clinical research", ("临床研究", "临床试验", "clinical trials")),
        Term("event_hall", "多功能厅", "Multi-purpose hall", ("宴会厅", "会议厅", "event space")),
    ]
}

POLICIES: dict[str, Term] = {
    t.code: t
    for t in [
        Term("hetao_research_measures", "深港科技创新合作区（深圳园区）科研及创新创业若干支持措施",
             "Hetao Shenzhen Park research and entrepreneurship support measures", source="002 一（二）"),
        Term("huaqiang_bagualing_reform", "福田区华强上步与八卦岭片区产业空间供给侧改革若干措施",
             "Huaqiang–Shangbu and Bagualing industrial-space supply-side reform measures", source="002 二（六）"),
        Term("tech_building_support", "深圳市福田区推动科技创新高质量发展若干措施（科技楼宇认定≤100万元、运营≤500万元）",
             "Futian measures for high-quality S&T innovation (tech-building recognition ≤ CNY 1 m, operation ≤ CNY 5 m)",
             source="004 一"),
        Term("park_incubator_recognition", "福田区科技园区（孵化器）认定与管理暂行办法",
             "Futian interim measures for recognising science parks (incubators)", source="002 五（一）"),
        Term("ic_support", "深圳市福田区支持集成电路产业发展若干措施", "Futian measures supporting the IC industry",
             source="002 一（一）"),
        Term("biomed_support", "深圳市福田区支持生物医药产业发展若干措施", "Futian measures supporting biomedicine",
             source="002 一（一）"),
        Term("ai_support", "深圳市福田区支持新一代人工智能发展若干措施", "Futian measures supporting new-generation AI",
             source="002 一（一）"),
        Term("blockchain_support", "深圳市福田区支持区块链产业发展若干措施", "Futian measures supporting blockchain",
             source="002 一（一）"),
    ]
}

STATUSES: dict[str, Term] = {
    t.code: t
    for t in [
        Term("operating", "运营中", "Operating"),
        Term("under_construction", "建设中", "Under construction"),
        Term("planned", "规划中", "Planned"),
        Term("closed", "已关闭", "Closed"),
        Term("unknown", "未知", "Unknown"),
    ]
}

LOCATION_BASES: dict[str, Term] = {
    t.code: t
    for t in [
        Term("surveyed", "实测", "Surveyed"),
        Term("address", "按门牌估计", "Estimated from the address"),
        Term("street", "按道路估计", "Estimated from the street"),
        Term("area", "按片区估计", "Estimated from the area"),
        Term("zone", "按片区定位（来源未说明具体位置）", "Placed by zone (no site stated)"),
        Term("unknown", "位置未知", "Location unknown"),
    ]
}

LEDGER_FROM_BASES: dict[str, Term] = {
    t.code: t
    for t in [
        Term("opened", "开业时间", "Opening date"),
        Term("reported_by", "不晚于报告日期", "No later than a report's date"),
        Term("unknown", "未知", "Unknown"),
    ]
}

QUALIFIERS: dict[str, Term] = {
    t.code: t
    for t in [
        Term("about", "约", "about", ("约", "大约", "左右")),
        Term("nearly", "近", "nearly", ("近", "接近", "将近")),
        Term("at_least", "不少于", "at least", ("多", "余", "以上", "超过", "不少于", "逾")),
        Term("planned", "计划", "planned", ("计划", "将", "拟", "规划")),
    ]
}
"""How a source states a figure (a blank qualifier: as stated, exactly)."""

SOURCE_KINDS: dict[str, Term] = {
    t.code: t
    for t in [
        Term("seed", "政府文件", "government document"),
        Term("external", "外部来源", "external source"),
    ]
}

def _terms(*terms: Term) -> dict[str, Term]:
    return {t.code: t for t in terms}


UNIT_USES = _terms(Term("office", "办公", "Office"), Term("lab", "实验室", "Laboratory"),
                   Term("light_industry", "轻型生产", "Light industry"), Term("showroom", "展示", "Showroom"),
                   Term("pilot", "中试", "Pilot production"), Term("other", "其他", "Other"))
UNIT_FIT_OUTS = _terms(Term("bare", "毛坯", "Bare shell"), Term("basic", "简装", "Basic fit-out"),
                       Term("fitted", "精装", "Fully fitted"))
UNIT_STATUSES = _terms(Term("available", "可租", "Available"), Term("reserved", "已预留", "Reserved"),
                       Term("let", "已出租", "Let"), Term("withdrawn", "已撤回", "Withdrawn"))
UNIT_AREA_BASES = _terms(Term("gross", "建筑面积", "Gross floor area"), Term("usable", "使用面积", "Usable area"))
ENQUIRY_STAGES = _terms(
    Term("received", "已收到", "Received"), Term("screened", "已初审", "Screened"),
    Term("shortlisted", "已推荐房源", "Units shortlisted"), Term("visit_arranged", "已约看", "Visit arranged"),
    Term("visited", "已看房", "Visited"), Term("offer", "已报价", "Offer made"), Term("signed", "已签约", "Signed"),
    Term("moved_in", "已入驻", "Moved in"), Term("closed", "已关闭", "Closed"))
"""The pipeline from an enquiry to a signed lease (see :mod:`spatial.pipeline` for the transitions)."""
CLOSE_REASONS = _terms(
    Term("no_fit", "无合适空间", "No fitting space"), Term("price", "价格", "Price"),
    Term("location", "区位", "Location"), Term("chose_elsewhere", "选择了其他地方", "Chose elsewhere"),
    Term("no_response", "未回复", "No response"), Term("ineligible", "不符合条件", "Not eligible"),
    Term("withdrawn", "企业撤回", "Withdrawn by the enterprise"))
ENTERPRISE_STAGES = _terms(Term("seed", "初创", "Start-up"), Term("growth", "成长期", "Growth"),
                           Term("mature", "成熟期", "Mature"))
QUALIFICATIONS = _terms(
    Term("high_tech", "国家高新技术企业", "National high-tech enterprise"),
    Term("specialised", "专精特新", "Specialised and innovative SME (专精特新)"),
    Term("little_giant", "专精特新“小巨人”", "Specialised “little giant” (小巨人)"),
    Term("listed", "上市企业", "Listed company"), Term("unicorn", "独角兽 / 准独角兽", "Unicorn / near-unicorn"))
SCREENING_KINDS = _terms(
    Term("qualification_any", "需具备资质之一", "Needs one of these qualifications"),
    Term("max_age_years", "成立年限不超过", "Founded at most this many years ago"),
    Term("max_headcount", "员工人数不超过", "At most this many employees"),
    Term("industry_in", "产业属于", "Industry is one of"))
ENQUIRY_CHANNELS = _terms(Term("portal", "门户网站", "Public portal"), Term("staff", "工作人员录入", "Entered by staff"),
                          Term("cli", "命令行", "Command line"))
PLACEMENT_METHODS = _terms(Term("confirmed", "人工确认", "Confirmed by an editor"),
                           Term("lease", "签约记录", "Signed lease"), Term("coords", "坐标", "Coordinates"),
                           Term("address", "地址匹配", "Address match"), Term("none", "未匹配", "Not matched"))
PLACEMENT_STATUSES = _terms(Term("confirmed", "已确认", "Confirmed"), Term("placed", "已落位", "Placed"),
                            Term("review", "待核实", "To review"), Term("unplaced", "未落位", "Not placed"))

VOCABULARIES: dict[str, dict[str, Term]] = {
    "industries": INDUSTRIES,
    "facilities": FACILITIES,
    "policies": POLICIES,
    "status": STATUSES,
    "location_basis": LOCATION_BASES,
    "ledger_from_basis": LEDGER_FROM_BASES,
    "qualifier": QUALIFIERS,
    "source_kind": SOURCE_KINDS,
    "unit_use": UNIT_USES,
    "unit_fit_out": UNIT_FIT_OUTS,
    "unit_status": UNIT_STATUSES,
    "unit_area_basis": UNIT_AREA_BASES,
    "enquiry_stage": ENQUIRY_STAGES,
    "close_reason": CLOSE_REASONS,
    "enterprise_stage": ENTERPRISE_STAGES,
    "qualification": QUALIFICATIONS,
    "screening_kind": SCREENING_KINDS,
    "enquiry_channel": ENQUIRY_CHANNELS,
    "placement_method": PLACEMENT_METHODS,
    "placement_status": PLACEMENT_STATUSES,
}


def _norm(text: str) -> str:
    return " ".join(str(text).strip().lower().replace("_", " ").replace("-", " ").split())


def resolve_industry(text: str) -> str | None:
    """Return the industry code for a code, zh/en label or synonym, or None.

    Matching ignores case, surrounding space, hyphens and underscores.

    Examples
    --------
    >>> resolve_industry("医疗科技")
    'biomed'
    >>> resolve_industry("Biomedicine")
    'biomed'
    """
    key = _norm(text)
    if not key:
        return None
    for code, term in INDUSTRIES.items():
        names = (code, term.zh, term.en, *term.synonyms)
        if any(_norm(n) == key for n in names):
            return code
    return None


def split_codes(value) -> list[str]:
    """Split a ``;``-separated code list ('' or None → [])."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [c.strip() for c in str(value).split(";") if c.strip()]
