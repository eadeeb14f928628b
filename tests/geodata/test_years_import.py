"""Planning an enterprise-years import without a store: units of money in the headers, numbers as
written, names and addresses, columns, ids, and re-imports that keep the figures a file leaves out."""
from __future__ import annotations

from datetime import date

import openpyxl
import pandas as pd
import pytest

from geodata.ingest.schema import coerce_frame
from geodata.ingest.years_import import FORMULA, money_factor, plan_years_import
from layers.catalogue import get_layer
from spatial.credit_code import make_credit_code
from spatial.errors import SpaceMapError

TODAY = date(2026, 3, 1)
CODES = [make_credit_code(f"9144030{n:010d}") for n in range(1, 8)]
YEAR_FIELDS = get_layer("enterprise_years").field_names


def _enterprises(*rows: dict) -> pd.DataFrame:
    spec = get_layer("enterprises")
    rows = [{"created_at": "2025-01-01T00:00:00+00:00", "source": "test", "synthetic": False, **r} for r in rows]
    typed, problems = coerce_frame(pd.DataFrame(rows, columns=spec.field_names), spec)
    assert not problems
    return typed.assign(row_version=[1] * len(typed))


def _years(*rows: dict) -> pd.DataFrame:
    spec = get_layer("enterprise_years")
    rows = [{"source": "import of first.csv", "imported_at": "2025-06-01T00:00:00+00:00", "synthetic": False, **r}
            for r in rows]
    typed, problems = coerce_frame(pd.DataFrame(rows, columns=spec.field_names), spec)
    assert not problems
    return typed


def _plan(tmp_path, header: str, *rows: str, enterprises=(), years=None, **kwargs):
    path = tmp_path / "years.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    frames = {"enterprises": _enterprises(*enterprises),
              "enterprise_years": _years() if years is None else years}
    return plan_years_import(path, frames, today=TODAY, **kwargs)


def _reasons(plan) -> dict:
    return {(r.row, r.field): (r.value, r.reason) for r in plan.rejected}


# 1. units of money -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("header, factor", [
    ("营业收入（亿元）", 1e8), ("营业收入（千万元）", 1e7), ("纳税（百万元）", 1e6), ("营业收入（十万元）", 1e5),
    ("营业收入（万元）", 1e4), ("研发投入（千元）", 1e3), ("营业收入（元）", 1.0), ("营业收入元", 1.0),
    (" 研发投入 (单位：万元)", 1e4), ("营业收入（人民币万元）", 1e4), ("营业收入（万元人民币）", 1e4),
    ("revenue (10k yuan)", 1e4), ("tax (RMB 10,000)", 1e4), ("tax (RMB10,000)", 1e4), ("revenue (ten thousand yuan)", 1e4),
    ("revenue (100m CNY)", 1e8), ("revenue (100 million yuan)", 1e8), ("revenue (hundred million)", 1e8),
    ("revenue (CNY million)", 1e6), ("revenue (RMB mn)", 1e6), ("rd (thousand)", 1e3), ("rd (k CNY)", 1e3),
    ("rd (CNY '000)", 1e3), ("revenue_cny", 1.0), ("revenue (yuan)", 1.0), ("tax (RMB)", 1.0),
    ("营业收入", None), ("revenue", None), ("column", None),
])
def test_money_factor__chinese_and_english_multipliers(header, factor):
    assert money_factor(header) == factor


@pytest.mark.parametrize("header", ["营业收入（万元）（元）", "营业收入(亿元, 元)", "revenue (10k yuan) (元)",
                                    "revenue (million) (千元)"])
def test_money_factor__units_that_disagree_are_refused(header):
    with pytest.raises(SpaceMapError, match="ambiguous"):
        money_factor(header)


@pytest.mark.parametrize("header", ["营业收入（万美元）", "rd (thousand USD)", "营业收入（港元）", "营业收入（港币万元）",
                                    "revenue (HKD)", "营业收入（欧元）", "revenue (EUR 10k)", "tax ($)", "营业收入（日元）"])
def test_money_factor__currencies_other_than_cny_are_refused(header):
    with pytest.raises(SpaceMapError, match="only CNY"):
        money_factor(header)


def test_plan__qianwan_and_english_units_read_in_cny(tmp_path):
    plan = _plan(tmp_path, "credit code,name,year,revenue (10k yuan),\"tax (RMB 10,000)\",rd (CNY million)",
                 f"{CODES[0]},A,2024,1,2,3")
    row = plan.accepted.iloc[0]
    assert (row["revenue_cny"], row["tax_cny"], row["rd_cny"]) == (1e4, 2e4, 3e6)
    plan = _plan(tmp_path, "统一社会信用代码,企业名称,年度,营业收入（千万元）", f"{CODES[0]},A,2024,1")
    assert plan.accepted.iloc[0]["revenue_cny"] == 1e7


def test_plan__foreign_currency_or_two_units_refuse_the_file(tmp_path):
    with pytest.raises(SpaceMapError, match="USD"):
        _plan(tmp_path, "credit code,name,year,rd (thousand USD)", f"{CODES[0]},A,2024,1")
    with pytest.raises(SpaceMapError, match="美元"):
        _plan(tmp_path, "统一社会信用代码,企业名称,年度,营业收入（万美元）", f"{CODES[0]},A,2024,1")
    with pytest.raises(SpaceMapError, match="ambiguous"):
        _plan(tmp_path, "统一社会信用代码,企业名称,年度,营业收入（万元）（元）", f"{CODES[0]},A,2024,1")


# 2. re-imports keep what the file does not carry ----------------------------------------------------------

STORED = {"id": f"ent-{CODES[0]}-2024", "enterprise_id": f"ent-{CODES[0]}", "year": 2024, "revenue_cny": 1e6,
          "tax_cny": 1e5, "rd_cny": 5e4, "employees": 20, "patents": 3}
KNOWN = {"id": f"ent-{CODES[0]}", "name": "甲公司", "credit_code": CODES[0], "address": "福田保税区槟榔道3号"}


def test_reimport__columns_the_file_lacks_keep_their_stored_values(tmp_path):
    plan = _plan(tmp_path, "统一社会信用代码,企业名称,年度,营业收入（元）", f"{CODES[0]},甲公司,2024,1000001",
                 enterprises=[KNOWN], years=_years(STORED))
    row = plan.accepted.iloc[0]
    assert row["revenue_cny"] == 1000001 and row["tax_cny"] == 1e5 and row["rd_cny"] == 5e4
    assert row["employees"] == 20 and row["patents"] == 3
    assert plan.updated == {STORED["id"]: [{"field": "revenue_cny", "old": 1e6, "new": 1000001.0}]}
    assert plan.added == [] and plan.unchanged == []


def test_reimport__blank_cell_keeps_the_stored_value_unless_blank_clears(tmp_path):
    header, row = "统一社会信用代码,企业名称,年度,营业收入（元）,纳税总额（元）,从业人员", f"{CODES[0]},甲公司,2024,1000000,,-"
    plan = _plan(tmp_path, header, row, enterprises=[KNOWN], years=_years(STORED))
    assert plan.unchanged == [STORED["id"]] and plan.updated == {}
    assert plan.accepted.iloc[0]["tax_cny"] == 1e5 and plan.accepted.iloc[0]["employees"] == 20
    assert plan.accepted.iloc[0]["source"] == "import of first.csv"  # nothing changed: the row keeps its source
    plan = _plan(tmp_path, header, row, enterprises=[KNOWN], years=_years(STORED), blank_clears=True)
    assert plan.updated == {STORED["id"]: [{"field": "tax_cny", "old": 1e5, "new": None},
                                           {"field": "employees", "old": 20, "new": None}]}
    assert pd.isna(plan.accepted.iloc[0]["tax_cny"]) and plan.accepted.iloc[0]["rd_cny"] == 5e4


def test_reimport__stored_years_read_through_a_callable_for_the_planned_ids(tmp_path):
    asked = []

    def stored(ids):
        asked.append(sorted(ids))
        return _years(STORED)

    plan = _plan(tmp_path, "统一社会信用代码,企业名称,年度,营业收入（元）",
                 f"{CODES[0]},甲公司,2024,1000000", f"{CODES[0]},甲公司,2023,5", enterprises=[KNOWN], years=stored)
    assert asked == [[f"ent-{CODES[0]}-2023", STORED["id"]]]
    assert plan.unchanged == [STORED["id"]] and plan.added == [f"ent-{CODES[0]}-2023"]


# 3. numbers --------------------------------------------------------------------------------------------------

def test_numbers__plain_with_comma_groups_and_full_width_accepted_others_rejected_per_row(tmp_path):
    header = "统一社会信用代码,企业名称,年度,营业收入(亿元),纳税总额(元),从业人员"
    good = [f'{CODES[0]},A,2024,"1,234.5",-5,1', f"{CODES[1]},B,２０２４,１２３,1,１２", f"{CODES[2]},C,2024,-,—,"]
    bad = ['"1.234,5"', "0x10", "(100)", "¥100", "1 234", "NaN", '"1,23"', "12e"]
    rows = good + [f"{CODES[3]},D{n},{2000 + n},{v},1,1" for n, v in enumerate(bad)]
    plan = _plan(tmp_path, header, *rows)
    got = plan.accepted.set_index("enterprise_id")
    assert got.at[f"ent-{CODES[0]}", "revenue_cny"] == pytest.approx(1234.5e8)
    assert got.at[f"ent-{CODES[0]}", "tax_cny"] == -5
    assert got.at[f"ent-{CODES[1]}", "revenue_cny"] == pytest.approx(123e8)
    assert got.at[f"ent-{CODES[1]}", "year"] == 2024 and got.at[f"ent-{CODES[1]}", "employees"] == 12
    assert pd.isna(got.at[f"ent-{CODES[2]}", "revenue_cny"])
    reasons = _reasons(plan)
    assert {reasons[(5 + n, "revenue_cny")] for n in range(len(bad))} == {(v.strip('"'), "not a number") for v in bad}
    assert len(plan.rejected) == len(bad)


def test_numbers__overflowing_or_infinite_figures_rejected_per_row(tmp_path):
    plan = _plan(tmp_path, "统一社会信用代码,企业名称,年度,营业收入(亿元),从业人员",
                 f"{CODES[0]},A,2024,1e308,1", f"{CODES[1]},B,2024,inf,1", f"{CODES[2]},C,2024,1,1e30",
                 f"{CODES[3]},D,2024,1.5,1e3")
    assert _reasons(plan) == {(2, "revenue_cny"): ("1e308", "not a finite number"),
                              (3, "revenue_cny"): ("inf", "not a finite number"),
                              (4, "employees"): ("1e30", "too large to be a count")}
    assert plan.accepted["employees"].tolist() == [1000]


# 4. names and addresses ----------------------------------------------------------------------------------------

def test_text__control_bidi_nul_and_long_text_rejected_per_row(tmp_path):
    header = "统一社会信用代码,企业名称,注册地址,年度,营业收入(元)"
    rows = [f"{CODES[0]},evil\u202egnp.exe,福田区,2024,1", f"{CODES[1]},tab\abell,福田区,2024,1",
            f"{CODES[2]},C,a\x00b,2024,1", f"{CODES[3]},{'X' * 201},福田区,2024,1",
            f"{CODES[4]},E,{'Y' * 501},2024,1", f"{CODES[5]},\u2066F\u2069,福田区,2024,1",
            f"{CODES[6]},{'Z' * 200},{'W' * 500},2024,1"]
    plan = _plan(tmp_path, header, *rows)
    reasons = _reasons(plan)
    assert set(reasons) == {(2, "name"), (3, "name"), (4, "address"), (5, "name"), (6, "address"), (7, "name")}
    assert "bidi" in reasons[(2, "name")][1] and "control" in reasons[(3, "name")][1]
    assert "NUL" in reasons[(4, "address")][1]
    assert "200" in reasons[(5, "name")][1] and "500" in reasons[(6, "address")][1]
    assert plan.accepted["enterprise_id"].tolist() == [f"ent-{CODES[6]}"]


# 5. columns --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("header, names", [
    ("统一社会信用代码,企业名称,年度,年度,营业收入(元)", ("年度", "年度")),
    ("统一社会信用代码,企业名称,年度,营业收入(亿元),主营业务收入(元)", ("营业收入(亿元)", "主营业务收入(元)")),
    ("统一社会信用代码,企业名称,年度,revenue_cny,营业收入(万元)", ("revenue_cny", "营业收入(万元)")),
    ("统一社会信用代码,企业名称,年度,营业收入(元),营业收入(元)", ("营业收入(元)", "营业收入(元)")),
])
def test_columns__two_headers_for_one_field_refuse_the_file(tmp_path, header, names):
    with pytest.raises(SpaceMapError, match="both mean") as info:
        _plan(tmp_path, header, f"{CODES[0]},A,2024,1,2")
    assert all(f"'{n}'" in str(info.value) for n in names)


def test_columns__unit_words_anywhere_and_unknown_money_columns(tmp_path):
    plan = _plan(tmp_path, "统一社会信用代码,企业名称,年度,营业收入元,税收 万元", f"{CODES[0]},A,2024,7,5")
    assert plan.accepted.iloc[0][["revenue_cny", "tax_cny"]].tolist() == [7.0, 5e4]
    with pytest.raises(SpaceMapError, match="a money column no field takes") as info:
        _plan(tmp_path, "统一社会信用代码,企业名称,年度,营业收入(元),补贴（万元）", f"{CODES[0]},A,2024,7,5")
    assert "补贴（万元）" in str(info.value)
    plan = _plan(tmp_path, "统一社会信用代码,企业名称,年度,营业收入(元),所在单元", f"{CODES[0]},A,2024,7,A-101")
    assert len(plan.accepted) == 1 and any("所在单元" in n for n in plan.notes)


# 6. ids ------------------------------------------------------------------------------------------------------

def test_ids__a_new_code_whose_id_another_enterprise_holds_is_rejected(tmp_path):
    victim = {"id": f"ent-{CODES[4]}", "name": "受害企业", "credit_code": CODES[3]}
    plan = _plan(tmp_path, "统一社会信用代码,企业名称,年度,纳税总额(元)", f"{CODES[4]},攻击者,2024,12345",
                 enterprises=[victim])
    assert len(plan.accepted) == 0
    assert _reasons(plan) == {(2, "credit_code"): (CODES[4], f"the id ent-{CODES[4]} belongs to enterprise with "
                                                             f"code {CODES[3]}")}


# 7. formulas -------------------------------------------------------------------------------------------------

def test_formulas__formula_text_in_a_figure_is_rejected_per_row(tmp_path):
    plan = _plan(tmp_path, "统一社会信用代码,企业名称,年度,营业收入(万元)", f"{CODES[0]},A,2024,=10*10",
                 f"{CODES[1]},B,2024,5")
    assert _reasons(plan) == {(2, "revenue_cny"): ("=10*10", FORMULA)}


def test_formulas__xlsx_formula_without_cached_value_is_rejected(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["统一社会信用代码", "企业名称", "年度", "营业收入(万元)"])
    book.active.append([CODES[0], "A", 2024, "=10*10"])
    path = tmp_path / "years.xlsx"
    book.save(path)
    plan = plan_years_import(path, {"enterprises": _enterprises(), "enterprise_years": _years()}, today=TODAY)
    assert [(r.field, r.reason) for r in plan.rejected] == [("revenue_cny", FORMULA)]


# 8. names of stored enterprises --------------------------------------------------------------------------------

def test_names__a_stored_enterprise_named_differently_keeps_its_name_with_a_note(tmp_path):
    plan = _plan(tmp_path, "统一社会信用代码,企业名称,年度,营业收入（元）", f"{CODES[0]},甲公司改名,2024,5",
                 f"{CODES[0]},甲公司,2023,5", f"{CODES[1]},乙公司,2024,5", enterprises=[KNOWN])
    assert "1 rows name a stored enterprise differently; the registry keeps its name" in plan.notes
    created = plan.also["enterprises"].set_index("id")
    assert f"ent-{CODES[0]}" not in created.index and created.at[f"ent-{CODES[1]}", "name"] == "乙公司"
