"""Bad input through ``cli.py import``: each case is a per-row rejection (row, field, value, reason)
or a one-line error naming the file, never a traceback or "internal error", and the store is unchanged."""
from __future__ import annotations

import csv
import json
import math
import zipfile

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import Point

from tests.helpers import fingerprint
from tests.test_cli import run_cli

HEADER = ["编号", "名称", "英文名称", "经度", "纬度", "备注"]
LON, LAT = "114.0850", "22.5450"


def _csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _import(store, path) -> tuple[dict | None, str]:
    """Import ``path`` for real (not a dry run); (the JSON summary or None, stderr)."""
    before = fingerprint(store)
    out = run_cli("import", str(path), "--layer", "incubators", "--by", "test", "--json", store=store)
    assert "Traceback" not in out.stderr and "internal error" not in out.stderr, out.stderr
    assert fingerprint(store) == before  # nothing written
    return (json.loads(out.stdout) if out.stdout.strip() else None), out.stderr


def _rejections(store, path) -> list[tuple]:
    summary, stderr = _import(store, path)
    assert summary is not None, stderr
    assert summary["accepted"] == 0 and summary["committed"] is False
    return sorted((r["row"], r["field"], r["value"], r["reason"]) for r in summary["rejected"])


def _one_line_error(store, path) -> str:
    summary, stderr = _import(store, path)
    assert summary is None
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


def test_read_table__file_name_over_255_characters(store_copy, tmp_path):
    line = _one_line_error(store_copy, tmp_path / ("名" * 296 + ".csv"))
    assert line == "error: " + "名" * 40 + "…: the file name is 300 characters; the limit is 255"


def test_validate_layer__over_long_name_and_text_rejected_per_row(store_copy, tmp_path):
    path = _csv(tmp_path / "long.csv", [["bad-long-1", "名" * 201, "Long", LON, LAT, "备" * 2001]])
    rejected = _rejections(store_copy, path)
    assert [(row, field, reason) for row, field, _, reason in rejected] == [
        (2, "name_zh", "longer than 200 characters (the limit for ids and names)"),
        (2, "notes", "longer than 2,000 characters (the limit for text fields)")]
    assert rejected[0][2] == "名" * 60 + "… (201 characters)"


def _entity_bomb(path):
    book = openpyxl.Workbook()
    book.active.append(["名称", "经度", "纬度"])
    book.active.append(["炸弹", 114.085, 22.545])
    plain = path.with_name("plain.xlsx")
    book.save(plain)
    entities = [f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 2 else "")) * 10}">' for i in range(2, 10)]
    doctype = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(entities) + "]>"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "xl/worksheets/sheet1.xml":
                text = data.decode().split("?>", 1)[-1].replace("<t>炸弹</t>", "<t>&lol9;</t>")
                data = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + doctype + text).encode()
            zout.writestr(name, data)
    return path


def test_read_table__xml_entity_bomb_xlsx(store_copy, tmp_path):
    line = _one_line_error(store_copy, _entity_bomb(tmp_path / "bomb.xlsx"))
    assert line == ("error: bomb.xlsx: not a readable XLSX workbook: XML entity declarations are not allowed "
                    "(a possible entity bomb)")


def test_read_table__unclosed_polygon_ring_rejected_per_row(store_copy, tmp_path):
    ring = [[114.084, 22.544], [114.086, 22.544], [114.086, 22.546]]  # first point not repeated
    closed = ring + [ring[0]]
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"编号": f"bad-ring-{i}", "名称": name},
         "geometry": {"type": "Polygon", "coordinates": [coords]}}
        for i, (name, coords) in enumerate([("未闭合", ring), ("闭合", closed)], start=1)]}
    path = tmp_path / "ring.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    before = fingerprint(store_copy)
    out = run_cli("import", str(path), "--layer", "incubators", "--dry-run", "--json", store=store_copy)
    assert "Traceback" not in out.stderr and "internal error" not in out.stderr, out.stderr
    summary = json.loads(out.stdout)
    assert summary["accepted"] == 1 and fingerprint(store_copy) == before
    assert summary["rejected"] == [{"row": 1, "field": "geometry",
                                    "value": "Points of LinearRing do not form a closed linestring",
                                    "reason": "a polygon ring is not closed"}]


def test_validate_layer__nul_byte_rejected_per_row(store_copy, tmp_path):
    path = _csv(tmp_path / "nul.csv", [["bad-nul-1", "名\x00字", "Nul", LON, LAT, ""]])
    assert ("name_zh", "名\\x00字", "contains a NUL character (0x00), which the store cannot hold") in \
        [r[1:] for r in _rejections(store_copy, path)]


@pytest.mark.parametrize("lon, lat", [("NaN", LAT), ("inf", LAT), (LON, "Infinity"), ("-inf", "nan")])
def test_check_locations__non_finite_coordinates_rejected(store_copy, tmp_path, lon, lat):
    path = _csv(tmp_path / "nan.csv", [["bad-nan-1", "无穷", "Inf", lon, lat, ""]])
    assert _rejections(store_copy, path) == [(2, "lon/lat", f"{lon},{lat}", "coordinates are not finite numbers")]


def test_check_locations__non_finite_geometry_rejected(store_copy, tmp_path):
    frame = gpd.GeoDataFrame({"编号": ["bad-inf-1", "bad-nan-2"], "名称": ["无穷", "非数"]},
                             geometry=[Point(math.inf, 22.545), Point(114.085, math.nan)], crs="EPSG:4326")
    path = tmp_path / "inf.gpkg"
    frame.to_file(path, layer="incubators")
    rejected = _rejections(store_copy, path)
    assert [(row, field, reason) for row, field, _, reason in rejected] == [
        (1, "geometry", "coordinates are not finite numbers"), (2, "geometry", "coordinates are not finite numbers")]


@pytest.mark.parametrize("column, text, reason", [
    (1, "abc\u202egpj.exe", "contains a right-to-left override or another bidi control character"),
    (1, "名\u2066称\u2069", "contains a right-to-left override or another bidi control character"),
    (5, "备注\u202b", "contains a right-to-left override or another bidi control character"),
    (1, "名\x07称", "contains a control character"),
    (2, "Name\x1b[31m", "contains a control character"),
    (5, "备\x0b注", "contains a control character"),
])
def test_validate_layer__bidi_and_control_characters_rejected(store_copy, tmp_path, column, text, reason):
    row = ["bad-ctl-1", "名称", "Name", LON, LAT, "备注"]
    row[column] = text
    field = {1: "name_zh", 2: "name_en", 5: "notes"}[column]
    rejected = _rejections(store_copy, _csv(tmp_path / "ctl.csv", [row]))
    assert (2, field, reason) in [(r[0], r[1], r[3]) for r in rejected]
    shown = next(r[2] for r in rejected if r[1] == field)
    assert shown.isprintable() and "\\" in shown  # the character is shown as an escape


def test_commit_import__a_large_import_is_not_refused_for_its_own_audit_entry(store_copy, tmp_path):
    """The length limit is for people's text, not for the change set the application writes (found
    by the city benchmark: a 100,000-row import failed on its audit entry)."""
    from geodata.ingest.importer import plan_import
    from geodata.stewardship.commits import audit_entries, commit_import
    from geodata.storage import frames_for_import, read_layer

    rows = [[f"bulk-{i:04d}", f"批量空间 {i}", LON, LAT] for i in range(300)]
    path = tmp_path / "bulk.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["id", "name_zh", "lon", "lat"], *rows])
    plan = plan_import(path, "incubators", frames_for_import(store_copy))
    assert len(plan.accepted) == 300 and not plan.rejected
    result = commit_import(plan, who="test", path=store_copy)
    assert result["added"] == 300
    audit = read_layer("audit_log", store_copy)
    assert len(audit["changes"].iloc[-1]) > 2_000 and audit_entries(store_copy)[-1]["accepted"] == 300
