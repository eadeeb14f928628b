"""The Progress and Tally pages under Streamlit's AppTest (the real app script)."""
import pytest

from tests.conftest import use_location
from tests.helpers import open_page, page_html


def _open(page: str, monkeypatch, store_path):
    use_location(store_path, monkeypatch)
    monkeypatch.setenv("SPACEMAP_TODAY", "2026-11-22")
    return open_page(page)


def test_progress_page__headline_outcome_and_ledger(store, monkeypatch):
    at = _open("views/progress_page.py", monkeypatch, store)
    assert at.header[0].value == "培育空间进度"
    html = page_html(at)
    assert "760,000 ㎡" in html and "占目标 50.7 %" in html  # reported, with its share of the goal
    assert "75,000 ㎡" in html and "占目标 5.0 %" in html  # the ledger, labelled separately
    assert "334,926 ㎡/a" in html and "2028" in html
    assert "期限已过" in at.warning[0].value and "50.7 %" in at.warning[0].value
    assert "685,000" in " ".join(c.value for c in at.caption)  # the gap, explained
    assert "data:image/svg+xml;base64," in html  # the chart
    assert "华强北低成本产业空间" in html  # ledger rows


def test_progress_page__what_if_boxes_change_the_projection(store, monkeypatch):
    at = _open("views/progress_page.py", monkeypatch, store)
    assert "1,010,000" in at.info[0].value  # both 2023 additions ticked by default
    at.checkbox(key="p_wi_add-2023-hetao").uncheck().run()
    assert "910,000" in at.info[0].value
    at.checkbox(key="p_wi_add-2023-tech-buildings").uncheck().run()
    assert "+ 0 ㎡" in at.info[0].value or "760,000 ㎡" in at.info[0].value


def test_progress_page__planner_sets_a_new_goal(store_copy, monkeypatch):
    from tests.helpers import open_as

    monkeypatch.setenv("SPACEMAP_TODAY", "2026-11-22")
    at = open_as("editor", store_copy, "views/progress_page.py")
    at.number_input(key="p_goal_m2").set_value(2_000_000.0)
    at.number_input(key="p_goal_year").set_value(2030)
    at.button(key="FormSubmitter:p_goal_form-保存目标").click().run()  # no reason given: refused, nothing stored
    assert any("理由" in e.value for e in at.error)
    at.text_input(key="p_goal_reason").input("15th five-year plan")
    at.button(key="FormSubmitter:p_goal_form-保存目标").click().run()
    assert not at.exception
    assert "2030 年底前达到 2,000,000" in " ".join(m.value for m in at.markdown)
    assert not at.warning  # the new deadline is open
    assert "天" in at.info[0].value


def test_progress_page__english(store, monkeypatch):
    at = _open("views/progress_page.py", monkeypatch, store)
    at.sidebar.radio(key="lang_switch").set_value("en").run()
    assert at.header[0].value == "Progress"
    assert "Latest reported" in page_html(at) and "deadline has passed" in at.warning[0].value


def test_tally_page__subdistricts_by_default_with_totals(store, monkeypatch):
    at = _open("views/tally_page.py", monkeypatch, store)
    table = at.dataframe[0].value.set_index("单元")
    assert table.loc["合计", "载体数"] == "32"
    assert table.loc["华强北街道", "建筑面积(㎡)"] == "45,000"
    assert table.loc["华富街道", "建筑面积(㎡)"] == "未知"
    assert table["载体数"].iloc[:-1].astype(int).sum() == 32  # rows add up to the total
    assert "不遗漏、不重复" in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("kind,unit,expected", [("layer", "低成本产业空间", 70_000), ("hetao", "河套深圳园区内", None)])
def test_tally_page__other_units(store, monkeypatch, kind, unit, expected):
    at = _open("views/tally_page.py", monkeypatch, store)
    at.radio(key="tl_kind").set_value(kind).run()
    table = at.dataframe[0].value.set_index("单元")
    assert unit in table.index
    if expected is not None:
        assert table.loc[unit, "建筑面积(㎡)"] == f"{expected:,}"


def test_tally_page__show_on_map_opens_the_choropleth(store, monkeypatch):
    at = _open("views/tally_page.py", monkeypatch, store)
    at.button(key="tl_show_map").click().run()
    assert not at.exception
    assert at.selectbox(key="map_choropleth").value == "ch_sub_floor"
