"""No silent loss: partial imports keep what the file does not say, backups are never truncated."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geodata.ingest.importer import plan_import
from geodata.stewardship.commits import commit_import
from geodata.storage import frames_for_import, open_store, read_layer
from tests.helpers import fingerprint

REPO = Path(__file__).resolve().parents[2]
HUAQIANGBEI = "lc-huaqiangbei"  # bundled: no point (placed by zone), space provided ≥ 40,000 m², industries,
# policy huaqiang_bagualing_reform, status operating; no gross floor area and no address (no source states them)
SPACE = "提供空间面积"  # the zh title of space_area_m2


def _plan(tmp_path, text, **kw):
    path = tmp_path / "p.csv"
    path.write_text(text, encoding="utf-8")
    return plan_import(path, "lowcost_spaces", frames_for_import(), **kw)


def _stored(store_copy, fid=HUAQIANGBEI):
    return read_layer("lowcost_spaces", store_copy).set_index("id").loc[fid]


def _no_geometry(geom) -> bool:
    return geom is None or geom.is_empty


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def test_plan_import__partial_columns_change_only_what_the_file_carries(store_copy, tmp_path):
    before = _stored(store_copy)
    plan = _plan(tmp_path, f"编号,名称,{SPACE}\n{HUAQIANGBEI},华强北低成本产业空间,45000\n")
    assert plan.rejected == []
    changes = {c["field"]: (c["old"], c["new"]) for c in plan.updated[HUAQIANGBEI]}
    assert list(plan.updated) == [HUAQIANGBEI]
    assert changes["space_area_m2"] == (40000.0, 45000.0)
    assert changes["space_area_source"] == (before["space_area_source"], "import of p.csv")
    # only the carried figure and its own provenance may change
    assert set(changes) <= {"space_area_m2", "space_area_source", "space_area_qualifier", "space_area_as_of"}
    commit_import(plan, who="steward", path=store_copy)
    after = _stored(store_copy)
    assert after["space_area_m2"] == 45000.0 and after["space_area_source"] == "import of p.csv"
    for kept in ("name_en", "industries", "policies", "status", "source", "notes", "location_basis", "zone_id",
                 "location_note", "parent_id", "floor_area_m2", "tenants"):
        assert after[kept] == before[kept] or (_blank(after[kept]) and _blank(before[kept])), kept
    assert after["location_basis"] == "zone" and after["zone_id"] == "cluster-huaqiangbei-shangbu"
    assert _no_geometry(before.geometry) and _no_geometry(after.geometry)  # no pin invented by the import
    assert after["row_version"] == before["row_version"] + 1


def test_plan_import__empty_cells_do_not_erase(store_copy, tmp_path):
    before = fingerprint(store_copy)
    plan = _plan(tmp_path, f"编号,名称,英文名称,地址,{SPACE},产业,政策,经度,纬度\n"
                           f"{HUAQIANGBEI},华强北低成本产业空间,,,,,,,\n")
    assert plan.rejected == [] and plan.updated == {} and plan.unchanged == [HUAQIANGBEI]
    commit_import(plan, who="steward", path=store_copy)
    after = _stored(store_copy)
    assert after["space_area_m2"] == 40000.0 and after["industries"] == "smart_hardware;iot;ai"
    assert after["policies"] == "huaqiang_bagualing_reform"
    assert fingerprint(store_copy) != before  # the audit entry was written; the row kept every value


def test_plan_import__blank_clears_erases_the_empty_cells_of_carried_columns(store_copy, tmp_path):
    before = _stored(store_copy)
    plan = _plan(tmp_path, f"编号,名称,产业,政策\n{HUAQIANGBEI},华强北低成本产业空间,,\n", blank_clears=True)
    assert plan.updated == {HUAQIANGBEI: [{"field": "industries", "old": "smart_hardware;iot;ai", "new": None},
                                          {"field": "policies", "old": "huaqiang_bagualing_reform", "new": None}]}
    commit_import(plan, who="steward", path=store_copy)
    after = _stored(store_copy)
    assert after["industries"] is None and after["policies"] is None
    assert after["space_area_m2"] == before["space_area_m2"] == 40000.0 and after["status"] == before["status"]


def test_plan_import__same_values_are_unchanged_and_new_rows_still_get_defaults(store_copy, tmp_path):
    plan = _plan(tmp_path, f"编号,名称,{SPACE},经度,纬度\n{HUAQIANGBEI},华强北低成本产业空间,40000,,\n"
                           "nsl-new,新空间,500,114.085,22.545\n")
    assert plan.updated == {} and plan.unchanged == [HUAQIANGBEI] and plan.added == ["nsl-new"]
    new = plan.accepted.set_index("id").loc["nsl-new"]
    assert new["status"] == "unknown" and new["space_area_source"] == "import of p.csv"


def test_plan_import__partial_update_keeps_conflict_detection(store_copy, tmp_path):
    from geodata.stewardship.commits import edit_fields
    from geodata.storage import ConflictError

    plan = _plan(tmp_path, f"编号,名称,{SPACE}\n{HUAQIANGBEI},华强北低成本产业空间,45000\n")
    edit_fields(HUAQIANGBEI, {"notes": "meanwhile"}, reason="x", who="li", path=store_copy)
    untouched = fingerprint(store_copy)
    with pytest.raises(ConflictError):
        commit_import(plan, who="wang", path=store_copy)
    assert fingerprint(store_copy) == untouched


def _copy_that_dies_half_way(src, dst, *args, **kwargs):
    data = open(src, "rb").read()
    with open(dst, "wb") as out:
        out.write(data[: len(data) // 2])
    raise OSError("killed during the copy")


@pytest.mark.gpkg_only
def test_backup__interrupted_copy_is_not_listed_and_pushes_nothing_out(store_copy, monkeypatch):
    store = open_store(store_copy)
    real = [store.backup(keep=3) for _ in range(3)]
    monkeypatch.setattr(shutil, "copy2", _copy_that_dies_half_way)
    with pytest.raises(Exception, match="killed during the copy"):
        store.backup(keep=3)
    monkeypatch.undo()
    assert store.list_backups() == real
    assert sorted(p.name for p in (store_copy.parent / "backups").iterdir()) == sorted(p.name for p in real)


KILL_MID_COPY = """
import os, shutil, sys
from geodata.storage import open_store

def dies(src, dst, *a, **k):
    data = open(src, "rb").read()
    with open(dst, "wb") as out:
        out.write(data[: len(data) // 2])
    os._exit(9)  # killed: no clean-up runs

shutil.copy2 = dies
open_store(sys.argv[1]).backup(keep=2)
"""


@pytest.mark.gpkg_only
def test_backup__killed_mid_copy_leaves_nothing_counted_as_a_backup(store_copy):
    store = open_store(store_copy)
    real = [store.backup(keep=2) for _ in range(2)]
    died = subprocess.run([sys.executable, "-c", KILL_MID_COPY, str(store_copy)], cwd=REPO, timeout=120)
    assert died.returncode == 9
    assert store.list_backups() == real  # the truncated copy is not listed
    newest = store.backup(keep=2)
    assert store.list_backups() == [real[-1], newest]  # two real backups kept: the leftover pushed none out
    assert all(p.stat().st_size == store_copy.stat().st_size for p in store.list_backups())
