"""The real app script under Streamlit's AppTest."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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
    table = app.dataframe[0].value
    from layers.catalogue import PUBLIC_LAYERS

    assert len(table) == len(PUBLIC_LAYERS) == 15  # every public layer (not the pool, audit log, accounts)
    assert "图层" in table.columns and "科技园区" in set(table["图层"])
    assert [s.value for s in app.success][0].startswith("校验通过")


def test_app__english_switch(app):
    app.sidebar.radio(key="lang_switch").set_value("en").run()
    assert not app.exception
    assert app.header[0].value == "Data overview"
    table = app.dataframe[0].value
    assert "Science parks" in set(table["Layer"])
    row = table.set_index("Key").loc["lowcost_spaces"]
    assert row["Floor area (m²)"] == "70,000 (4 stated)"
    assert row["Incubation area (m²)"] == "unknown"
    assert row["Validation"] == "OK"


def test_app__approximate_boundaries_are_flagged(app):
    assert any("近似边界" in i.value for i in app.info)


def test_overview_table__problems_counted_per_layer():
    rows = [{"key": "incubators", "title_zh": "孵化器", "title_en": "Incubators", "role": "carrier",
             "feature_count": 2, "located_count": 1, "sources": ["s"],
             "stated_areas_m2": {f: {"sum": None, "known": 0, "unknown": 2, "within_parent": 0}
                                 for f in ("land_area_m2", "floor_area_m2", "incubation_area_m2", "available_area_m2")}}]
    problems = [{"layer": "incubators", "id": "x", "field": "f", "value": 1, "message": "m"}] * 2
    table = overview_table(rows, problems, "en")
    assert table.loc[0, "Validation"] == "2 problem(s)"
    assert table.loc[0, "Land area (m²)"] == "unknown"
    assert table.loc[0, "Located"] == "1"
