"""The economy through the CLI, on both backends: ``import --layer enterprise_years`` (units of money in
the headers, per-row rejections, enterprises created or refused under --strict, audit and undo),
``placements`` (review, confirm), and ``indicators`` (staff vs --public, exports)."""
from __future__ import annotations

import json

import openpyxl
import pytest

from spatial.credit_code import make_credit_code
from tests.geodata.test_units import TODAY, add_people
from tests.helpers import fingerprint, run_cli

QUANTUM = "sp-quantum"  # 福田保税区槟榔道6号 in the bundled store
CODES = [make_credit_code(f"9144030{n:010d}") for n in range(1, 8)]
HEADER = "统一社会信用代码,企业名称,注册地址,年度,营业收入（万元）,纳税总额(万元),研发投入（万元）,从业人员,有效专利"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("SPACEMAP_TODAY", TODAY)


run = run_cli


def _csv(tmp_path, *rows, header=HEADER, name="years.csv"):
    path = tmp_path / name
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _rows(year=2025):
    """Four enterprises in the quantum institute's building (addresses written four ways) and one elsewhere."""
    addresses = ["深圳市福田区福田保税区槟榔道６号", "福田保税区槟榔道6号3层301室", "广东省深圳市福田区槟榔道6号",
                 "福田区深圳国际量子研究院5楼", "深圳市南山区科技园南区1号"]
    return [f"{CODES[i]},测试企业{i}有限公司,{a},{year},{100 * (i + 1)},{10 * (i + 1)},{5 * (i + 1)},{20 + i},{i}"
            for i, a in enumerate(addresses)]


@pytest.fixture
def people(store_copy):
    add_people(store_copy)
    return store_copy


def test_import_years__money_in_wan_converted_enterprises_created_placed_then_undone(people, tmp_path, capsys):
    path = _csv(tmp_path, *_rows())
    before = fingerprint(people)
    code, data, _ = run(capsys, "import", path, "--layer", "enterprise_years", "--dry-run", "--json")
    assert code == 0 and data["committed"] is False and fingerprint(people) == before
    assert data["accepted"] == 5 and len(data["enterprises_created"]) == 5
    assert data["placements"]["placed"] >= 3 and data["placements"]["unplaced"] >= 1
    code, data, err = run(capsys, "import", path, "--layer", "enterprise_years", "--json")
    assert code != 0 and "--by" in err  # a write needs an account
    code, data, _ = run(capsys, "import", path, "--layer", "enterprise_years", "--by", "ed", "--json")
    assert code == 0 and data["committed"] is True
    code, data, _ = run(capsys, "indicators", "--by", "carrier", "--json")
    quantum = next(r for r in data["rows"] if r["unit"] == QUANTUM)
    assert quantum["enterprises"] >= 3
    assert data["total"]["revenue_cny"] == pytest.approx((100 + 200 + 300 + 400 + 500) * 1e4)
    assert data["total"]["tax_cny"] == pytest.approx(150 * 1e4)
    code, data, _ = run(capsys, "undo", "--by", "ed", "--json")
    assert code == 0 and data["layer"] == "enterprise_years"
    code, data, _ = run(capsys, "indicators", "--by", "carrier", "--json")
    assert data["rows"] == [] and data["years"] is None
    assert fingerprint(people) != before  # the audit log remembers the import and its undo


def test_import_years__bad_rows_rejected_with_row_field_value_reason(people, tmp_path, capsys):
    bad_code = CODES[0][:-1] + ("0" if CODES[0][-1] != "0" else "1")
    path = _csv(tmp_path, _rows()[0], f"{bad_code},坏代码公司,福田区,2025,1,1,1,1,1",
                f"{CODES[1]},未来公司,福田区,2099,1,1,1,1,1", f"{CODES[2]},负收入公司,福田区,2025,-5,1,1,1,1",
                f"{CODES[3]},文字公司,福田区,2025,很多,1,1,1,1", _rows()[0].replace("测试企业0", "重复"))
    code, data, _ = run(capsys, "import", path, "--layer", "enterprise_years", "--dry-run", "--json")
    assert code == 1 and data["accepted"] == 1
    got = {(r["row"], r["field"]) for r in data["rejected"]}
    assert got == {(3, "credit_code"), (4, "year"), (5, "revenue_cny"), (6, "revenue_cny"), (7, "year")}
    reasons = {r["row"]: r for r in data["rejected"]}
    assert reasons[6]["value"] == "很多" and reasons[6]["reason"] == "not a number"
    assert "also on row 2" in reasons[7]["reason"]


def test_import_years__header_without_money_unit_is_refused(people, tmp_path, capsys):
    path = _csv(tmp_path, _rows()[0], header=HEADER.replace("营业收入（万元）", "营业收入"))
    code, _, err = run(capsys, "import", path, "--layer", "enterprise_years", "--dry-run", "--json")
    assert code == 2 and "营业收入" in err and "万元" in err


def test_import_years__yi_yuan_header_and_xlsx(people, tmp_path, capsys):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["信用代码", "企业名称", "年份", "营业收入(亿元)", "税收（亿元）"])
    sheet.append([CODES[0], "亿元公司", 2025, 1.5, 0.25])
    path = tmp_path / "years.xlsx"
    book.save(path)
    code, data, _ = run(capsys, "import", path, "--layer", "enterprise_years", "--by", "ed", "--json")
    assert code == 0 and data["committed"] is True
    code, data, _ = run(capsys, "indicators", "--by", "district", "--json")
    assert data["total"]["revenue_cny"] == pytest.approx(1.5e8) and data["total"]["tax_cny"] == pytest.approx(2.5e7)
    assert data["total"]["employees"] is None  # not in the file: unknown, not 0


def test_import_years__strict_refuses_codes_not_in_the_registry(people, tmp_path, capsys):
    path = _csv(tmp_path, *_rows()[:2])
    code, data, _ = run(capsys, "import", path, "--layer", "enterprise_years", "--strict", "--by", "ed", "--json")
    assert code == 1 and data["committed"] is False
    assert {r["field"] for r in data["rejected"]} == {"credit_code"}
    assert "not in the enterprise registry" in data["rejected"][0]["reason"]


def test_indicators__public_suppresses_small_cells_staff_see_all(people, tmp_path, capsys):
    run(capsys, "import", _csv(tmp_path, *_rows()), "--layer", "enterprise_years", "--by", "ed", "--json")
    code, staff, _ = run(capsys, "indicators", "--by", "carrier", "--json")
    code, public, _ = run(capsys, "indicators", "--by", "carrier", "--public", "--json")
    assert code == 0 and public["public"] is True and staff["public"] is False
    small = [r for r in public["rows"] if r["suppressed"]]
    assert small and all(r["tax_cny"] is None for r in small)
    assert all(r["suppressed"] == [] for r in staff["rows"])
    by_unit = {r["unit"]: r for r in public["rows"]}
    for r in staff["rows"]:
        if 0 < (r["enterprises"] or 0) < 3:
            assert by_unit[r["unit"]]["enterprises"] is None
    text = json.dumps(public, ensure_ascii=False)
    assert "测试企业" not in text and CODES[0] not in text


def test_indicators__export_xlsx_has_units_in_headers_and_sources(people, tmp_path, capsys):
    run(capsys, "import", _csv(tmp_path, *_rows()), "--layer", "enterprise_years", "--by", "ed", "--json")
    out = tmp_path / "ind.xlsx"
    code, _, _ = run(capsys, "indicators", "--by", "subdistrict", "--out", out, "--lang", "en", "--json")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["indicators", "sources"]
    headers = [c.value for c in book["indicators"][1]]
    assert "Revenue (10k CNY)" in headers and "Tax per m² (CNY/m²)" in headers
    col = headers.index("Revenue (10k CNY)")
    total = [row for row in book["indicators"].iter_rows(values_only=True)][-1]
    assert total[col] == pytest.approx(1500)


def test_placements__review_then_confirm_is_audited_and_kept(people, tmp_path, capsys):
    run(capsys, "import", _csv(tmp_path, *_rows()), "--layer", "enterprise_years", "--by", "ed", "--json")
    code, data, _ = run(capsys, "placements", "--json")
    assert code == 0 and data["count"] == 5
    target = next(p for p in data["placements"] if p["status"] == "unplaced")
    code, data, _ = run(capsys, "placements", "confirm", target["id"], QUANTUM, "--by", "ed", "--json")
    assert code == 0 and data["carrier_id"] == QUANTUM
    code, data, _ = run(capsys, "placements", "run", "--by", "ed", "--json")
    assert code == 0 and data["confirmed"] == 1
    code, data, _ = run(capsys, "placements", "--json")
    mine = next(p for p in data["placements"] if p["id"] == target["id"])
    assert (mine["status"], mine["carrier_id"]) == ("confirmed", QUANTUM)
    code, _, err = run(capsys, "placements", "confirm", target["id"], QUANTUM, "--by", "st", "--json")
    assert code == 2 and "staff" in err


def _stored_years(location) -> dict:
    from geodata.storage import open_store

    rows = open_store(location).read_layer("enterprise_years")
    return {r["id"]: r for r in rows.to_dict("records")}


def test_import_years__reimport_of_some_columns_keeps_the_other_figures(people, tmp_path, capsys):
    """A second file with only revenue changes revenue; tax, R&D, employees and patents stay; a blank
    cell keeps its figure unless --blank-clears; the stored name stays, with a note."""
    run(capsys, "import", _csv(tmp_path, *_rows()[:2]), "--layer", "enterprise_years", "--by", "ed", "--json")
    path = _csv(tmp_path, f"{CODES[0]},改了名的公司,2025,100.0001", f"{CODES[1]},测试企业1有限公司,2025,200",
                header="统一社会信用代码,企业名称,年度,营业收入（万元）", name="change.csv")
    code, data, _ = run(capsys, "import", path, "--layer", "enterprise_years", "--dry-run", "--json")
    first = f"ent-{CODES[0]}-2025"
    assert code == 0 and data["updated"] == {first: [{"field": "revenue_cny", "old": 1e6, "new": 1000001.0}]}
    assert data["unchanged"] == [f"ent-{CODES[1]}-2025"] and data["added"] == []
    assert "1 rows name a stored enterprise differently; the registry keeps its name" in data["notes"]
    code, data, _ = run(capsys, "import", path, "--layer", "enterprise_years", "--by", "ed", "--json")
    assert code == 0 and data["committed"] is True
    row = _stored_years(people)[first]
    assert (row["revenue_cny"], row["tax_cny"], row["rd_cny"], row["employees"], row["patents"]) == \
        (1000001.0, 1e5, 5e4, 20, 0)
    from geodata.storage import open_store

    names = open_store(people).read_layer("enterprises").set_index("id")["name"]
    assert names[f"ent-{CODES[0]}"] == "测试企业0有限公司"


def test_import_years__blank_cells_keep_stored_figures_unless_blank_clears(people, tmp_path, capsys):
    from geodata.stewardship.economy import plan_economy_import

    run(capsys, "import", _csv(tmp_path, _rows()[0]), "--layer", "enterprise_years", "--by", "ed", "--json")
    path = _csv(tmp_path, f"{CODES[0]},测试企业0有限公司,2025,100,,-", name="blank.csv",
                header="统一社会信用代码,企业名称,年度,营业收入（万元）,纳税总额(万元),从业人员")
    first = f"ent-{CODES[0]}-2025"
    plan = plan_economy_import(path, by=None, location=people, dry_run=True)
    assert plan.unchanged == [first] and plan.updated == {}
    plan = plan_economy_import(path, by=None, location=people, dry_run=True, blank_clears=True)
    assert plan.updated == {first: [{"field": "tax_cny", "old": 1e5, "new": None},
                                    {"field": "employees", "old": 20, "new": None}]}


@pytest.mark.parametrize("header, message", [
    ("统一社会信用代码,企业名称,年度,营业收入（万美元）", "only CNY"),
    ("credit code,name,year,rd (thousand USD)", "USD"),
    ("统一社会信用代码,企业名称,年度,营业收入（万元）（元）", "ambiguous"),
    ("统一社会信用代码,企业名称,年度,年度,营业收入(元)", "both mean year"),
    ("统一社会信用代码,企业名称,年度,营业收入(亿元),主营业务收入(元)", "主营业务收入(元)"),
    ("统一社会信用代码,企业名称,年度,revenue_cny,营业收入(万元)", "revenue_cny"),
    ("统一社会信用代码,企业名称,年度,营业收入(元),补贴（万元）", "a money column no field takes"),
])
def test_import_years__headers_that_could_misread_money_refuse_the_file(people, tmp_path, capsys, header, message):
    path = _csv(tmp_path, f"{CODES[0]},甲,2024,1,2", header=header)
    code, _, err = run(capsys, "import", path, "--layer", "enterprise_years", "--dry-run", "--json")
    assert code == 2 and message in err


def test_import_years__qianwan_and_english_units(people, tmp_path, capsys):
    path = _csv(tmp_path, f"{CODES[0]},甲,2024,1,2", header='统一社会信用代码,企业名称,年度,营业收入（千万元）,"tax (RMB 10,000)"')
    code, data, _ = run(capsys, "import", path, "--layer", "enterprise_years", "--by", "ed", "--json")
    assert code == 0 and data["committed"] is True
    row = _stored_years(people)[f"ent-{CODES[0]}-2024"]
    assert (row["revenue_cny"], row["tax_cny"]) == (1e7, 2e4)


def test_import_years__bad_numbers_and_text_are_rejected_rows_and_the_rest_commits(people, tmp_path, capsys):
    header = "统一社会信用代码,企业名称,注册地址,年度,营业收入(亿元)"
    path = _csv(tmp_path, f'{CODES[0]},甲,福田区,2024,"1.234,5"', f"{CODES[1]},乙,福田区,2024,1e308",
                f"{CODES[2]},丙,福田区,2024,inf", f"{CODES[3]},evil\u202egnp.exe,福田区,2024,1",
                f"{CODES[4]},戊,a\x00b,2024,1", f"{CODES[5]},{'X' * 201},福田区,2024,1",
                f"{CODES[6]},己,福田区,２０２４,１２３", header=header)
    code, data, _ = run(capsys, "import", path, "--layer", "enterprise_years", "--by", "ed", "--json")
    assert code == 1 and data["committed"] is True and data["accepted"] == 1
    reasons = {(r["row"], r["field"]): r["reason"] for r in data["rejected"]}
    assert reasons[(2, "revenue_cny")] == "not a number" and reasons[(3, "revenue_cny")] == "not a finite number"
    assert reasons[(4, "revenue_cny")] == "not a finite number" and "bidi" in reasons[(5, "name")]
    assert "NUL" in reasons[(6, "address")] and "200" in reasons[(7, "name")]
    assert _stored_years(people)[f"ent-{CODES[6]}-2024"]["revenue_cny"] == pytest.approx(123e8)


def test_import_years__new_code_whose_id_another_enterprise_holds_is_rejected(people, tmp_path, capsys):
    victim = _csv(tmp_path, f"ent-{CODES[4]},受害企业,{CODES[3]}", header="企业编号,企业名称,统一社会信用代码",
                  name="ents.csv")
    code, data, _ = run(capsys, "import", victim, "--layer", "enterprises", "--by", "ed", "--json")
    assert code == 0 and data["committed"] is True
    path = _csv(tmp_path, f"{CODES[4]},攻击者,2024,12345", header="统一社会信用代码,企业名称,年度,纳税总额(元)")
    code, data, _ = run(capsys, "import", path, "--layer", "enterprise_years", "--by", "ed", "--json")
    assert code == 1 and data["accepted"] == 0 and data["committed"] is False
    assert data["rejected"][0]["reason"] == f"the id ent-{CODES[4]} belongs to enterprise with code {CODES[3]}"
    assert _stored_years(people) == {}
