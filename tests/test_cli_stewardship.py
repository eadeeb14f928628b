"""The import / export / audit / undo CLI contracts, as subprocesses against a copy of the store."""
import json

import pytest

from tests.helpers import fingerprint
from tests.test_cli import run_cli

HEADER = "编号,名称,英文名称,建筑面积,经度,纬度"



def test_import__dry_run_then_commit_then_audit_and_undo(store_copy, tmp_path):
    csv = tmp_path / "spaces.csv"
    csv.write_text(f"{HEADER}\ncli-1,命令行空间,CLI space,900,114.085,22.545\n", encoding="utf-8-sig")
    before = fingerprint(store_copy)
    dry = run_cli("import", str(csv), "--layer", "lowcost_spaces", "--dry-run", "--json", store=store_copy)
    assert dry.returncode == 0, dry.stderr
    data = json.loads(dry.stdout)
    assert data["accepted"] == 1 and data["rejected"] == [] and data["committed"] is False
    assert fingerprint(store_copy) == before
    done = run_cli("import", str(csv), "--layer", "lowcost_spaces", "--json", "--by", "li", store=store_copy)
    assert done.returncode == 0 and json.loads(done.stdout)["committed"] is True
    audit = json.loads(run_cli("audit", "--json", store=store_copy).stdout)["entries"]
    assert audit[-1]["who"] == "li" and audit[-1]["file_name"] == "spaces.csv" and len(audit[-1]["sha256"]) == 64
    undo = run_cli("undo", "--json", store=store_copy)
    assert undo.returncode == 0 and json.loads(undo.stdout)["removed"] == 1


def test_import__rejected_rows_exit_1_with_row_field_value_reason(store_copy, tmp_path):
    csv = tmp_path / "spaces.csv"
    csv.write_text(f"{HEADER}\ncli-1,好,Good,900,114.085,22.545\ncli-2,坏,Bad,很多,114.085,22.545\n", encoding="utf-8")
    out = run_cli("import", str(csv), "--layer", "incubators", "--json", "--rejected-csv", str(tmp_path / "r.csv"),
                  store=store_copy)
    assert out.returncode == 1
    data = json.loads(out.stdout)
    assert data["accepted"] == 1 and data["committed"] is True
    assert data["rejected"] == [{"row": 3, "field": "floor_area_m2", "value": "很多",
                                 "reason": "wrong type: could not convert string to float: '很多'"}]
    fix = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert fix.startswith("row,reasons,编号") and "很多" in fix


def test_import__strict_writes_nothing_when_a_row_is_rejected(store_copy, tmp_path):
    csv = tmp_path / "spaces.csv"
    csv.write_text(f"{HEADER}\ncli-1,好,Good,900,114.085,22.545\ncli-2,坏,Bad,x,114.085,22.545\n", encoding="utf-8")
    before = fingerprint(store_copy)
    out = run_cli("import", str(csv), "--layer", "incubators", "--strict", "--json", store=store_copy)
    assert out.returncode == 1 and json.loads(out.stdout)["committed"] is False
    assert fingerprint(store_copy) == before


@pytest.mark.parametrize("content,name,message", [
    (b"", "empty.csv", "is empty"), (b"hello", "x.pdf", "unsupported format"), (b"PK\x03\x04xx", "x.xlsx", "XLSX"),
])
def test_import__unreadable_file_exits_2_one_line(store_copy, tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    out = run_cli("import", str(path), "--layer", "incubators", store=store_copy)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_export__every_format(store_copy, tmp_path):
    for fmt, target in (("gpkg", "all.gpkg"), ("geojson", "gj"), ("csv", "csv"), ("xlsx", "all.xlsx")):
        out = run_cli("export", "--format", fmt, str(tmp_path / target), "--json", store=store_copy)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["written"]
