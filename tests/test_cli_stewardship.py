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


def _one_edit(store_copy):
    from geodata.stewardship.commits import edit_fields

    edit_fields("lc-fintech-city", {"notes": "kept work"}, reason="site visit", who="li", path=store_copy)


def test_store__rebuild_without_yes_refuses_and_changes_nothing(store_copy):
    _one_edit(store_copy)
    before = fingerprint(store_copy)
    out = run_cli("store", "--rebuild", store=store_copy)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "--yes" in out.stderr and "1 audit entries" in out.stderr and "0 goals" in out.stderr
    assert "0 demand-pool needs" in out.stderr
    assert fingerprint(store_copy) == before


def test_store__rebuild_with_yes_backs_up_first_then_rebuilds(store_copy):
    from geodata.stewardship.commits import audit_entries, list_backups
    from geodata.storage import read_layer

    _one_edit(store_copy)
    backups = [] if isinstance(store_copy, str) else list_backups(store_copy)
    out = run_cli("store", "--rebuild", "--yes", "--json", store=store_copy)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert audit_entries(store_copy) == []  # rebuilt from the bundled files
    if isinstance(store_copy, str):
        assert data["backup"] is None and "pg_dump" in data["backup_note"]
    else:
        saved = list_backups(store_copy)
        assert len(saved) == len(backups) + 1 and data["backup"] == str(saved[-1])
        notes = read_layer("lowcost_spaces", saved[-1]).set_index("id").loc["lc-fintech-city", "notes"]
        assert notes == "kept work"  # the backup holds the store as it was


# 华强北低成本产业空间 states space provided (≥ 40,000 m², 提供空间面积) and a policy, no gross floor area
PARTIAL = "编号,名称,政策,提供空间面积\nlc-huaqiangbei,华强北低成本产业空间,,45000\n"


def test_import__partial_file_dry_run_shows_only_real_changes(store_copy, tmp_path):
    csv = tmp_path / "partial.csv"
    csv.write_text(PARTIAL, encoding="utf-8")  # the blank 政策 cell is not a change
    before = fingerprint(store_copy)
    dry = run_cli("import", str(csv), "--layer", "lowcost_spaces", "--dry-run", store=store_copy)
    assert dry.returncode == 0, dry.stderr
    changed = [line for line in dry.stdout.splitlines() if line.startswith("  lc-huaqiangbei: ")]
    # the file's figure replaces the seed's, with the file as its source and without the seed's
    # qualifier ("at least") and as-of date: they described the old figure, not this one
    assert changed == ["  lc-huaqiangbei: space_area_m2 40000.0 → 45000.0; space_area_source "
                       "'002_635bc10e86bc4f57.txt 二（六）: 华强北低成本产业空间面积已达4万多平方米' → 'import of partial.csv'; "
                       "space_area_qualifier 'at_least' → None; space_area_as_of '2020-08-10' → None"]
    assert fingerprint(store_copy) == before


def test_import__blank_clears_erases_empty_cells(store_copy, tmp_path):
    csv = tmp_path / "partial.csv"
    csv.write_text(PARTIAL, encoding="utf-8")
    out = run_cli("import", str(csv), "--layer", "lowcost_spaces", "--dry-run", "--blank-clears", "--json",
                  store=store_copy)
    assert out.returncode == 0, out.stderr
    changes = json.loads(out.stdout)["updated"]["lc-huaqiangbei"]
    assert [c["field"] for c in changes] == ["space_area_m2", "space_area_source", "space_area_qualifier",
                                             "space_area_as_of", "policies"]
    assert changes[-1] == {"field": "policies", "old": "huaqiang_bagualing_reform", "new": None}
