"""Spreadsheet output: no cell and no header starts a formula, and no value spans rows, read back
the way a spreadsheet or a script would (the csv module, openpyxl)."""
from __future__ import annotations

import csv
import io

import geopandas as gpd
import openpyxl
import pandas as pd
from shapely.geometry import Point

from geodata.reports.export import FORMULA_PREFIXES, carriers_csv, guard_formula, table_csv, table_xlsx

EVIL = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1",
        "a\r@SUM(1+1)", "b\r\n+1+1", "c\n=cmd|' /C calc'!A0", "plain 福田"]


def _csv_rows(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _assert_safe(cells: list) -> None:
    for cell in cells:
        if isinstance(cell, str):
            assert not cell.startswith(FORMULA_PREFIXES), repr(cell)
            assert "\r" not in cell, repr(cell)


def test_guard_formula__normalises_line_breaks_first():
    assert guard_formula("\r=1") == "'\n=1"
    assert guard_formula("a\r\n+1") == "a\n+1"
    assert guard_formula("\n@x") == "'\n@x"
    assert guard_formula(3) == 3


def test_table_csv__cells_and_headers_guarded_one_row_per_record():
    table = pd.DataFrame({"=cmd": EVIL, "+h\rx": ["ok"] * len(EVIL), "n": range(len(EVIL))})
    rows = _csv_rows(table_csv(table))
    assert len(rows) == 1 + len(EVIL)  # no value starts a row of its own
    assert rows[0] == ["'=cmd", "'+h\nx", "n"]
    for row in rows:
        assert len(row) == 3
        _assert_safe(row)
    assert [r[2] for r in rows[1:]] == [str(i) for i in range(len(EVIL))]
    assert rows[7][0] == "a\n@SUM(1+1)" and rows[8][0] == "b\n+1+1"


def test_table_csv__bare_carriage_return_is_quoted():
    raw = table_csv(pd.DataFrame({"name": ["x\r@SUM(1+1)", "y"], "v": [1, 2]}))
    text = raw.decode("utf-8-sig")
    assert '"x\n@SUM(1+1)"' in text and "\r@" not in text
    assert [line for line in text.split("\r\n") if line.startswith(("@", "+", "="))] == []


def test_carriers_csv__carriage_return_in_a_name_stays_in_its_row():
    frame = gpd.GeoDataFrame({"id": ["a", "b"], "name_zh": ["甲\r@SUM(1+1)", "乙\r+1+1"], "layer": ["x", "x"]},
                             geometry=[Point(114.05, 22.55), None], crs="EPSG:4326")
    rows = _csv_rows(carriers_csv(frame))
    assert len(rows) == 3 and [r[rows[0].index("id")] for r in rows[1:]] == ["a", "b"]
    for row in rows:
        _assert_safe(row)


def _xlsx_cells(raw: bytes) -> dict[str, list]:
    book = openpyxl.load_workbook(io.BytesIO(raw))
    return {ws.title: [(c.value, c.data_type) for row in ws.iter_rows() for c in row] for ws in book.worksheets}


def test_table_xlsx__cells_and_headers_guarded():
    table = pd.DataFrame({'=HYPERLINK("http://x","y")': EVIL, "ctrl\x07": ["a\x01b"] * len(EVIL)})
    sheets = _xlsx_cells(table_xlsx({"t": table}))
    cells = sheets["t"]
    assert all(kind != "f" for _, kind in cells)  # no formula cell
    _assert_safe([v for v, _ in cells])
    assert cells[0][0] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert ("a\ufffdb", "s") in cells


def test_table_xlsx__match_breakdown_sheet_headers_guarded():
    from views.match_page import _breakdown_frame

    rows = [{"id": f"c{i}", "name_zh": name, "name_en": name,
             "breakdown": {"industry": {"points": 2.0, "max_points": 3.0, "value": 1},
                           "area": {"points": 1.0, "max_points": 2.0, "value": None}}}
            for i, name in enumerate(['=HYPERLINK("http://x","y")', "@SUM(1+1)", "x\r+1+1"])]
    breakdown = _breakdown_frame(rows, "zh")
    assert '=HYPERLINK("http://x","y")' in breakdown.columns  # the page uses carrier names as headers
    cells = _xlsx_cells(table_xlsx({"shortlist": pd.DataFrame({"a": [1]}), "breakdown": breakdown}))["breakdown"]
    header = [v for v, _ in cells[:4]]
    assert header[1:] == ["'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(1+1)", "x\n+1+1"]
    assert all(kind != "f" for _, kind in cells)
    _assert_safe([v for v, _ in cells])
