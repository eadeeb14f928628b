"""Several writers on one store (file or database): row versions, conflicts, migrations, crashes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geodata.ingest.importer import plan_import
from geodata.storage.migrations import LATEST, ROW_VERSION
from geodata.stewardship.commits import audit_entries, commit_import, edit_fields, undo_last
from geodata.storage import (ConflictError, ensure_store, frames_for_import, open_store, read_layer, read_meta,
                             store_lock)
from tests.conftest import location_env
from tests.helpers import fingerprint, kill_import_mid_write

REPO = Path(__file__).resolve().parents[2]
HEADER = "编号,名称,英文名称,建筑面积,经度,纬度,状态,来源"


def _version(location, fid: str, layer: str = "lowcost_spaces") -> int:
    frame = read_layer(layer, location)
    return int(frame.loc[frame["id"] == fid, ROW_VERSION].iloc[0])


def test_edit__bumps_the_row_version_and_only_that_row(store_copy):
    before = read_layer("lowcost_spaces", store_copy).set_index("id")[ROW_VERSION]
    result = edit_fields("lc-fintech-city", {"notes": "checked on site"}, reason="visit", who="wang", path=store_copy)
    after = read_layer("lowcost_spaces", store_copy).set_index("id")[ROW_VERSION]
    assert result["row_version"] == before["lc-fintech-city"] + 1 == after["lc-fintech-city"]
    assert (after.drop("lc-fintech-city") == before.drop("lc-fintech-city")).all()


def test_edit__second_editor_from_an_old_version_gets_a_conflict_and_writes_nothing(store_copy):
    seen = _version(store_copy, "lc-fintech-city")  # both editors open the carrier
    edit_fields("lc-fintech-city", {"notes": "first"}, reason="a", who="li", path=store_copy, expected_version=seen)
    untouched = fingerprint(store_copy)
    with pytest.raises(ConflictError, match="changed since you read them") as err:
        edit_fields("lc-fintech-city", {"notes": "second"}, reason="b", who="wang", path=store_copy,
                    expected_version=seen)
    assert err.value.conflicts == [{"id": "lc-fintech-city", "expected": seen, "current": seen + 1}]
    assert fingerprint(store_copy) == untouched
    notes = read_layer("lowcost_spaces", store_copy).set_index("id").loc["lc-fintech-city", "notes"]
    assert notes == "first"  # the first editor's work survives


def test_import__preview_made_before_another_edit_is_refused_at_commit(store_copy, tmp_path):
    csv = tmp_path / "a.csv"
    csv.write_text(f"{HEADER}\nlc-fintech-city,国际金融科技城,Fintech City,99999,114.0565,22.5325,operating,file\n",
                   encoding="utf-8")
    plan = plan_import(csv, "lowcost_spaces", frames_for_import(store_copy))
    assert plan.updated and plan.base_versions["lc-fintech-city"] >= 1
    edit_fields("lc-fintech-city", {"notes": "meanwhile"}, reason="x", who="li", path=store_copy)
    untouched = fingerprint(store_copy)
    with pytest.raises(ConflictError) as err:
        commit_import(plan, who="wang", path=store_copy)
    assert [c["id"] for c in err.value.conflicts] == ["lc-fintech-city"]
    assert fingerprint(store_copy) == untouched
    plan = plan_import(csv, "lowcost_spaces", frames_for_import(store_copy))  # preview again: it goes through
    assert commit_import(plan, who="wang", path=store_copy)["updated"] == 1


def test_import__a_new_id_created_by_someone_else_meanwhile_is_a_conflict(store_copy, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(f"{HEADER}\nnew-1,甲,A,100,114.06,22.54,operating,file a\n", encoding="utf-8")
    b.write_text(f"{HEADER}\nnew-1,乙,B,200,114.06,22.54,operating,file b\n", encoding="utf-8")
    plan_a = plan_import(a, "lowcost_spaces", frames_for_import(store_copy))
    plan_b = plan_import(b, "lowcost_spaces", frames_for_import(store_copy))
    commit_import(plan_a, who="li", path=store_copy)
    with pytest.raises(ConflictError, match="created meanwhile"):
        commit_import(plan_b, who="wang", path=store_copy)
    names = read_layer("lowcost_spaces", store_copy).set_index("id")["name_zh"]
    assert names["new-1"] == "甲"


def test_undo__restores_the_rows_with_a_new_version(store_copy):
    v0 = _version(store_copy, "lc-fintech-city")
    edit_fields("lc-fintech-city", {"notes": "oops"}, reason="x", who="li", path=store_copy)
    undo_last(who="li", path=store_copy)
    frame = read_layer("lowcost_spaces", store_copy).set_index("id")
    assert frame.loc["lc-fintech-city", "notes"] != "oops"
    assert frame.loc["lc-fintech-city", ROW_VERSION] == v0 + 2  # an editor who saw v0 or v0+1 gets a conflict


def test_cli_edit__expect_version_conflict_exits_4_with_one_line(store_copy):
    env = {**os.environ, **location_env(store_copy)}
    seen = _version(store_copy, "lc-fintech-city")

    def run(*args):
        return subprocess.run([sys.executable, str(REPO / "cli.py"), *args], capture_output=True, text=True,
                              env=env, cwd=REPO, timeout=120)

    ok = run("edit", "lc-fintech-city", "notes=from the CLI", "--reason", "r", "--by", "li",
             "--expect-version", str(seen), "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["row_version"] == seen + 1
    late = run("edit", "lc-fintech-city", "notes=late", "--reason", "r", "--by", "wang", "--expect-version", str(seen))
    assert late.returncode == 4 and "conflict" in late.stderr and len(late.stderr.strip().splitlines()) == 1
    bad = run("edit", "lc-fintech-city", "notes", "--reason", "r")
    assert bad.returncode == 2 and "FIELD=VALUE" in bad.stderr


def _downgrade_to_v1(location) -> None:
    """Make the store look like one created before migration 2 (no row versions)."""
    if isinstance(location, str):  # a database URL
        import psycopg

        with psycopg.connect(location) as con:
            for key in ("science_parks", "tech_buildings", "lowcost_spaces", "incubators"):
                con.execute(f'ALTER TABLE "{key}" DROP COLUMN {ROW_VERSION}')
            con.execute("DELETE FROM spacemap_migrations WHERE version > 1")
            con.execute("UPDATE spacemap_meta SET value = '1' WHERE key = 'schema_version'")
            con.execute("UPDATE spacemap_meta SET value = (value::bigint + 1)::text WHERE key = 'revision'")
    else:
        import sqlite3

        with sqlite3.connect(location) as con:
            for key in ("science_parks", "tech_buildings", "lowcost_spaces", "incubators"):
                con.execute(f'ALTER TABLE "{key}" DROP COLUMN {ROW_VERSION}')
            con.execute("DELETE FROM spacemap_migrations WHERE version > 1")
            con.execute("UPDATE spacemap_meta SET value = '1' WHERE key = 'schema_version'")


def test_migrations__an_old_store_is_upgraded_once_and_keeps_its_data(store_copy):
    before = read_layer("incubators", store_copy).drop(columns=[ROW_VERSION])
    _downgrade_to_v1(store_copy)
    ensure_store(store_copy)
    assert read_meta(store_copy)["schema_version"] == str(LATEST)
    after = read_layer("incubators", store_copy)
    assert (after[ROW_VERSION] == 1).all()
    assert after.drop(columns=[ROW_VERSION]).equals(before)
    assert open_store(store_copy).migrate({}) == []  # nothing left to do


@pytest.mark.postgis_only  # the GeoPackage variant is in tests/geodata/test_import.py
def test_postgis__process_killed_inside_the_write_transaction_changes_nothing(store_copy, tmp_path):
    csv = tmp_path / "a.csv"
    csv.write_text(f"{HEADER}\nkill-1,中断,Killed,500,114.06,22.54,operating,file\n", encoding="utf-8")
    before = fingerprint(store_copy)
    marker = tmp_path / "writing"
    patch = f"""
import geodata.storage.postgis as pg
original = pg._copy
def slow(con, key, frame, **kw):
    original(con, key, frame, **kw)
    if key == "incubators":
        Path({str(marker)!r}).write_text("x")
        time.sleep(60)  # killed here: the rows are sent, the transaction is open
pg._copy = slow
"""
    kill_import_mid_write(store_copy, csv, marker, patch)
    assert fingerprint(store_copy) == before
    with store_lock(store_copy, timeout=5):  # the dead process's advisory lock went with its connection
        pass
    plan = plan_import(csv, "incubators", frames_for_import(store_copy))
    commit_import(plan, who="after", path=store_copy)
    assert "kill-1" in set(read_layer("incubators", store_copy)["id"])
    assert audit_entries(store_copy)[-1]["who"] == "after"


def test_store_lock__another_thread_of_the_process_waits_like_another_process(store_copy):
    """Two Streamlit sessions are two threads of one process: the second writer must wait."""
    import threading
    import time

    from spatial.errors import StoreBusyError

    store = open_store(store_copy)
    inside, release, outcome = threading.Event(), threading.Event(), {}

    def first():
        with store.lock():
            with store.lock():  # re-entrant in the holding thread
                inside.set()
                release.wait(10)

    def second(timeout, key):
        try:
            with store.lock(timeout=timeout):
                outcome[key] = "held"
        except StoreBusyError:
            outcome[key] = "busy"

    holder = threading.Thread(target=first)
    holder.start()
    assert inside.wait(10)
    quick = threading.Thread(target=second, args=(0.2, "quick"))
    quick.start()
    quick.join()
    patient = threading.Thread(target=second, args=(10, "patient"))
    patient.start()
    time.sleep(0.2)
    assert "patient" not in outcome  # still waiting while the first thread holds the lock
    release.set()
    holder.join()
    patient.join()
    assert outcome == {"quick": "busy", "patient": "held"}


NEW_IN_5 = ("usable_area_m2", "usable_area_source", "space_area_m2", "floor_area_qualifier", "floor_area_as_of",
            "industries_source", "tenants", "planned_facilities")


def test_migration_5__a_store_without_the_measure_columns_gets_them_and_keeps_its_rows(store_copy):
    before = read_layer("incubators", store_copy)[["id", "floor_area_m2", "incubation_area_m2"]]
    if isinstance(store_copy, str):
        import psycopg

        with psycopg.connect(store_copy) as con:
            for column in NEW_IN_5:
                con.execute(f'ALTER TABLE incubators DROP COLUMN "{column}"')
            con.execute("DELETE FROM spacemap_migrations WHERE version > 4")
            con.execute("UPDATE spacemap_meta SET value = '4' WHERE key = 'schema_version'")
            con.execute("UPDATE spacemap_meta SET value = (value::bigint + 1)::text WHERE key = 'revision'")
    else:
        import sqlite3

        with sqlite3.connect(store_copy) as con:
            for column in NEW_IN_5:
                con.execute(f'ALTER TABLE incubators DROP COLUMN "{column}"')
            con.execute("DELETE FROM spacemap_migrations WHERE version > 4")
            con.execute("UPDATE spacemap_meta SET value = '4' WHERE key = 'schema_version'")
    ensure_store(store_copy)
    after = read_layer("incubators", store_copy)
    assert read_meta(store_copy)["schema_version"] == str(LATEST)
    assert set(NEW_IN_5) <= set(after.columns) and after["usable_area_m2"].isna().all()
    assert after[["id", "floor_area_m2", "incubation_area_m2"]].equals(before)
