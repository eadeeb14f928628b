"""The Map page under AppTest (the folium map itself is opaque here; see tests/e2e)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import XSS_NAME, add_xss_carrier

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _run(monkeypatch=None, store=None):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _html(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def test_map_page__default_page_lists_every_carrier(store):
    at = _run()
    assert at.header[0].value == "地图"
    assert at.caption[0].value == ("符合条件的载体：55 / 55（31 个按片区定位、以虚线片区表示；"
                                   "14 个位置未知；均不在地图上标点）")  # 45 carriers have no point
    assert "深圳国际量子研究院" in _html(at)


def test_map_page__search_by_pinyin_initials_selects_carrier(store):
    at = _run()
    at.sidebar.text_input(key="map_search").set_value("szxydxx").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="map_search_pick").value == "sp-xinyidai"
    detail = _html(at)
    assert "carrier-detail" in detail and "深圳新一代信息技术产业园" in detail
    # the source beside the figure, readably ("《short title》section"), with its as-of date flagged as old
    assert "《区科创局关于TA 20200005号提案的回复》二（一）: 占地面积3.28万平方米 · 截至 2020-08-10 （已超过两年）" in detail
    assert "约 400,000 m²" in detail  # the qualifier before the number
    panel = detail[detail.index("carrier-detail"):detail.index("</table>", detail.index("carrier-detail"))]
    assert ".txt" not in panel  # no citation by file name, even the second of several


def test_map_page__filters_change_the_count(store):
    at = _run()
    at.sidebar.multiselect(key="map_layers").set_value(["incubators"]).run()
    assert at.caption[0].value.startswith("符合条件的载体：8 / 55（3 个按片区定位、以虚线片区表示；2 个位置未知")
    at.sidebar.multiselect(key="map_industries").set_value(["biomed"]).run()
    assert at.caption[0].value.startswith("符合条件的载体：1 / 55（0 个按片区定位")  # the Boji incubator
    at.sidebar.number_input(key="map_min_available").set_value(100.0).run()
    assert at.caption[0].value.startswith("符合条件的载体：0 / 55")
    assert "可租面积未知" in at.caption[1].value


@pytest.mark.parametrize(("mode", "legend_text"), [
    ("ch_sub_floor", "500,000–600,000 m²"),  # six round classes of 100,000 m², the top one holding 福保 (561,087 m²)
    ("ch_cl_incubation", "未知"),  # no carrier states an incubation area: every zone is unknown
])
def test_map_page__choropleth_modes_render(store, mode, legend_text):
    at = _run()
    at.sidebar.selectbox(key="map_choropleth").set_value(mode).run()
    assert not at.exception
    assert legend_text in _html(at)


def test_map_page__english_and_amap(store):
    at = _run()
    at.sidebar.radio(key="lang_switch").set_value("en").run()
    at.sidebar.selectbox(key="map_basemap").set_value("amap").run()
    assert not at.exception
    assert at.header[0].value == "Map"
    assert any("GCJ-02" in c.value for c in at.caption)


def test_map_page__search_answers_under_its_box(store):
    """The answer sits right under the search box (it was below every filter, out of sight), with how many
    carriers match; no match says so as a warning."""
    at = _run()
    at.sidebar.text_input(key="map_search").set_value("szxydxx").run()
    labels = [w.label for w in at.sidebar if getattr(w, "label", None)]
    assert labels.index("搜索结果（1 个）") == labels.index("搜索载体（中文名、英文名或拼音首字母）") + 1
    at.sidebar.text_input(key="map_search").set_value("qqqxxxzzz").run()
    assert [w.value for w in at.sidebar.warning] == ["没有匹配的载体。"]
    assert not [s for s in at.sidebar.selectbox if s.key == "map_search_pick"]


def test_map_page__xss_payload_shown_as_text(store_copy):
    add_xss_carrier(store_copy)
    at = _run()
    at.sidebar.text_input(key="map_search").set_value("inc-xss-test").run()
    html = _html(at)
    assert XSS_NAME not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(3)" not in html


def test_map_page__without_units_the_detail_panel_is_as_before(store):
    """The bundled store lists no unit: the detail panel shows the stated figures only."""
    from messages import t

    at = _run()
    at.sidebar.text_input(key="map_search").set_value("szxydxx").run()
    html = _html(at)
    assert "carrier-detail" in html
    assert t("un_available_now", "zh") not in html and "sm-units" not in html
    assert not any(m.value.startswith("**可租单元") for m in at.markdown)
