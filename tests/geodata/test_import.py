"""Importing carriers: every format and encoding, the mistake detectors, commit, undo, export."""
from __future__ import annotations

import json
from pathlib import Path
import sqlite3
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point

from geodata.ingest.importer import plan_import
from geodata.ingest.readers import ImportReadError
from geodata.reports.store_export import export_store
from geodata.stewardship.commits import audit_entries, commit_import, list_backups, store_lock, undo_last
from geodata.storage import read_all, read_layer
from tests.conftest import location_env
from tests.helpers import fingerprint, kill_import_mid_write
from spatial.crs import wgs84_to_bd09, wgs84_to_gcj02

LON, LAT = 114.0850, 22.5450  # 华强北, inside Futian
HEADER_ZH = "编号,名称,英文名称,地址,建筑面积,可租面积,租金,经度,纬度,产业"


def _row(i=1, lon=LON, lat=LAT, floor="1200"):
    return f"imp-{i},测试空间{i},Test space {i},华强北,{floor},300,120,{lon},{lat},ai"



def _plan(path, store_copy, **kw):
    return plan_import(path, kw.pop("layer", "incubators"), read_all(store_copy), **kw)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_plan_import__csv_encodings(tmp_path, store_copy, encoding):
    path = tmp_path / "a.csv"
    path.write_bytes(f"{HEADER_ZH}\n{_row()}\n".encode(encoding))
    plan = _plan(path, store_copy)
    assert plan.rejected == [] and plan.added == ["imp-1"]
    row = plan.accepted.iloc[0]
    assert row["name_zh"] == "测试空间1" and row["floor_area_m2"] == 1200.0 and row["available_area_m2"] == 300.0
    assert row["floor_area_source"] == "import of a.csv"
    assert row.geometry.x == pytest.approx(LON) and row.geometry.y == pytest.approx(LAT)


def test_plan_import__xlsx_with_english_headers(tmp_path, store_copy):
    path = tmp_path / "a.xlsx"
    pd.DataFrame({"ID": ["imp-x"], "Name": ["表格空间"], "Floor area": [800], "Longitude": [LON], "Latitude": [LAT],
                  "Remarks": ["from a spreadsheet"]}).to_excel(path, index=False)
    plan = _plan(path, store_copy)
    assert plan.rejected == []
    assert plan.accepted.iloc[0]["name_en"] == "Biao Ge Kong Jian"  # transliterated, and said so
    assert any("pinyin" in n for n in plan.notes)


def _points(crs="EPSG:4326", xy=(LON, LAT)):
    return gpd.GeoDataFrame({"id": ["imp-g"], "name_zh": ["地理空间"], "name_en": ["Geo space"]},
                            geometry=[Point(*xy)], crs="EPSG:4326").to_crs(crs)


def test_plan_import__geojson_and_geopackage(tmp_path, store_copy):
    for name, driver in (("a.geojson", "GeoJSON"), ("a.gpkg", "GPKG")):
        path = tmp_path / name
        pyogrio.write_dataframe(_points(), path, driver=driver)
        plan = _plan(path, store_copy)
        assert plan.rejected == [] and plan.added == ["imp-g"], name


def test_plan_import__zipped_shapefile_honours_prj_and_cpg(tmp_path, store_copy):
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(_points("EPSG:4547"), folder / "spaces.shp", encoding="GBK")
    assert (folder / "spaces.cpg").read_text().strip().upper() in ("GBK", "CP936", "936")
    path = tmp_path / "spaces.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f.name)
    plan = _plan(path, store_copy)
    assert plan.rejected == []
    row = plan.accepted.iloc[0]
    assert row["name_zh"] == "地理空间"  # GBK text read through the .cpg
    assert row.geometry.x == pytest.approx(LON, abs=1e-7)  # projected through the .prj


def test_plan_import__zip_without_prj_refused(tmp_path, store_copy):
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(_points(), folder / "s.shp")
    (folder / "s.prj").unlink()
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f.name)
    with pytest.raises(ImportReadError, match="no .prj"):
        _plan(path, store_copy)


@pytest.mark.parametrize("crs,convert", [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09),
                                         ("cgcs2000", lambda x, y: (x, y))])
def test_plan_import__declared_chinese_datums_are_shifted_back(tmp_path, store_copy, crs, convert):
    x, y = convert(np.array([LON]), np.array([LAT]))
    path = tmp_path / "a.csv"
    path.write_text(f"{HEADER_ZH}\n{_row(lon=x[0], lat=y[0])}\n", encoding="utf-8")
    geom = _plan(path, store_copy, crs=crs).accepted.geometry.iloc[0]
    assert geom.x == pytest.approx(LON, abs=1e-6) and geom.y == pytest.approx(LAT, abs=1e-6)


def test_plan_import__metric_coordinates_with_zone_prefix(tmp_path, store_copy):
    metric = _points("EPSG:4547").geometry.iloc[0]
    path = tmp_path / "a.csv"
    path.write_text(f"{HEADER_ZH}\n{_row(lon=38_000_000 + metric.x, lat=metric.y)}\n", encoding="utf-8")
    plan = _plan(path, store_copy, crs="epsg:4547")
    assert plan.rejected == [] and any("zone prefix" in n for n in plan.notes)
    assert plan.accepted.geometry.iloc[0].x == pytest.approx(LON, abs=1e-6)


def test_plan_import__mistakes_are_rejected_with_row_field_value_reason(tmp_path, store_copy):
    path = tmp_path / "a.csv"
    path.write_text("\n".join([HEADER_ZH, _row(1), _row(2, lon=LAT, lat=LON), _row(3, lon=113.0, lat=23.5),
                               _row(4, floor="abc"), _row(5, lon="x"), _row(1)]) + "\n", encoding="utf-8")
    plan = _plan(path, store_copy)
    by_row = {r.row: r for r in plan.rejected}
    assert plan.accepted_rows == [2]
    assert "swapped" in by_row[3].reason and by_row[3].field == "lon/lat"
    assert "outside Shenzhen" in by_row[4].reason
    assert by_row[5].field == "floor_area_m2" and by_row[5].value == "abc"
    assert "not numbers" in by_row[6].reason
    assert "duplicate id (also on row 2)" in by_row[7].reason


def test_plan_import__amap_file_declared_wgs84_is_caught(tmp_path, store_copy):
    path = tmp_path / "spaces_from_amap.csv"
    path.write_text(f"{HEADER_ZH},来源\n{_row()},高德地图拾取\n", encoding="utf-8")
    plan = _plan(path, store_copy)
    assert plan.accepted_rows == [] and "--crs gcj02" in plan.rejected[0].reason
    assert _plan(path, store_copy, crs="gcj02").rejected == []


def test_plan_import__outside_futian_but_inside_shenzhen(tmp_path, store_copy):
    path = tmp_path / "a.csv"
    path.write_text(f"{HEADER_ZH}\n{_row(lon=113.93, lat=22.54)}\n", encoding="utf-8")  # 南山
    plan = _plan(path, store_copy)  # the store holds Shenzhen's carriers; the app's scope shows Futian or all
    assert not plan.rejected and len(plan.accepted) == 1
    assert any("outside Futian" in note and "all of Shenzhen" in note for note in plan.notes)


@pytest.mark.parametrize("content,message", [
    (b"", "empty"), (b"\xff\xfe\x00garbage\x81\x82", "neither UTF-8 nor GBK"), (b"PK\x03\x04broken", "not a readable"),
])
def test_read__unreadable_files(tmp_path, store_copy, content, message):
    suffix = ".xlsx" if content.startswith(b"PK") else ".csv"
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(content)
    with pytest.raises(ImportReadError, match=message):
        _plan(path, store_copy)


def test_read__zip_bomb_refused(tmp_path, store_copy):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.shp", b"\0" * 300_000_000)
    with pytest.raises(ImportReadError, match="zip bomb"):
        _plan(path, store_copy)


def test_read__oversized_file_refused(tmp_path, store_copy):
    path = tmp_path / "big.csv"
    with open(path, "wb") as f:
        f.truncate(51 * 1024 * 1024)
    with pytest.raises(ImportReadError, match="limit is 50 MB"):
        _plan(path, store_copy)


def test_commit_import__updates_show_a_diff_and_undo_restores(tmp_path, store_copy):
    path = tmp_path / "a.csv"
    path.write_text(f"{HEADER_ZH}\n{_row(1)}\n", encoding="utf-8")
    first = commit_import(_plan(path, store_copy), who="steward-a", path=store_copy)
    assert first["added"] == 1
    path.write_text(f"{HEADER_ZH}\n{_row(1, floor='1500')}\n{_row(2)}\n", encoding="utf-8")
    plan = _plan(path, store_copy)
    assert plan.updated == {"imp-1": [{"field": "floor_area_m2", "old": 1200.0, "new": 1500.0}]}
    assert plan.added == ["imp-2"]
    commit_import(plan, who="steward-b", path=store_copy)
    layer = read_layer("incubators", store_copy).set_index("id")
    assert layer.loc["imp-1", "floor_area_m2"] == 1500.0 and "imp-2" in layer.index
    log = audit_entries(store_copy)
    assert [e["who"] for e in log] == ["steward-a", "steward-b"]
    assert log[-1]["sha256"] == plan.sha256 and log[-1]["file_name"] == "a.csv" and log[-1]["updated"] == 1
    undo_last(who="steward-b", path=store_copy)
    layer = read_layer("incubators", store_copy).set_index("id")
    assert layer.loc["imp-1", "floor_area_m2"] == 1200.0 and "imp-2" not in layer.index
    undo_last(who="steward-a", path=store_copy)
    assert "imp-1" not in set(read_layer("incubators", store_copy)["id"])
    with pytest.raises(Exception, match="nothing to undo"):
        undo_last(who="x", path=store_copy)


@pytest.mark.gpkg_only  # file backups; a database is backed up by its own tools
def test_commit_import__backup_before_each_commit_keeps_ten(tmp_path, store_copy):
    path = tmp_path / "a.csv"
    for i in range(12):
        path.write_text(f"{HEADER_ZH}\n{_row(i)}\n", encoding="utf-8")
        commit_import(_plan(path, store_copy), who="s", path=store_copy)
    assert len(list_backups(store_copy)) == 10


@pytest.mark.gpkg_only  # the file rewrite; PostGIS: tests/geodata/test_postgis.py
def test_commit_import__crash_mid_write_leaves_store_unchanged(tmp_path, store_copy, monkeypatch):
    import geodata.storage.gpkg as store_module

    path = tmp_path / "a.csv"
    path.write_text(f"{HEADER_ZH}\n{_row()}\n", encoding="utf-8")
    plan = _plan(path, store_copy)
    before = store_copy.read_bytes()
    calls = []

    def crash(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:  # the carriers were appended to the copy; the audit entry crashes
            raise OSError("simulated crash")
        return original(*args, **kwargs)

    original = store_module._write_layer
    monkeypatch.setattr(store_module, "_write_layer", crash)
    with pytest.raises(Exception, match="simulated crash"):
        commit_import(plan, who="s", path=store_copy)
    assert store_copy.read_bytes() == before
    assert not list(store_copy.parent.glob(".*.tmp.gpkg"))


def test_store_lock__second_writer_gets_store_busy(store_copy, tmp_path):
    import subprocess
    import sys

    csv = tmp_path / "a.csv"
    csv.write_text(f"{HEADER_ZH}\n{_row()}\n", encoding="utf-8")
    repo = Path(__file__).resolve().parents[2]
    with store_lock(store_copy):  # this process is writing; another one tries to import
        out = subprocess.run([sys.executable, str(repo / "cli.py"), "import", str(csv), "--layer", "incubators"],
                             capture_output=True, text=True, env={**__import__("os").environ,
                                                                  **location_env(store_copy)}, timeout=120)
    assert out.returncode == 2 and "store busy, try again" in out.stderr
    assert "imp-1" not in set(read_layer("incubators", store_copy)["id"])


def _import_in_process(args):
    store_path, csv_path = args
    from pathlib import Path

    from tests.conftest import use_location

    use_location(store_path)
    store_path = store_path if store_path.startswith("postgresql://") else Path(store_path)

    from geodata.ingest.importer import plan_import as plan
    from geodata.stewardship.commits import StoreBusyError as Busy
    from geodata.stewardship.commits import commit_import as commit
    from geodata.storage import read_all as all_layers

    try:
        p = plan(Path(csv_path), "incubators", all_layers(store_path))
        commit(p, who="proc", path=store_path)
        return "ok"
    except Busy:
        return "busy"


def test_commit_import__concurrent_writers_never_corrupt_or_lose(tmp_path, store_copy):
    import multiprocessing as mp

    files = []
    for i in range(6):
        path = tmp_path / f"c{i}.csv"
        path.write_text(f"{HEADER_ZH}\n{_row(100 + i)}\n", encoding="utf-8")
        files.append((str(store_copy), str(path)))
    with mp.get_context("spawn").Pool(4) as pool:
        outcomes = pool.map(_import_in_process, files)
    ids = set(read_layer("incubators", store_copy)["id"])
    for outcome, (_, csv) in zip(outcomes, files):
        wanted = f"imp-{100 + int(csv[-5])}"
        assert (wanted in ids) == (outcome == "ok")  # busy writers changed nothing; the others are all there
    assert outcomes.count("ok") >= 1
    assert len([e for e in audit_entries(store_copy) if e["action"] == "import"]) == outcomes.count("ok")
    if not isinstance(store_copy, str):
        with sqlite3.connect(store_copy) as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_export__geopackage_reimports_to_an_identical_store(tmp_path, store_copy):
    out = tmp_path / "export.gpkg"
    export_store("gpkg", out, path=store_copy)
    for layer in ("science_parks", "tech_buildings", "lowcost_spaces", "incubators"):
        plan = plan_import(out, layer, read_all(store_copy))
        assert plan.rejected == [] and plan.added == [] and plan.updated == {}, layer
        assert len(plan.unchanged) == len(read_layer(layer, store_copy))


def test_export__geojson_csv_xlsx(tmp_path, store_copy):
    gj = export_store("geojson", tmp_path / "gj", path=store_copy)
    assert {p.name for p in gj} >= {"incubators.geojson", "subdistricts.geojson", "incubation_reports.geojson"}
    assert json.loads((tmp_path / "gj" / "incubators.geojson").read_text())["features"]
    csv = export_store("csv", tmp_path / "csv", path=store_copy)
    assert (tmp_path / "csv" / "incubators.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(csv) >= 5
    xlsx = export_store("xlsx", tmp_path / "all.xlsx", path=store_copy)[0]
    assert "incubators" in pd.read_excel(xlsx, sheet_name=None)


def test_edit_fields__a_figure_without_its_source_is_refused(store_copy):
    from geodata.stewardship.commits import edit_fields

    before = fingerprint(store_copy)
    with pytest.raises(Exception, match="without a source"):
        edit_fields("lc-fintech-city", {"available_area_m2": "1200"}, reason="site visit", who="wang", path=store_copy)
    assert fingerprint(store_copy) == before


def test_edit_fields__audited_with_reason_and_undoable(store_copy):
    from geodata.stewardship.commits import edit_fields

    result = edit_fields("lc-fintech-city", {"available_area_m2": "1200", "available_area_source": "site visit"},
                         reason="site visit 2026-11", who="wang", path=store_copy)
    assert result["changes"][0] == {"field": "available_area_m2", "old": None, "new": "1200"}
    row = read_layer("lowcost_spaces", store_copy).set_index("id").loc["lc-fintech-city"]
    assert row["available_area_m2"] == 1200.0
    log = audit_entries(store_copy)
    assert log[-1]["action"] == "edit" and log[-1]["reason"] == "site visit 2026-11" and log[-1]["who"] == "wang"
    undo_last(who="wang", path=store_copy)
    row = read_layer("lowcost_spaces", store_copy).set_index("id").loc["lc-fintech-city"]
    assert pd.isna(row["available_area_m2"])
    with pytest.raises(Exception, match="reason"):
        edit_fields("lc-fintech-city", {"notes": "x"}, reason=" ", who="wang", path=store_copy)
    with pytest.raises(Exception, match="wrong type"):
        edit_fields("lc-fintech-city", {"floor_area_m2": "lots"}, reason="x", who="wang", path=store_copy)


def test_plan_import__explicit_mapping_file_and_row_status(tmp_path, store_copy):
    path = tmp_path / "odd.csv"
    path.write_text("载体代码,项目,E-Name,GFA_sqm,X,Y\nm-1,映射空间,Mapped,700,114.085,22.545\nm-2,坏,Bad,x,114.085,22.545\n",
                    encoding="utf-8")
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"载体代码": "id", "项目": "name_zh", "E-Name": "name_en", "GFA_sqm": "floor_area_m2",
                                   "X": "lon", "Y": "lat"}), encoding="utf-8")
    plan = _plan(path, store_copy, mapping_file=mapping)
    assert plan.accepted.iloc[0]["floor_area_m2"] == 700.0
    assert plan.summary()["row_status"] == [{"row": 2, "id": "m-1", "status": "new"},
                                            {"row": 3, "id": None, "status": "rejected"}]
    mapping.write_text(json.dumps({"项目": "nonsense"}), encoding="utf-8")
    with pytest.raises(Exception, match="unknown field"):
        _plan(path, store_copy, mapping_file=mapping)


@pytest.mark.gpkg_only  # the file rewrite; PostGIS: tests/geodata/test_postgis.py
def test_commit_import__process_killed_mid_write_leaves_store_unchanged(tmp_path, store_copy):
    """A real crash: the importing process is killed (SIGKILL) while it writes the new store."""
    csv = tmp_path / "a.csv"
    csv.write_text(f"{HEADER_ZH}\n{_row()}\n", encoding="utf-8")
    before = store_copy.read_bytes()
    marker = tmp_path / "writing"
    patch = f"""
import geodata.storage.gpkg as store_module
original = store_module._write_layer
def slow(*a, **k):
    original(*a, **k)
    Path({str(marker)!r}).write_text("x")
    time.sleep(60)  # killed here, after writing part of the copy
store_module._write_layer = slow
"""
    kill_import_mid_write(store_copy, csv, marker, patch)
    assert store_copy.read_bytes() == before
    with sqlite3.connect(store_copy) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with store_lock(store_copy, timeout=1):  # the dead process's lock is gone
        pass
    commit_import(_plan(csv, store_copy), who="after", path=store_copy)  # and the next import works


def test_plan_import__duplicate_id_problems_stay_on_their_own_rows(tmp_path, store_copy):
    """Found by the fuzz test: a bad figure on the first of two rows with one id was blamed on the second."""
    path = tmp_path / "dup.csv"
    path.write_text(f"{HEADER_ZH}\n{_row(5, floor='-1')}\n{_row(5)}\n", encoding="utf-8")
    plan = _plan(path, store_copy)
    reasons = {(r.row, r.field): r.reason for r in plan.rejected}
    assert reasons[(2, "floor_area_m2")] == "must not be negative"
    assert "duplicate id" in reasons[(3, "id")]
    assert plan.accepted.empty


GOOD = "ok-1,好空间,Good space,114.085,22.545"


def _file(tmp_path, columns: str, *rows: str, good: str | None = None):
    """A CSV of ``id,name_zh,name_en,lon,lat`` plus ``columns``; the first row is a good one
    (``good``: its cells in ``columns``, blank by default)."""
    extra = columns.count(",") + 1 if columns else 0
    path = tmp_path / "gap.csv"
    lines = [f"id,name_zh,name_en,lon,lat{',' + columns if columns else ''}",
             GOOD + ("," + good if good is not None else "," * extra), *rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _plan_and_commit(path, store_copy):
    """Plan, then commit: the commit's validator must take whatever the plan accepted."""
    plan = _plan(path, store_copy)
    commit_import(plan, who="t", path=store_copy)
    return plan, set(read_layer("incubators", store_copy)["id"])


@pytest.mark.parametrize("columns,row,field,reason", [
    ("floor_area_m2,floor_area_source", "g-2,乙,B,114.085,22.545,-5,survey", "floor_area_m2", "must not be negative"),
    ("floor_area_m2,floor_area_source", "g-2,乙,B,114.085,22.545,800,", "floor_area_source",
     "floor_area_m2 = 800.0 is stated without a source"),
    ("floor_area_source", "g-2,乙,B,114.085,22.545,survey", "floor_area_m2",
     "floor_area_source is given but the figure is missing"),
    ("industries", "g-2,乙,B,114.085,22.545,warp_drive", "industries", "unknown industries code"),
    ("status", "g-2,乙,B,114.085,22.545,exploded", "status", "unknown status code"),
    ("location_basis", "g-2,乙,B,114.085,22.545,unknown", "location_basis",
     "location_basis is 'unknown' but a geometry is given"),
    ("status", "g-2,乙,B,114.085,22.545,", "status", "required value is missing"),
    ("accuracy_m", "g-2,乙,B,114.085,22.545,-1", "accuracy_m", "must not be negative"),
    ("", "g-2,,B,114.085,22.545", "name_zh", "required value is missing"),
])
def test_commit_import__each_validator_rule_is_caught_on_its_row(tmp_path, store_copy, columns, row, field, reason):
    good = {"status": "operating", "location_basis": "address"}.get(columns)
    plan, stored = _plan_and_commit(_file(tmp_path, columns, row, good=good), store_copy)
    assert plan.accepted_rows == [2] and "ok-1" in stored and "g-2" not in stored
    assert [(r.row, r.field) for r in plan.rejected] == [(3, field)]
    assert plan.rejected[0].reason.split(";")[0] == reason


def test_plan_import__carrier_named_as_its_own_parent_rejected_on_its_row(tmp_path, store_copy):
    """Was: accepted, then the commit failed whole ("a carrier cannot be its own parent")."""
    plan, stored = _plan_and_commit(_file(tmp_path, "parent_id", "g-2,乙,B,114.085,22.545,g-2"), store_copy)
    assert [r.as_dict() for r in plan.rejected] == [
        {"row": 3, "field": "parent_id", "value": "g-2", "reason": "a carrier cannot be its own parent"}]
    assert "ok-1" in stored and "g-2" not in stored


def test_plan_import__children_of_a_rejected_row_are_rejected_too(tmp_path, store_copy):
    """Was: the child of a rejected row was accepted, then the commit failed whole ("parent carrier does not exist")."""
    path = _file(tmp_path, "parent_id,floor_area_m2,floor_area_source",
                 "p-1,父,Parent,114.085,22.545,,-5,survey",     # rejected: negative figure
                 "c-1,子,Child,114.085,22.545,p-1,,",           # its child
                 "c-2,孙,Grandchild,114.085,22.545,c-1,,",      # and grandchild
                 "c-3,另,Other,114.085,22.545,ok-1,,",          # the child of an accepted row stays
                 "c-4,无,Orphan,114.085,22.545,ghost,,")
    plan, stored = _plan_and_commit(path, store_copy)
    assert [(r.row, r.field, r.value, r.reason) for r in plan.rejected] == [
        (3, "floor_area_m2", -5.0, "must not be negative"),
        (4, "parent_id", "p-1", "parent carrier is on a rejected row of this file"),
        (5, "parent_id", "c-1", "parent carrier is on a rejected row of this file"),
        (7, "parent_id", "ghost", "parent carrier does not exist")]
    assert plan.accepted_rows == [2, 6] and {"ok-1", "c-3"} <= stored and not {"p-1", "c-1", "c-2"} & stored


def test_plan_import__text_with_a_nul_character_rejected_on_its_row(tmp_path, store_copy):
    """Was: accepted, then PostgreSQL refused the whole commit (text cannot hold 0x00)."""
    plan, stored = _plan_and_commit(_file(tmp_path, "", "g-2,乙\x00丙,B,114.085,22.545"), store_copy)
    assert [r.as_dict() for r in plan.rejected] == [
        {"row": 3, "field": "name_zh", "value": "乙\\x00丙",
         "reason": "contains a NUL character (0x00), which the store cannot hold"}]
    assert "ok-1" in stored and "g-2" not in stored


def test_plan_import__full_width_digits_in_a_figure_cite_the_file(tmp_path, store_copy):
    """Was: "１２００" typed as 1200 but the file was not cited for it, so the row was refused
    as "stated without a source"."""
    plan, _ = _plan_and_commit(_file(tmp_path, "floor_area_m2", "g-2,乙,B,114.085,22.545,１２００"), store_copy)
    assert plan.rejected == [] and plan.accepted_rows == [2, 3]
    row = read_layer("incubators", store_copy).set_index("id").loc["g-2"]
    assert row["floor_area_m2"] == 1200.0 and row["floor_area_source"] == "import of gap.csv"
