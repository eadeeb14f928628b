"""The real app script under Streamlit's AppTest."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from layers.catalogue import AREA_FIELDS
from tests.helpers import html_tables
from views.overview import overview_table

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def app(store):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("views/overview.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_app__runs_in_chinese_by_default(app):
    assert app.header[0].value == "数据总览"
    table = html_tables(app, "sm-overview")[0]
    from layers.catalogue import PUBLIC_LAYERS

    assert len(table) == len(PUBLIC_LAYERS) == 22  # every public layer (not the pool, audit log, accounts, enquiries)
    assert {"units", "unit_attachments"} <= set(PUBLIC_LAYERS) and "enquiries" not in PUBLIC_LAYERS
    assert "图层" in table.columns and {"科技园区", "科研与中试平台", "其他专业楼宇", "资料来源"} <= set(table["图层"])
    assert {"使用面积合计(㎡)", "提供空间面积合计(㎡)"} <= set(table.columns)  # one measure per column
    registry = app.dataframe[-1].value  # the sources registry: each document by title, not file name
    assert "福田区科技创新“十四五”规划" in set(registry["标题"]) and len(registry) == 6
    assert [s.value for s in app.success][0].startswith("校验通过")


def test_app__english_switch(app):
    app.sidebar.radio(key="lang_switch").set_value("en").run()
    assert not app.exception
    assert app.header[0].value == "Data overview"
    table = html_tables(app, "sm-overview")[0]
    assert "Science parks" in set(table["Layer"])
    row = table.set_index("Key").loc["lowcost_spaces"]
    assert row["Floor area (m²)"] == "unknown"  # its figures are space provided, not floor area
    assert row["Space provided (m²)"] == "70,000 (4 stated)"  # 40,000 + 30,000: 中电智谷, BLACKARK inside 华强北
    assert row["Incubation area (m²)"] == "unknown"
    assert row["Validation"] == "OK"
    usable = table.set_index("Key").loc["science_parks", "Usable area (m²)"]
    assert usable == "33,000 (1 stated)"  # the quantum institute's 建筑使用面积
    notes = " ".join(c.value for c in app.caption)
    assert "are left out (2)" in notes  # the two space figures inside 华强北's are not counted twice


def test_app__approximate_boundaries_are_flagged(app):
    assert any("近似边界" in i.value for i in app.info)


def test_overview_table__problems_counted_per_layer():
    rows = [{"key": "incubators", "title_zh": "孵化器", "title_en": "Incubators", "role": "carrier",
             "feature_count": 2, "located_count": 1, "sources": ["s"],
             "stated_areas_m2": {f: {"sum": None, "known": 0, "unknown": 2, "within_parent": 0}
                                 for f in AREA_FIELDS}}]
    problems = [{"layer": "incubators", "id": "x", "field": "f", "value": 1, "message": "m"}] * 2
    table = overview_table(rows, problems, "en")
    assert table.loc[0, "Validation"] == "2 problem(s)"
    assert table.loc[0, "Land area (m²)"] == "unknown"
    assert table.loc[0, "Space provided (m²)"] == "unknown"
    assert table.loc[0, "Located"] == "1"
