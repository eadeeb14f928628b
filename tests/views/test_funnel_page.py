"""The Funnel page under AppTest, on a store copy with synthetic market rows: its numbers are
funnel_report's, per group too; the synthetic badge; exports with headers (and units) in the
chosen language; staff only; English."""
from __future__ import annotations

import io
from datetime import timedelta

import pandas as pd
import pytest

from geodata.reports.export import table_csv, table_xlsx
from geodata.reports.inventory import snapshot
from geodata.reports.market import funnel_report
from tests.helpers import open_as, page_html
from tests.views.test_enquiries_page import data_texts, fill_market

pytestmark = pytest.mark.gpkg_only  # the pages do not know the backend; their data path runs on both in tests/geodata

PAGE = "views/funnel_page.py"


@pytest.fixture
def market(store_copy):
    return fill_market(store_copy, enquiries=60)


def _report(location, by=None):
    import settings

    frames, carriers = snapshot(location)
    today = settings.today()
    return funnel_report(frames, carriers, start=today - timedelta(days=365), end=today, by=by)


def test_funnel__the_page_shows_funnel_reports_numbers(market):
    from views.funnel_page import stages_table
    from views.tables import frame_table

    at = open_as("staff", market, PAGE)
    report = _report(market)
    html = page_html(at)
    assert frame_table(stages_table(report, "zh")) in html  # the same table, built from funnel_report
    for stage in report["stages"]:
        conversion = "" if stage["conversion"] is None else f"{round(100 * stage['conversion'], 1)}"
        assert f'<td>{stage["zh"]}</td><td class="num">{stage["count"]}</td><td class="num">{conversion}</td>' in html
    assert report["total"] > 0 and f'<div class="v">{report["total"]:,}</div>' in html
    for closed in report["closed"]:
        assert f"<td>{closed['zh']}</td><td class=\"num\">{closed['count']}</td>" in html
    assert any("合成演示数据" in m.value for m in at.markdown)  # the badge


def test_funnel__grouped_by_cluster_and_carrier_as_the_report_groups(market):
    at = open_as("staff", market, PAGE)
    for by in ("cluster", "carrier", "industry"):
        at.radio(key="w_fun_by").set_value(by).run()
        assert not at.exception
        report = _report(market, by)
        html = page_html(at)
        for group in report["groups"][:5]:
            assert f'<td class="num">{group["total"]}</td>' in html
        assert any(f"共 {len(report['groups'])} 组" in c.value for c in at.caption)


def test_funnel__a_period_without_enquiries_and_a_reversed_one(market):
    at = open_as("staff", market, PAGE)
    at.date_input(key="w_fun_from").set_value(pd.Timestamp("2001-01-01").date())
    at.date_input(key="w_fun_to").set_value(pd.Timestamp("2001-12-31").date()).run()
    assert not at.exception and any("没有提交的需求" in c.value for c in at.caption)
    at.date_input(key="w_fun_from").set_value(pd.Timestamp("2002-01-01").date()).run()
    assert any("晚于" in e.value for e in at.error)


def test_export__headers_with_units_in_the_chosen_language(market):
    from views.funnel_page import export_sheets

    report = _report(market, "cluster")
    for lang, count, conversion, median in (("zh", "需求数（条）", "转化率（%）", "中位天数（天）"),
                                            ("en", "Enquiries (count)", "Conversion (%)",
                                             "Median (days)")):
        sheets = export_sheets(report, lang, {})
        csv = table_csv(next(iter(sheets.values()))).decode("utf-8-sig")
        assert csv.splitlines()[0].split(",")[1:] == [count, conversion, median]
        book = pd.read_excel(io.BytesIO(table_xlsx(sheets)), sheet_name=None)
        assert list(book) == list(sheets) and count in book[list(book)[0]].columns
        groups = book[list(book)[2]]
        assert groups.iloc[:, 2].sum() == report["total"]
    at = open_as("staff", market, PAGE)
    assert len(at.get("download_button")) == 2


def test_funnel__staff_only(market):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string("from views.funnel_page import render\nrender()", default_timeout=60)
    at.run()
    assert at.info and not at.get("html")


@pytest.mark.gpkg_only
def test_english__no_chinese_only_text(market):
    from tests.views.test_english_pages import _english, assert_english
    from tests.helpers import as_role

    at = _english(PAGE, as_role("staff", market))
    assert at.header[0].value == "Funnel" and "Enquiries (count)" in page_html(at)
    assert any("synthetic demo data" in m.value for m in at.markdown)
    assert_english(at, data_texts(market))
    at.radio(key="w_fun_by").set_value("industry").run()
    assert_english(at, data_texts(market))
