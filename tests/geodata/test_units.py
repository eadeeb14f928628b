"""Space units and enterprises (both backends): imports with per-row rejections, dry runs, commits
and undo, operators limited to their carriers, staff refused, conflicts, and unit corrections."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from geodata.stewardship import accounts
from geodata.stewardship.commits import commit_import, undo_last
from geodata.stewardship.units import edit_unit, plan_market_import, set_unit_status
from geodata.storage import open_store
from spatial.credit_code import make_credit_code
from spatial.errors import ConflictError, SpaceMapError
from tests.helpers import fingerprint

TODAY = "2026-03-01"
SECRET = "a long enough secret"
OWN, OTHER = "lc-fintech-city", "sp-quantum"  # carriers of the bundled store
HEADER = "所属载体,楼栋,楼层,单元,面积(㎡),面积口径,用途,状态,核实日期,租金（元/㎡/月）"
HUAWEI = "914403001922038216"  # a real code (check digit 6)
EXAMPLE = "91440300708461136T"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("SPACEMAP_TODAY", TODAY)


def add_people(location) -> None:
    """An editor ``ed``, an operator ``op`` of :data:`OWN` and a staff member ``st``."""
    accounts.add_account("ed", SECRET, "editor", by="setup", location=location)
    accounts.add_account("op", SECRET, "operator", by="setup", location=location, carriers=[OWN])
    accounts.add_account("st", SECRET, "staff", by="setup", location=location)


def make_units(location, tmp_path, rows=(f"{OWN},A座,12,1201,350,gross,office,available,2026-01-05,120",
                                         f"{OTHER},B,1,101,80,usable,lab,reserved,2026-02-01,")) -> list[str]:
    """Import ``rows`` as the editor ``ed`` (made if missing); the ids of the units added."""
    if accounts.account("ed", location) is None:
        add_people(location)
    path = tmp_path / "seed_units.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    plan = plan_market_import(path, "units", by="ed", location=location)
    assert plan.rejected == [], plan.rejected
    commit_import(plan, who="ed", path=location)
    return plan.added


def _csv(tmp_path, *rows, header=HEADER, name="units.csv"):
    path = tmp_path / name
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _units(location) -> pd.DataFrame:
    return open_store(location).read_layer("units").set_index("id")


def test_plan_units__good_rows_accepted_bad_rows_rejected_with_row_field_value_reason(store_copy, tmp_path):
    add_people(store_copy)
    path = _csv(tmp_path,
                f"{OWN},A座,12,1201,350,建筑面积,办公,可租,2026-01-05,120",  # labels are taken for codes
                "no-such-carrier,A,1,101,100,gross,office,available,2026-01-05,",
                f"{OWN},A座,12,1202,-30,gross,office,available,2026-01-05,",
                f"{OWN},A座,12,1203,0,gross,office,available,2026-01-05,",
                f"{OWN},A座,12,1204,100,gross,office,vacant-ish,2026-01-05,",
                f"{OWN},A座,12,1205,100,gross,office,available,2026-03-02,",
                f"{OWN},A座,12,1206,很多,gross,office,available,2026-01-05,",
                f"{OWN},A座,12,,100,gross,office,available,2026-01-05,")
    before = fingerprint(store_copy)
    plan = plan_market_import(path, "units", by="ed", location=store_copy)
    assert fingerprint(store_copy) == before  # planning is a dry run: nothing written
    assert [r.as_dict() for r in plan.rejected] == [
        {"row": 3, "field": "carrier_id", "value": "no-such-carrier", "reason": "carrier does not exist in the store"},
        {"row": 4, "field": "area_m2", "value": -30.0, "reason": "must not be negative"},
        {"row": 5, "field": "area_m2", "value": 0.0, "reason": "must be greater than 0"},
        {"row": 6, "field": "status", "value": "vacant-ish",
         "reason": "unknown unit_status code; known: available, reserved, let, withdrawn"},
        {"row": 7, "field": "verified_on", "value": "2026-03-02", "reason": "is after today (2026-03-01)"},
        {"row": 8, "field": "area_m2", "value": "很多", "reason": "wrong type: could not convert string to float: '很多'"},
        {"row": 9, "field": "unit_label", "value": None, "reason": "required value is missing"},
    ]
    assert plan.added == [f"unit-{OWN}-1"] and plan.accepted_rows == [2]
    row = plan.accepted.iloc[0]
    assert (row["status"], row["area_basis"], row["use"], row["area_m2"], row["rent_asked_cny_m2_month"]) == (
        "available", "gross", "office", 350.0, 120.0)
    assert row["source"] == "import of units.csv" and row["verified_on"] == "2026-01-05"
    assert [s["status"] for s in plan.row_status()] == ["new"] + ["rejected"] * 7


def test_plan_units__xlsx_with_english_headers_and_date_cells(store_copy, tmp_path):
    add_people(store_copy)
    path = tmp_path / "units.xlsx"
    pd.DataFrame({"Carrier": [OWN, OWN], "Unit": ["301", "302"], "Area (m²)": [210.5, 99],
                  "Area basis": ["usable", "gross"], "Use": ["Laboratory", "office"], "Status": ["available", "let"],
                  "Verified on": [dt.date(2026, 2, 14), dt.date(2027, 1, 1)], "Colour": ["red", "blue"]}
                 ).to_excel(path, index=False)
    plan = plan_market_import(path, "units", by="ed", location=store_copy)
    assert plan.format == "xlsx" and plan.added == [f"unit-{OWN}-1"]
    assert [r.as_dict() for r in plan.rejected] == [
        {"row": 3, "field": "verified_on", "value": "2027-01-01", "reason": "is after today (2026-03-01)"}]
    row = plan.accepted.iloc[0]
    assert (row["verified_on"], row["use"], row["area_m2"], row["area_basis"]) == ("2026-02-14", "lab", 210.5, "usable")
    assert any("Colour" in n for n in plan.notes)


def test_commit_units__reimport_changes_only_given_fields_and_undo_restores(store_copy, tmp_path):
    added = make_units(store_copy, tmp_path)
    assert added == [f"unit-{OWN}-1", f"unit-{OTHER}-1"]
    stored = _units(store_copy)
    assert stored.loc[f"unit-{OWN}-1", "row_version"] == 1 and stored.loc[f"unit-{OTHER}-1", "area_basis"] == "usable"
    after_first = fingerprint(store_copy)
    again = plan_market_import(_csv(tmp_path, f"{OWN},A座,12,1201,350,gross,office,available,2026-01-05,120"),
                               "units", by="ed", location=store_copy)
    assert again.unchanged == [f"unit-{OWN}-1"] and again.added == []  # no id in the file: the same unit is found
    update = _csv(tmp_path, f"unit-{OWN}-1,let,2026-02-20,", header="单元编号,状态,核实日期,备注", name="status.csv")
    plan = plan_market_import(update, "units", by="ed", location=store_copy)
    assert plan.updated == {f"unit-{OWN}-1": [{"field": "status", "old": "available", "new": "let"},
                                              {"field": "verified_on", "old": "2026-01-05", "new": "2026-02-20"}]}
    assert plan.base_versions == {f"unit-{OWN}-1": 1}
    result = commit_import(plan, who="ed", path=store_copy)
    assert (result["added"], result["updated"]) == (0, 1)
    unit = _units(store_copy).loc[f"unit-{OWN}-1"]
    assert (unit["status"], unit["area_m2"], unit["rent_asked_cny_m2_month"], unit["row_version"]) == (
        "let", 350.0, 120.0, 2)  # columns the file lacks kept their values
    assert undo_last(who="ed", path=store_copy)["restored"] == 1
    unit = _units(store_copy).loc[f"unit-{OWN}-1"]
    assert (unit["status"], unit["verified_on"], unit["row_version"]) == ("available", "2026-01-05", 3)
    undone = undo_last(who="ed", path=store_copy)
    assert (undone["action"], undone["layer"], undone["removed"]) == ("import", "units", 2)
    assert len(_units(store_copy)) == 0 and fingerprint(store_copy) != after_first
    audit = open_store(store_copy).read_layer("audit_log")
    assert list(audit["action"].iloc[-4:]) == ["import", "import", "undo", "undo"]


def test_operator__imports_only_units_of_its_own_carriers(store_copy, tmp_path):
    make_units(store_copy, tmp_path)
    path = _csv(tmp_path, f"{OWN},A座,12,1207,90,gross,office,available,2026-01-05,",
                f"{OTHER},B,2,201,90,gross,office,available,2026-01-05,")
    plan = plan_market_import(path, "units", by="op", location=store_copy)
    assert plan.added == [f"unit-{OWN}-2"]
    assert [r.as_dict() for r in plan.rejected] == [{"row": 3, "field": "carrier_id", "value": OTHER, "reason":
                                                     f"account op (operator) may not change the units of carrier {OTHER}"}]
    move = _csv(tmp_path, f"unit-{OWN}-1,{OTHER}", header="单元编号,所属载体", name="move.csv")
    moved = plan_market_import(move, "units", by="op", location=store_copy)
    assert moved.rejected[0].reason == f"account op (operator) may not change the units of carrier {OTHER}"
    steal = _csv(tmp_path, f"unit-{OTHER}-1,{OWN}", header="单元编号,所属载体", name="steal.csv")
    assert plan_market_import(steal, "units", by="op", location=store_copy).rejected[0].field == "carrier_id"
    assert plan_market_import(path, "units", by="ed", location=store_copy).rejected == []  # an editor: any carrier


@pytest.mark.parametrize("by, layer, message", [
    ("st", "units", "account st is staff: it may not import units"),
    ("st", "enterprises", "account st is staff: it may not import enterprises"),
    ("op", "enterprises", "account op is operator: it may not import enterprises"),
    ("nobody", "units", "no enabled account 'nobody'"),
    (None, "enterprises", "say which account does this (--by NAME)"),
])
def test_import__refused_for_staff_operators_outside_units_and_unknown_accounts(store_copy, tmp_path, by, layer,
                                                                              message):
    add_people(store_copy)
    path = _csv(tmp_path, f"{OWN},A,1,1,90,gross,office,available,2026-01-05,")
    with pytest.raises(SpaceMapError, match=message.replace("(", r"\(").replace(")", r"\)")):
        plan_market_import(path, layer, by=by, location=store_copy)


def test_commit_units__a_row_changed_meanwhile_is_a_conflict_and_nothing_is_written(store_copy, tmp_path):
    make_units(store_copy, tmp_path)
    plan = plan_market_import(_csv(tmp_path, f"unit-{OWN}-1,withdrawn", header="id,status", name="s.csv"), "units",
                              by="op", location=store_copy)
    edit_unit(f"unit-{OWN}-1", {"rent_asked_cny_m2_month": "135"}, reason="new price list", who="ed",
              location=store_copy)  # somebody else, after the plan was made
    before = fingerprint(store_copy)
    with pytest.raises(ConflictError, match="you had version 1, it is now at version 2"):
        commit_import(plan, who="op", path=store_copy)
    assert fingerprint(store_copy) == before
    unit = _units(store_copy).loc[f"unit-{OWN}-1"]
    assert (unit["status"], unit["rent_asked_cny_m2_month"]) == ("available", 135.0)


def test_edit_unit__audited_undoable_and_guarded_by_the_version(store_copy, tmp_path):
    make_units(store_copy, tmp_path)
    uid = f"unit-{OWN}-1"
    done = edit_unit(uid, {"status": "已预留", "rent_asked_cny_m2_month": "118.5", "notes": "viewing on Friday"},
                     reason="call with the operator", who="op", account=accounts.account("op", store_copy),
                     expected_version=1, location=store_copy)
    assert done["row_version"] == 2 and done["changes"] == [
        {"field": "status", "old": "available", "new": "reserved"},
        {"field": "rent_asked_cny_m2_month", "old": 120.0, "new": 118.5},
        {"field": "notes", "old": None, "new": "viewing on Friday"}]
    entry = open_store(store_copy).read_layer("audit_log").iloc[-1]
    assert (entry["who"], entry["action"], entry["layer"], entry["reason"]) == ("op", "edit", "units",
                                                                                "call with the operator")
    assert json.loads(entry["changes"])["before"][uid]["status"] == "available"
    with pytest.raises(ConflictError):
        set_unit_status(uid, "let", who="ed", expected_version=1, location=store_copy)
    assert set_unit_status(uid, "let", who="ed", expected_version=2, verified_on="2026-02-28",
                           location=store_copy)["row_version"] == 3
    undo_last(who="ed", path=store_copy)
    undo_last(who="ed", path=store_copy)
    unit = _units(store_copy).loc[uid]
    assert (unit["status"], unit["rent_asked_cny_m2_month"], unit["notes"], unit["verified_on"]) == (
        "available", 120.0, None, "2026-01-05")


@pytest.mark.parametrize("values, who, message", [
    ({"colour": "red"}, "ed", "unknown field 'colour'"),
    ({"id": "unit-x"}, "ed", "a unit's id cannot be changed"),
    ({"area_m2": "abc"}, "ed", "area_m2: wrong type"),
    ({"area_m2": "-5"}, "ed", "area_m2: must not be negative"),
    ({"area_m2": "0"}, "ed", "area_m2: must be greater than 0"),
    ({"status": "gone"}, "ed", "status: unknown unit_status code"),
    ({"verified_on": "2026-03-02"}, "ed", r"verified_on: is after today \(2026-03-01\)"),
    ({"carrier_id": "no-such"}, "ed", "carrier_id: carrier does not exist in the store"),
    ({"unit_label": ""}, "ed", "unit_label: required value is missing"),
    ({"carrier_id": OTHER}, "op", "an operator may not move a unit to another carrier"),
    ({"status": "let"}, "st", "account st \\(staff\\) may not change the units of carrier"),
])
def test_edit_unit__refused_with_the_reason_and_nothing_written(store_copy, tmp_path, values, who, message):
    make_units(store_copy, tmp_path)
    before = fingerprint(store_copy)
    with pytest.raises(SpaceMapError, match=message):
        edit_unit(f"unit-{OWN}-1", values, reason="fix", who=who, account=accounts.account(who, store_copy),
                  location=store_copy)
    assert fingerprint(store_copy) == before


def test_edit_unit__operator_cannot_touch_another_carriers_unit(store_copy, tmp_path):
    make_units(store_copy, tmp_path)
    with pytest.raises(SpaceMapError, match=f"may not change the units of carrier {OTHER}"):
        edit_unit(f"unit-{OTHER}-1", {"status": "let"}, reason="x", who="op",
                  account=accounts.account("op", store_copy), location=store_copy)
    with pytest.raises(SpaceMapError, match="give a reason"):
        edit_unit(f"unit-{OWN}-1", {"status": "let"}, reason=" ", who="ed", location=store_copy)
    with pytest.raises(SpaceMapError, match="no unit 'unit-none'"):
        edit_unit("unit-none", {"status": "let"}, reason="x", who="ed", location=store_copy)


ENT_HEADER = "企业名称,统一社会信用代码,产业,发展阶段,员工人数,成立日期,资质,联系人,联系电话,电子邮箱"


def test_plan_enterprises__credit_codes_checked_normalised_and_unique(store_copy, tmp_path):
    add_people(store_copy)
    made = make_credit_code("91440304MA5G12345")
    wrong = HUAWEI[:-1] + "7"
    path = _csv(tmp_path,
                f"华为技术有限公司,{HUAWEI},新一代信息技术,mature,200000,1987-09-15,high_tech:2027-12-31,张三,0755-28780808,a@huawei.com",
                f"示例科技,{EXAMPLE.lower()[:9]} {EXAMPLE.lower()[9:]},生物医药;AI,growth,45,2015-06-01,"
                "high_tech:2026-12-31:GR202344001234;专精特新,,,",
                f"错码公司,{wrong},ai,seed,3,2024-01-01,,,,",
                f"重复公司,{HUAWEI},ai,seed,3,2024-01-01,,,,",
                f"坏资质公司,{made},ai,seed,3,2024-01-01,nobel_prize,,,",
                f"坏邮箱公司,{make_credit_code('91440300MA5F00001')},ai,seed,3,2024-01-01,,李四,12345678,not-an-email",
                "无代码公司,,ai,seed,3,2026-05-01,,,,", header=ENT_HEADER, name="ent.csv")
    plan = plan_market_import(path, "enterprises", by="ed", location=store_copy)
    assert [r.as_dict() for r in plan.rejected] == [
        {"row": 4, "field": "credit_code", "value": wrong,
         "reason": "not a valid unified social credit code: check digit is 7, expected 6"},
        {"row": 5, "field": "credit_code", "value": HUAWEI, "reason": "credit code also on row 2"},
        {"row": 5, "field": "id", "value": f"ent-{HUAWEI}", "reason": "duplicate id (also on row 2)"},  # made from it
        {"row": 6, "field": "qualifications", "value": "nobel_prize",
         "reason": "unknown qualification 'nobel_prize'; known: high_tech, specialised, little_giant, listed, unicorn"},
        {"row": 7, "field": "contact_email", "value": "not-an-email", "reason": "not an e-mail address"},
        {"row": 8, "field": "founded", "value": "2026-05-01", "reason": "is after today (2026-03-01)"},
    ]
    assert plan.added == [f"ent-{HUAWEI}", f"ent-{EXAMPLE}"]
    second = plan.accepted.set_index("id").loc[f"ent-{EXAMPLE}"]
    assert second["credit_code"] == EXAMPLE and second["industries"] == "biomed;ai"  # normalised, synonyms resolved
    assert json.loads(second["qualifications"]) == [
        {"code": "high_tech", "evidence": "GR202344001234", "expires": "2026-12-31"},
        {"code": "specialised", "evidence": None, "expires": None}]
    assert second["created_at"] and second["synthetic"] == False  # noqa: E712 - a pandas boolean


def test_commit_enterprises__reimport_shows_the_changed_fields_and_undo_restores(store_copy, tmp_path):
    add_people(store_copy)
    first = _csv(tmp_path, f"华为技术有限公司,{HUAWEI},ict,mature,200000,1987-09-15,,张三,0755-28780808,a@huawei.com",
                 header=ENT_HEADER, name="ent.csv")
    commit_import(plan_market_import(first, "enterprises", by="ed", location=store_copy), who="ed", path=store_copy)
    change = _csv(tmp_path, f"{HUAWEI},0755-28780000", header="统一社会信用代码,联系电话", name="phone.csv")
    plan = plan_market_import(change, "enterprises", by="ed", location=store_copy)
    assert plan.updated == {f"ent-{HUAWEI}": [{"field": "contact_phone", "old": "0755-28780808",
                                                "new": "0755-28780000"}]}
    commit_import(plan, who="ed", path=store_copy)
    stored = open_store(store_copy).read_layer("enterprises").set_index("id").loc[f"ent-{HUAWEI}"]
    assert (stored["contact_phone"], stored["name"], stored["headcount"]) == ("0755-28780000", "华为技术有限公司", 200000)
    undo_last(who="ed", path=store_copy)
    stored = open_store(store_copy).read_layer("enterprises").set_index("id").loc[f"ent-{HUAWEI}"]
    assert stored["contact_phone"] == "0755-28780808"
    other = _csv(tmp_path, f"ent-other,另一家公司,{HUAWEI}", header="企业编号,企业名称,统一社会信用代码", name="o.csv")
    assert plan_market_import(other, "enterprises", by="ed", location=store_copy).rejected[0].reason == (
        f"this credit code belongs to enterprise ent-{HUAWEI} in the store")
