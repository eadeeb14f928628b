"""The Progress and Tally pages under Streamlit's AppTest (the real app script)."""
from html import unescape

import pytest

from tests.conftest import use_location
from tests.helpers import html_tables, open_page, page_html


def _open(page: str, monkeypatch, store_path):
    use_location(store_path, monkeypatch)
    monkeypatch.setenv("SPACEMAP_TODAY", "2026-11-22")
    return open_page(page)


def test_progress_page__headline_outcome_and_ledger(store, monkeypatch):
    at = _open("views/progress_page.py", monkeypatch, store)
    assert at.header[0].value == "培育空间进度"
    html = page_html(at)
    assert "760,000 ㎡" in html and "占目标 50.7 %" in html  # reported, with its share of the goal…
    assert "与目标口径不同" in html and "科创孵化培育总面积" in html  # …and said to be another measure
    assert "5,000 ㎡" in html and "占目标 0.3 %" in html  # the ledger, labelled separately…
    assert "其中外部来源 5,000 ㎡" in html  # …all of it external
    assert "334,926 ㎡/a" in html
    assert "来源中没有两个同一口径的报告数，无法计算历史速度" in html  # no projected year: no like pace
    warning = at.warning[0].value
    assert "期限已过" in warning and "没有与目标同一口径（科技培育空间）的数字" in warning
    assert "之后来源中没有新的数字" in warning and "50.7 %" not in warning  # nothing after 2023-10
    assert "755,000" in " ".join(c.value for c in at.caption)  # the gap, explained
    assert "data:image/svg+xml;base64," in html  # the chart
    assert "口径不同，不是增速" in html and "无同口径数字" in html  # no pace, no verdict across measures
    assert "28（不晚于 2023-10-16）" in html  # the count targets (表1) with the latest count
    assert "华强北国际创客中心" in html  # the ledger's one counted row (external)
    assert "华强北低成本产业空间" not in html  # low-cost space is no cultivation carrier: not on the ledger
    ledger = html_tables(at, "sm-ledger")[0]
    zero = ledger.loc[ledger["当前计入(㎡)"].str.startswith("0"), "当前计入(㎡)"]
    assert len(zero) and all(v.startswith("0（") for v in zero)  # every zero says why, in the row
    assert {"0（面积未知）", "0（尚未运营）"} <= set(zero)  # e.g. 应用场景孵化器 is planned
    assert ".txt " not in html and "[ext]" not in html  # every source readable, never a file name or raw mark


def test_progress_page__external_toggle_empties_the_ledger(store, monkeypatch):
    at = _open("views/progress_page.py", monkeypatch, store)
    assert at.toggle(key="p_external").value  # external areas counted by default
    at.toggle(key="p_external").set_value(False).run()
    assert not at.exception
    assert "其中外部来源" not in page_html(at)
    assert "台账合计 0 ㎡，比最新报告数少 760,000 ㎡" in " ".join(c.value for c in at.caption)


def test_progress_page__what_if_adds_no_plan_of_another_measure(store, monkeypatch):
    at = _open("views/progress_page.py", monkeypatch, store)
    none_added = "没有与最新报告数同一口径的计划新增，可加到报告数上的为 0。"
    assert at.info[0].value == none_added  # both 2023 plans ticked by default, neither is incubation area

    def not_added() -> str:
        return " ".join(c.value for c in at.caption if c.value.startswith("口径不同，未加入"))
    assert "150,000" in not_added() and "100,000" in not_added()
    at.checkbox(key="p_wi_add-2023-hetao").uncheck().run()
    assert at.info[0].value == none_added
    assert "150,000" in not_added() and "100,000" not in not_added()
    at.checkbox(key="p_wi_add-2023-tech-buildings").uncheck().run()
    assert at.info[0].value == none_added and not not_added()


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
    html = unescape(page_html(at))
    assert "Latest reported" in html and "not the goal's measure" in html
    assert "deadline has passed" in at.warning[0].value


def test_tally_page__subdistricts_by_default_with_totals(store, monkeypatch):
    at = _open("views/tally_page.py", monkeypatch, store)
    table = html_tables(at, "sm-tally")[0].set_index("单元")
    assert table.loc["合计", "载体数"] == "55" and table.loc["合计", "其中按片区定位"] == "31"
    assert table.loc["福保街道", "建筑面积(㎡)"] == "561,087" and table.loc["福保街道", "使用面积(㎡)"] == "33,000"
    assert table.loc["华强北街道", "载体数"] == "0"  # its carriers are placed by a zone across units
    across = table.loc["（按片区定位，跨多个单元）"]
    assert across["载体数"] == "29" and across["提供空间面积(㎡)"] == "45,000"  # 华强北 40,000 + 创客中心 5,000
    assert table.loc["华富街道", "建筑面积(㎡)"] == "未知"
    assert table["载体数"].iloc[:-1].astype(int).sum() == 55  # rows add up to the total
    assert "不遗漏、不重复" in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("kind,unit,column,expected", [
    ("layer", "低成本产业空间", "提供空间面积(㎡)", "70,000"),  # space provided (中电智谷, BLACKARK inside 华强北)
    ("layer", "低成本产业空间", "建筑面积(㎡)", "未知"),  # no gross floor area stated
    ("hetao", "河套深圳园区内", "建筑面积(㎡)", "598,087"),  # 福保's 561,087 + 福鹏 37,000 placed by the zone
])
def test_tally_page__other_units(store, monkeypatch, kind, unit, column, expected):
    at = _open("views/tally_page.py", monkeypatch, store)
    at.radio(key="tl_kind").set_value(kind).run()
    table = html_tables(at, "sm-tally")[0].set_index("单元")
    assert unit in table.index
    assert table.loc[unit, column] == expected


def test_tally_page__external_figures_can_be_left_out(store, monkeypatch):
    at = _open("views/tally_page.py", monkeypatch, store)
    assert at.toggle(key="tl_external").value  # included by default, and said how much
    assert "合计中来自外部来源的部分：建筑面积(㎡) 337,000" in " ".join(c.value for c in at.caption)
    at.toggle(key="tl_external").set_value(False).run()
    table = html_tables(at, "sm-tally")[0].set_index("单元")
    assert table.loc["合计", "建筑面积(㎡)"] == "661,087" and table.loc["合计", "提供空间面积(㎡)"] == "70,000"
    assert "已排除外部来源的数字" in " ".join(c.value for c in at.caption)


def test_tally_page__show_on_map_opens_the_choropleth(store, monkeypatch):
    at = _open("views/tally_page.py", monkeypatch, store)
    at.button(key="tl_show_map").click().run()
    assert not at.exception
    assert at.selectbox(key="map_choropleth").value == "ch_sub_floor"


# ---- area settled through the platform (Progress page) ---------------------------------------------

SECRET_ENTERPRISE = "秘密生物科技有限公司"


def _with_leases(location, *, synthetic: bool = False) -> None:
    """Two enquiries by a named enterprise and their signed leases (300 m² moved in, in an incubator,
    2026Q1; 1,200 m² in a science park, 2026Q3)."""
    import pandas as pd

    from geodata.stewardship.market import submit_enquiry
    from geodata.storage import append_rows
    from spatial.need import Need

    refs = [submit_enquiry(Need(industry="biomed"), enterprise_name=SECRET_ENTERPRISE, contact_name="李四",
                           contact_phone="13900139000", consent=True, consent_version="v", consent_text="同意",
                           location=location)["ref"] for _ in range(2)]
    lease = {"unit_ids": None, "rent_cny_m2_month": None, "rent_source": None, "end": None,
             "signed_by": "staff-test", "synthetic": synthetic}
    append_rows("leases", pd.DataFrame([
        {**lease, "id": "lease-t1", "enquiry_id": refs[0], "carrier_id": "inc-boji", "area_m2": 300.0,
         "start": "2026-04-01", "signed_at": "2026-03-10T02:00:00+00:00", "moved_in_at": "2026-04-02T02:00:00+00:00"},
        {**lease, "id": "lease-t2", "enquiry_id": refs[1], "carrier_id": "sp-biomed", "area_m2": 1200.0,
         "start": "2026-09-01", "signed_at": "2026-08-01T02:00:00+00:00", "moved_in_at": None}]), location)


def _settled_texts(at) -> str:
    return page_html(at) + " ".join(m.value for m in [*at.markdown, *at.caption, *at.info])


@pytest.mark.parametrize("lang,none_yet", [
    ("zh", "尚无经平台落地的面积（0 ㎡）"), ("en", "No space has been settled through the platform yet (0 m²)")])
def test_progress_page__nothing_settled_through_the_platform_yet(store, monkeypatch, lang, none_yet):
    at = _open("views/progress_page.py", monkeypatch, store)
    if lang == "en":
        at.sidebar.radio(key="lang_switch").set_value("en").run()
    assert at.subheader[-1].value == ("经平台落地面积" if lang == "zh" else "Settled through the platform")
    assert at.info[-1].value.startswith(none_yet)
    assert not [m for m in at.markdown if "badge" in m.value]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_progress_page__settled_through_the_platform_apart_from_the_reports(store_copy, monkeypatch, lang):
    _with_leases(store_copy)
    at = _open("views/progress_page.py", monkeypatch, store_copy)
    if lang == "en":
        at.sidebar.radio(key="lang_switch").set_value("en").run()
    assert not at.exception
    html = unescape(page_html(at))
    m2 = "㎡" if lang == "zh" else "m²"
    assert f"1,500 {m2}" in html and ("2 份租约" if lang == "zh" else "2 lease(s)") in html
    assert f"300 {m2}" in html  # moved in, and in incubation carriers (an incubator)
    assert "2026Q1" in html and "2026Q3" in html and ("河套–福保" if lang == "zh" else "Hetao–Fubao") in html
    note = " ".join(c.value for c in at.caption)
    assert ("不计入上面的报告数和台账" if lang == "zh" else "counted apart from the reported figures and the ledger") in note
    assert f"760,000 {m2}" in html and f"5,000 {m2}" in html  # the reported figure and the ledger: unchanged
    assert not [m for m in at.markdown if ":orange-badge" in m.value]  # real leases: no demo badge
    texts = _settled_texts(at)
    assert SECRET_ENTERPRISE not in texts and "李四" not in texts and "13900139000" not in texts


def test_progress_page__synthetic_leases_get_the_demo_badge(store_copy, monkeypatch):
    _with_leases(store_copy, synthetic=True)
    at = _open("views/progress_page.py", monkeypatch, store_copy)
    assert any(":orange-badge" in m.value and "合成演示数据" in m.value for m in at.markdown)


def test_tally_page__only_the_open_tab_is_built(store, monkeypatch):
    from tests.helpers import open_tab
    from views import tally_page

    at = _open("views/tally_page.py", monkeypatch, store)
    assert html_tables(at, "sm-tally") and not any("还没有企业经济数据" in i.value for i in at.info)
    open_tab(at, tally_page, "ec_tab_economy")
    assert any("还没有企业经济数据" in i.value for i in at.info)  # the economy tab, now open…
    assert not html_tables(at, "sm-tally") and "tl_kind" not in [r.key for r in at.radio]  # …the areas' not built
    open_tab(at, tally_page, "ec_tab_areas")  # …and back: the tally again
    assert html_tables(at, "sm-tally")[0]["单元"].iloc[-1] == "合计"
