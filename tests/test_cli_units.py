"""The CLI of the market's units (both backends), through ``cli.main``: ``import --layer units |
enterprises`` with an account, and ``unit list / edit / attach / detach / attachments / get``."""
from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from tests.geodata.test_attachments import pdf, png
from tests.geodata.test_units import ENT_HEADER, HEADER, HUAWEI, OTHER, OWN, TODAY, add_people
from tests.helpers import fingerprint, run_cli


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("SPACEMAP_TODAY", TODAY)


run = run_cli


@pytest.fixture
def people(store_copy):
    add_people(store_copy)
    return store_copy


def _units_csv(tmp_path, *rows, name="units.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


GOOD = f"{OWN},A座,12,1201,350,gross,office,available,2026-01-05,120"
BAD = f"{OTHER},B,1,101,-80,gross,office,available,2026-01-05,"


def test_import_units__dry_run_writes_nothing_then_commit_and_undo(people, tmp_path, capsys):
    path = _units_csv(tmp_path, GOOD, BAD)
    before = fingerprint(people)
    code, data, _ = run(capsys, "import", path, "--layer", "units", "--dry-run", "--by", "ed", "--json")
    assert code == 1 and data["committed"] is False and fingerprint(people) == before
    assert (data["rows"], data["accepted"], data["added"]) == (2, 1, [f"unit-{OWN}-1"])
    assert data["rejected"] == [{"row": 3, "field": "area_m2", "value": -80.0, "reason": "must not be negative"}]
    code, data, _ = run(capsys, "import", path, "--layer", "units", "--by", "ed", "--json")
    assert code == 1 and data["committed"] is True and data["audit_id"]
    code, data, _ = run(capsys, "unit", "list", "--json")
    assert [(u["id"], u["status"], u["row_version"]) for u in data["units"]] == [(f"unit-{OWN}-1", "available", 1)]
    code, data, _ = run(capsys, "undo", "--by", "ed", "--json")
    assert code == 0 and (data["action"], data["layer"], data["removed"]) == ("import", "units", 1)
    assert run(capsys, "unit", "list", "--json")[1]["units"] == []


def test_import_units__xlsx_by_an_operator_is_limited_to_its_carriers(people, tmp_path, capsys):
    path = tmp_path / "units.xlsx"
    pd.DataFrame({"载体编号": [OWN, OTHER], "单元": ["1", "2"], "面积": [100, 100], "面积口径": ["gross", "gross"],
                  "用途": ["office", "office"], "状态": ["available", "available"],
                  "核实日期": ["2026-01-05", "2026-01-05"]}).to_excel(path, index=False)
    code, data, _ = run(capsys, "import", path, "--layer", "units", "--by", "op", "--json")
    assert code == 1 and data["committed"] is True and data["format"] == "xlsx"
    assert data["rejected"] == [{"row": 3, "field": "carrier_id", "value": OTHER,
                                 "reason": f"account op (operator) may not change the units of carrier {OTHER}"}]
    assert data["added"] == 1 and data["row_status"][0] == {"row": 2, "id": f"unit-{OWN}-1", "status": "new"}


@pytest.mark.parametrize("by, message", [
    ((), "say which account does this (--by NAME)"),
    (("--by", "st"), "account st is staff: it may not import units"),
    (("--by", "ghost"), "no enabled account 'ghost' in the store"),
])
def test_import_units__needs_an_account_that_may_import(people, tmp_path, capsys, by, message):
    before = fingerprint(people)
    code, _, err = run(capsys, "import", _units_csv(tmp_path, GOOD), "--layer", "units", *by, "--json")
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert fingerprint(people) == before


def test_import_enterprises__a_wrong_check_digit_is_rejected_on_its_row(people, tmp_path, capsys):
    path = tmp_path / "ent.csv"
    path.write_text(ENT_HEADER + "\n" + f"华为技术有限公司,{HUAWEI},ict,mature,200000,1987-09-15,high_tech,,,\n"
                    f"错码公司,{HUAWEI[:-1]}5,ai,seed,3,2024-01-01,,,,\n", encoding="utf-8")
    code, _, err = run(capsys, "import", path, "--layer", "enterprises", "--json")
    assert code == 2 and "--by NAME" in err
    code, data, _ = run(capsys, "import", path, "--layer", "enterprises", "--by", "op", "--json")
    assert code == 2 and data == ""
    code, data, _ = run(capsys, "import", path, "--layer", "enterprises", "--by", "ed", "--json")
    assert code == 1 and data["committed"] is True and data["added"] == 1  # after a commit: the count
    assert data["row_status"][0] == {"row": 2, "id": f"ent-{HUAWEI}", "status": "new"}
    assert data["rejected"] == [{"row": 3, "field": "credit_code", "value": f"{HUAWEI[:-1]}5",
                                 "reason": "not a valid unified social credit code: check digit is 5, expected 6"}]


def test_unit_edit__audited_and_a_stale_version_exits_4(people, tmp_path, capsys):
    assert run(capsys, "import", _units_csv(tmp_path, GOOD), "--layer", "units", "--by", "ed")[0] == 0
    uid = f"unit-{OWN}-1"
    code, data, _ = run(capsys, "unit", "edit", uid, "--set", "status=let", "--set", "rent_asked_cny_m2_month=99",
                        "--reason", "signed", "--by", "op", "--expect-version", "1", "--json")
    assert code == 0 and data["row_version"] == 2
    assert data["changes"] == [{"field": "status", "old": "available", "new": "let"},
                               {"field": "rent_asked_cny_m2_month", "old": 120.0, "new": 99.0}]
    before = fingerprint(people)
    code, _, err = run(capsys, "unit", "edit", uid, "--set", "status=available", "--reason", "x", "--by", "ed",
                       "--expect-version", "1")
    assert code == 4 and "conflict" in err and fingerprint(people) == before
    code, _, err = run(capsys, "unit", "edit", uid, "--set", f"carrier_id={OTHER}", "--reason", "x", "--by", "op")
    assert code == 2 and "an operator may not move a unit" in err
    code, _, err = run(capsys, "unit", "edit", uid, "--set", "status=let", "--reason", "x", "--by", "st")
    assert code == 2 and "account st is staff" in err
    code, _, err = run(capsys, "unit", "edit", uid, "--set", "status", "--reason", "x", "--by", "ed")
    assert code == 2 and "FIELD=VALUE" in err


def test_unit_attach_list_get_detach_and_undo(people, tmp_path, capsys):
    assert run(capsys, "import", _units_csv(tmp_path, GOOD), "--layer", "units", "--by", "ed")[0] == 0
    uid = f"unit-{OWN}-1"
    (tmp_path / "photo.png").write_bytes(png())
    (tmp_path / "plan.pdf").write_bytes(pdf())
    (tmp_path / "fake.png").write_bytes(pdf())
    code, data, _ = run(capsys, "unit", "attach", uid, tmp_path / "photo.png", "--by", "op", "--json")
    assert code == 0 and data["mime"] == "image/png" and data["sha256"] == hashlib.sha256(png()).hexdigest()
    photo = data["id"]
    code, data, _ = run(capsys, "unit", "attach", uid, tmp_path / "plan.pdf", "--by", "op", "--json")
    plan = data["id"]
    code, _, err = run(capsys, "unit", "attach", uid, tmp_path / "fake.png", "--by", "op")
    assert code == 2 and "is a PDF document but its name says PNG image" in err
    code, data, _ = run(capsys, "unit", "attachments", uid, "--json")
    assert [(a["id"], a["file_name"], a["mime"]) for a in data["attachments"]] == [
        (photo, "photo.png", "image/png"), (plan, "plan.pdf", "application/pdf")]
    code, data, _ = run(capsys, "unit", "get", plan, "--out", tmp_path / "back.pdf", "--json")
    assert code == 0 and (tmp_path / "back.pdf").read_bytes() == pdf() and data["mime"] == "application/pdf"
    code, data, _ = run(capsys, "unit", "detach", photo, "--by", "op", "--json")
    assert code == 0 and data["removed"] is True
    assert [a["id"] for a in run(capsys, "unit", "attachments", uid, "--json")[1]["attachments"]] == [plan]
    code, data, _ = run(capsys, "undo", "--by", "op", "--json")
    assert (code, data["action"]) == (0, "detach")
    assert len(run(capsys, "unit", "attachments", uid, "--json")[1]["attachments"]) == 2
    code, _, err = run(capsys, "unit", "get", "att-999999", "--out", tmp_path / "x")
    assert code == 2 and "no attachment" in err


def test_unit_attach__oversize_file_refused_before_it_is_read(people, tmp_path, capsys):
    assert run(capsys, "import", _units_csv(tmp_path, GOOD), "--layer", "units", "--by", "ed")[0] == 0
    big = tmp_path / "big.png"
    with big.open("wb") as f:
        f.write(png())
        f.truncate(10 * 1024 * 1024 + 1)
    code, _, err = run(capsys, "unit", "attach", f"unit-{OWN}-1", big, "--by", "ed")
    assert code == 2 and "10,485,761 bytes; the limit is 10,485,760 bytes" in err
