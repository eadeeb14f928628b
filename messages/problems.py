"""Chinese for the English messages of the importer, the validators and the stewardship
functions (validation problems, rejection reasons, import notes, errors the pages show).

Those messages are written in English where they are made (the CLI speaks English); the pages
translate them here, at the display edge, with :func:`problem_text`. A message with values in
it is matched by a pattern; a message this module does not know is shown as it is.
"""
from __future__ import annotations

import re

EXACT: dict[str, str] = {
    # validation (geodata.ingest.validate, geodata.storage.postgis)
    "required column is missing": "缺少必填列",
    "required value is missing": "必填值为空",
    "must not be negative": "不能为负数",
    "geometry is missing or empty": "几何为空或缺失",
    "location_basis is 'unknown' but a geometry is given": "location_basis 为“unknown”（位置未知），却给出了几何",
    "invalid geometry": "几何无效",
    "outside Shenzhen (no context flag)": "位于深圳以外（未标记为背景要素）",
    "outside the district (no context flag)": "位于福田区以外（未标记为背景要素）",
    "duplicate id": "编号重复",
    "duplicate id across layers": "编号在多个图层中重复",
    "parent carrier does not exist": "上级载体不存在",
    "parent carrier is on a rejected row of this file": "上级载体位于本文件中被拒绝的行",
    "a carrier cannot be its own parent": "载体不能以自身为上级",
    "carrier does not exist": "载体不存在",
    "carrier has more than one entry": "该载体有多条台账记录",
    "coordinates are not numbers": "坐标不是数字",
    "layer has no CRS; set it explicitly (refusing to assume EPSG:4326)": "图层没有坐标系；请明确指定（不会默认假定为 EPSG:4326）",
    # typing (geodata.ingest.schema)
    "boolean is not a number": "布尔值不是数字",
    "not a finite number": "不是有限的数字",
    "not a whole number": "不是整数",
    "not true/false": "不是是/否（true/false）",
    "not a date (YYYY, YYYY-MM or YYYY-MM-DD)": "不是日期（YYYY、YYYY-MM 或 YYYY-MM-DD）",
    # rejection reasons (geodata.ingest.importer)
    "longitude and latitude look swapped: swap the two columns": "经度和纬度似乎颠倒了：请交换这两列",
    "not degrees: use --crs epsg:4547 for metres": "不是以度为单位的经纬度：以米为单位的坐标请选择 epsg:4547",
    "coordinates out of range": "坐标超出范围",
    "outside Shenzhen (check the coordinates and the CRS)": "位于深圳以外（请检查坐标和坐标系）",
    "this id belongs to a carrier of another layer": "该编号属于其他图层的载体",
    "contains a NUL character (0x00), which the store cannot hold": "含有 NUL 字符（0x00），数据库无法保存",
    "contains a right-to-left override or another bidi control character": "含有从右到左覆盖字符或其他双向文本控制字符",
    "contains a control character": "含有控制字符",
    "longer than 200 characters (the limit for ids and names)": "超过 200 个字符（编号和名称的长度上限）",
    "longer than 2,000 characters (the limit for text fields)": "超过 2,000 个字符（文本字段的长度上限）",
    "coordinates are not finite numbers": "坐标不是有限的数字",
    "a polygon ring is not closed": "多边形的环没有闭合",
    "the geometry cannot be read": "无法读取几何",
    # import notes
    "eastings carried the zone prefix 38 (EPSG:4526 style); it was removed": "东坐标带有带号前缀 38（EPSG:4526 形式），已去除",
    "non-point geometries were placed at a point on their surface": "非点要素已取其范围内的一点作为位置",
    "no lon/lat columns: new rows are imported without a location; existing ids keep their stored location":
        "没有经纬度列：新增的行按“位置未知”导入；已有编号保留其原有位置",
    "rows without an id got one made from the file name and row number": "没有编号的行已按文件名和行号生成编号",
    # errors the pages show (geodata.ingest, geodata.stewardship, geodata.storage)
    "the file's geometry has no coordinate system (.prj / CRS missing)": "文件的几何没有坐标系（缺少 .prj 或 CRS）",
    "say who makes the change (--by or the login)": "请说明操作人（登录账户）",
    "an account name is 1–40 letters, digits or . _ - @ characters": "用户名应为 1–40 个字母、数字或 . _ - @ 字符",
    "the password needs 10 to 1024 characters": "密码需要 10 到 1024 个字符",
    "the two passwords differ": "两次输入的密码不一致",
    "give a reason for the correction": "请填写更正的理由",
    "nothing to correct": "没有要更正的内容",
    "nothing to undo": "没有可撤销的操作",
    "give a reason for the new goal": "请填写设定新目标的理由",
    "store busy, try again (another import or edit is being written)": "数据库正忙，请稍后再试（另一次导入或更正正在写入）",
    # a need that cannot be matched (spatial.need)
    "a distance limit needs a place to measure from (near)": "距离上限需要指定起点（靠近）",
}
"""English message → Chinese, for messages without values."""

PATTERNS: list[tuple[str, str]] = [
    # accounts and audited writes (geodata.stewardship)
    (r"account (?P<name>\S+) exists.*", "账户 {name} 已存在"),
    (r"no account (?P<name>\S+)", "没有账户 {name}"),
    (r"role must be one of .*", "角色应为 staff、editor 或 admin"),
    (r"a name has at most (?P<n>\d+) characters, got (?P<got>\d+)", "名称最多 {n} 个字符，实际 {got} 个"),
    (r"a name may not contain control, bidi or markup characters: (?P<chars>.+)",
     "名称不能包含控制字符、双向文本控制字符或标记字符：{chars}"),
    (r"no demand_pool entry (?P<ids>.+)", "需求库中没有 {ids}"),
    # validation
    (r"unknown (?P<vocabulary>\w+) code; known: (?P<known>.*)", "未知的 {vocabulary} 代码；可用：{known}"),
    (r"(?P<figure>\w+) = (?P<value>.+) is stated without a source", "{figure} = {value} 没有注明来源"),
    (r"(?P<source>\w+) is given but the figure is missing", "已给出 {source}，但缺少对应的数值"),
    (r"expected (?P<geometry>\w+)", "几何类型应为 {geometry}"),
    (r"less than (?P<share>\S+) inside the district \(no context flag\)",
     "位于福田区内的部分少于 {share}（未标记为背景要素）"),
    (r"duplicate id across layers (?P<layers>.+)", "编号在多个图层中重复：{layers}"),
    (r"counted_until must be after counted_from \((?P<start>.+)\)", "counted_until 必须晚于 counted_from（{start}）"),
    (r"unknown carrier layer; expected one of (?P<layers>.+)", "未知的载体图层；应为以下之一：{layers}"),
    (r"layer CRS is (?P<crs>.+), expected (?P<expected>.+)", "图层坐标系为 {crs}，应为 {expected}"),
    (r"wrong type: (?P<why_msg>.+)", "类型错误：{why_msg}"),
    (r"(?P<n>\d+) validation problem\(s\): (?P<rest>.*)", "{n} 个校验问题：{rest}"),
    # rejection reasons
    (r"duplicate id \(also on row (?P<row>\d+)\)", "编号重复（第 {row} 行也使用了该编号）"),
    (r"the file says its coordinates come from AMap \((?P<hint>.+)\), which uses GCJ-02, but the CRS given is "
     r"WGS-84: import with --crs gcj02",
     "文件表明其坐标来自高德地图（{hint}），高德地图使用 GCJ-02，但所选坐标系为 WGS-84：请选择 gcj02 导入"),
    # import notes
    (r"text encoding (?P<encoding>.+)", "文本编码：{encoding}"),
    (r"columns not imported \(no matching field\): (?P<columns>.+)", "未导入的列（没有对应字段）：{columns}"),
    (r"name_en was empty in (?P<n>\d+) row\(s\): filled with the pinyin of name_zh; replace it with the official "
     r"English name when known",
     "有 {n} 行的 name_en 为空：已用 name_zh 的拼音填充；知道官方英文名时请替换"),
    (r"(?P<n>\d+) accepted row\(s\) lie in Shenzhen outside Futian: they show when the scope is all of Shenzhen",
     "{n} 行可导入的数据位于深圳的福田区以外：范围选择“全深圳”时显示"),
    (r"read the first sheet, (?P<name>.+)", "读取了第一个工作表 {name}"),
    (r"(?P<n>\d+) other sheet\(s\) ignored", "忽略了其他 {n} 个工作表"),
    (r"read layer (?P<name>.+)", "读取了图层 {name}"),
    (r"(?P<n>\d+) other layer\(s\) ignored", "忽略了其他 {n} 个图层"),
    # errors the pages show
    (r"(?P<file>.+) is empty", "{file} 是空文件"),
    (r"(?P<file>.+): no rows", "{file}：没有数据行"),
    (r"(?P<file>.+): unsupported format; use (?P<formats>.+)", "{file}：不支持的格式；请使用 {formats}"),
    (r"(?P<file>.+): text is neither UTF-8 nor GBK/GB18030", "{file}：文本编码既不是 UTF-8，也不是 GBK/GB18030"),
    (r"(?P<file>.+): not a readable CSV table: (?P<error>.+)", "{file}：无法读取为 CSV 表格：{error}"),
    (r"(?P<file>.+): not a readable XLSX workbook: XML entity declarations are not allowed \(a possible entity "
     r"bomb\)", "{file}：无法读取为 XLSX 工作簿：不允许 XML 实体声明（可能是实体炸弹）"),
    (r"(?P<file>.+): not a readable XLSX workbook: (?P<error>.+)", "{file}：无法读取为 XLSX 工作簿：{error}"),
    (r"(?P<file>.+): the workbook has no sheet", "{file}：工作簿中没有工作表"),
    (r"(?P<file>.+): the file name is (?P<n>\d+) characters; the limit is (?P<limit>\d+)",
     "{file}：文件名长 {n} 个字符，上限为 {limit} 个字符"),
    (r"(?P<file>.+): cannot open the file: (?P<error>.+)", "{file}：无法打开文件：{error}"),
    (r"(?P<file>.+) is (?P<size>[\d.]+) MB; the limit is (?P<limit>\d+) MB", "{file} 大小为 {size} MB，上限为 {limit} MB"),
    (r"(?P<file>.+): (?P<n>[\d,]+) rows; the limit is (?P<limit>[\d,]+)", "{file}：共 {n} 行，上限为 {limit} 行"),
    (r"(?P<file>.+): no name column \(名称 / name_zh\) among (?P<columns>.+)",
     "{file}：在 {columns} 中没有名称列（名称 / name_zh）"),
    (r"unknown field (?P<field>'[^']*'): use one of (?P<fields>.+)", "未知字段 {field}：请使用 {fields} 之一"),
    (r"no carrier with id (?P<id>.+)", "没有编号为 {id} 的载体"),
    (r"goal must be a positive area in m² up to 1e9, got (?P<value>.+)", "目标必须是不超过 1e9 的正面积（㎡），收到 {value}"),
    (r"goal year must be between (?P<low>\d+) and (?P<high>\d+), got (?P<value>.+)",
     "目标年份必须在 {low} 与 {high} 之间，收到 {value}"),
    (r"the password needs at least (?P<n>\d+) characters", "密码至少需要 {n} 个字符"),
    (r"cannot read the editors file (?P<path>.+?): (?P<error>.+)", "无法读取编辑账号文件 {path}：{error}"),
    (r"area minimum (?P<low>\S+) m² is larger than the maximum (?P<high>\S+) m²", "最小面积 {low} ㎡ 大于最大面积 {high} ㎡"),
    (r"(?P<name>[a-z ]+) must be a non-negative number, got (?P<value>.+)", "{name} 必须是非负数，收到 {value}"),
    # a correction refused by the validators: field, message, value
    (r"(?P<field>[\w/]+): (?P<why_msg>.+) \(value: (?P<value>.*)\)", "{field}：{why_msg}（值：{value}）"),
]
"""(Regular expression matching a whole English message, Chinese template): named groups fill
the template; a group whose name starts with ``why_`` is itself a message and is translated."""

_COMPILED = [(re.compile(p, re.DOTALL), zh) for p, zh in PATTERNS]


def problem_text(message: str, lang: str) -> str:
    """``message`` (an English message of the importer or a validator) in ``lang``.

    Chinese when this module knows the message, else the message itself; English returns the
    message unchanged.

    Examples
    --------
    >>> problem_text("duplicate id (also on row 4)", "zh")
    '编号重复（第 4 行也使用了该编号）'
    >>> problem_text("duplicate id (also on row 4)", "en")
    'duplicate id (also on row 4)'
    """
    if lang != "zh" or not isinstance(message, str):
        return message
    if message in EXACT:
        return EXACT[message]
    for pattern, zh in _COMPILED:
        m = pattern.fullmatch(message)
        if m:
            values = {k: problem_text(v, lang) if k.startswith("why_") else v for k, v in m.groupdict().items()}
            return zh.format(**values)
    return message
