"""The message catalogue: complete in both languages, consistent, and the only source of the keys
the code asks for; the importer's English messages translated at the display edge."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import messages
from messages import CATALOGUE, LANGS, CatalogueError, Pair, both, check_catalogue, format_fields, pair, problem_text, t

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "messages"
CODE = [ROOT / "app.py", *[p for room in ("views", "layers", "spatial", "geodata", "commands")
                           for p in sorted((ROOT / room).rglob("*.py"))]]
KEY_CALL = re.compile(r"(?<![\w.])(?:t|both|pair)\(\s*(f?)(\"|')([^\"'\n]*)\2")
CJK = re.compile(r"[\u4e00-\u9fff]")


# ---- the catalogue ------------------------------------------------------------------------------

def test_catalogue__every_entry_in_every_language():
    assert LANGS == ("zh", "en")
    for key, texts in CATALOGUE.items():
        assert len(texts) == len(LANGS) and all(isinstance(s, str) and s.strip() for s in texts), key


def test_catalogue__format_fields_the_same_in_both_languages():
    differ = {key: [sorted(format_fields(s)) for s in texts] for key, texts in CATALOGUE.items()
              if len({frozenset(format_fields(s)) for s in texts}) > 1}
    assert differ == {}


def test_catalogue__english_texts_hold_no_chinese():
    chinese = {key: texts[1] for key, texts in CATALOGUE.items() if CJK.search(texts[1])}
    assert chinese == {}


def test_check_catalogue__a_key_in_two_sections_fails():
    with pytest.raises(CatalogueError, match="'title' is defined in both a and b"):
        check_catalogue({"a": {"title": ("标题", "Title")}, "b": {"title": ("题目", "Heading")}})


@pytest.mark.parametrize("texts", [("标题",), ("标题", ""), ("标题", None), "Title"])
def test_check_catalogue__an_entry_missing_a_language_fails(texts):
    with pytest.raises(CatalogueError, match="needs one non-empty text"):
        check_catalogue({"a": {"title": texts}})


def test_check_catalogue__different_fields_fail():
    with pytest.raises(CatalogueError, match="different format fields"):
        check_catalogue({"a": {"count": ("{n} 个", "{count} items")}})


def test_catalogue_modules__no_key_written_twice_in_one_section():
    """A dict literal silently keeps the last of two equal keys: catch it in the source."""
    twice = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
                twice += [f"{path.name}: {k!r}" for k in set(keys) if keys.count(k) > 1]
    assert twice == []


def test_catalogue_modules__import_nothing_of_the_project():
    imported = set()
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "re", "string", "typing", "messages"}


def test_keys_used_in_code__exist_in_the_catalogue():
    missing = []
    for path in CODE:
        for m in KEY_CALL.finditer(path.read_text("utf-8")):
            is_f, _, key = m.groups()
            if is_f and "{" in key:  # t(f"scope_{s}", …): some key must start with the fixed part
                prefix = key.split("{")[0]
                ok = any(k.startswith(prefix) for k in CATALOGUE)
            else:
                ok = key in CATALOGUE
            if not ok:
                missing.append(f"{path.relative_to(ROOT)}: {key!r}")
    assert missing == []


def test_old_text_modules__hold_no_catalogue():
    assert not (ROOT / "spatial" / "match_text.py").exists()
    shim = ROOT / "views" / "text.py"
    if shim.exists():
        tree = ast.parse(shim.read_text("utf-8"))
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.Dict))]


# ---- the lookup ----------------------------------------------------------------------------------

def test_t__formats_in_the_language_asked_for():
    assert t("status_problems", "zh", n=3) == "3 个问题"
    assert t("status_problems", "en", n=3) == "3 problem(s)"


def test_t__pair_values_follow_the_language():
    industry = Pair("生物医药", "biomedicine")
    assert t("ex_industry", "zh", industry=industry) == "没有生物医药或相关产业"
    assert t("ex_industry", "en", industry=industry) == "no biomedicine or related sector"
    assert both("ex_area", need="800") == {"zh": "可租面积 < 所需 800 ㎡", "en": "available area < 800 m² needed"}


def test_t__unknown_language_or_key_fails_loudly():
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        t("page_map", "fr")
    with pytest.raises(KeyError):
        t("no_such_message", "en")


def test_pick_and_columns__choose_by_language():
    assert messages.pick("地图", "Map", "en") == "Map"
    assert messages.name_column("zh") == "name_zh"
    assert messages.lang_column("measure", "en") == "measure_en"
    assert pair("page_map") == ("地图", "Map") and pair("page_map").get("en") == "Map"


# ---- messages of the importer and the validators --------------------------------------------------

@pytest.mark.parametrize(("message", "zh"), [
    ("required value is missing", "必填值为空"),
    ("duplicate id (also on row 4)", "编号重复（第 4 行也使用了该编号）"),
    ("wrong type: not a finite number", "类型错误：不是有限的数字"),
    ("floor_area_m2: must not be negative (value: -5.0)", "floor_area_m2：不能为负数（值：-5.0）"),
    ("say who makes the change (--by or the login)", "请说明操作人（登录账户）"),
    ("a name may not contain control, bidi or markup characters: U+003C", "名称不能包含控制字符、双向文本控制字符或标记字符：U+003C"),
    ("unknown industries code; known: ict, ic", "未知的 industries 代码；可用：ict, ic"),
])
def test_problem_text__known_messages_in_chinese(message, zh):
    assert problem_text(message, "zh") == zh
    assert problem_text(message, "en") == message


def test_problem_text__unknown_message_shown_as_it_is():
    assert problem_text("something nobody foresaw", "zh") == "something nobody foresaw"


@pytest.mark.gpkg_only
def test_problem_text__importer_reasons_and_notes_translated(frames, tmp_path):
    from geodata.ingest.importer import plan_import

    path = tmp_path / "parks.csv"
    path.write_text("name_zh,name_en,lon,lat,floor_area_m2,colour\n"
                    "甲园,Park A,114.0560,22.5405,1200,red\n"
                    "乙园,Park B,22.5405,114.0560,,blue\n"  # swapped
                    "丙园,Park C,114.0560,22.5405,abc,green\n"  # not a number
                    "丁园,Park D,200,22.5,,green\n"  # out of range
                    "戊园,Park E,113.50,22.20,,green\n", "utf-8")  # outside Shenzhen
    plan = plan_import(path, "science_parks", frames)
    texts = [r.reason for r in plan.rejected] + plan.notes
    assert len(plan.rejected) == 4 and plan.notes
    untranslated = [m for m in texts if not CJK.search(problem_text(m, "zh"))]
    assert untranslated == []


@pytest.mark.gpkg_only
def test_problem_text__validation_messages_translated(frames):
    from geodata.ingest.validate import validate_frames

    broken = {k: f.copy() for k, f in frames.items()}
    parks = broken["science_parks"]
    parks.loc[0, "floor_area_m2"] = -5.0
    parks.loc[1, "industries"] = "not_an_industry"
    parks.loc[2, "parent_id"] = "no-such-carrier"
    parks.loc[3, "id"] = parks.loc[4, "id"]
    parks.loc[5, "land_area_source"] = "a citation without a figure"
    parks.loc[6, "land_area_m2"], parks.loc[6, "land_area_source"] = 1000.0, None
    problems = validate_frames(broken)
    assert len(problems) >= 6
    untranslated = sorted({p.message for p in problems if not CJK.search(problem_text(p.message, "zh"))})
    assert untranslated == []


# ---- the chart's figures ---------------------------------------------------------------------------

def test_value_label__wan_in_chinese_thousands_in_english():
    from layers.charts import value_label

    assert value_label(760_000, "zh") == "76.0 万"
    assert value_label(760_000, "en") == "760k"
