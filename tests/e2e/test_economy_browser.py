"""The Tally page's economy tab in Debian Chromium with no internet, on a store copy with imported
enterprise figures: an anonymous visitor sees a withheld cell and no enterprise's name anywhere in the
page; the same tab after a staff login shows the figure that was withheld."""
from __future__ import annotations

import shutil

import pytest

from messages import t
from tests.e2e.server import start_app, stop_app
from tests.e2e.test_market_loop import _idle
from tests.geodata.test_units import SECRET
from tests.views.test_economy_pages import LONE_REVENUE, NAME, fill_economy

pytestmark = pytest.mark.e2e


@pytest.fixture
def economy_app(store, tmp_path):
    copy = tmp_path / "s" / "spacemap.gpkg"
    copy.parent.mkdir()
    shutil.copy(store, copy)
    fill_economy(copy, tmp_path)
    proc, url, _ = start_app(copy)
    yield url
    stop_app(proc)


def _economy_tab(page) -> str:
    """Open the economy tab (the area tally is the first) and return its indicator table's text."""
    page.get_by_role("tab", name=t("ec_tab_economy", "zh"), exact=True).click()
    table = page.locator(".sm-indicators")
    table.wait_for(timeout=60_000)
    return table.inner_text()


def test_economy_tab__public_sees_withheld_cells_staff_the_figures(offline_page, economy_app):
    page = offline_page.page
    page.goto(f"{economy_app}/tally")
    page.get_by_role("tab", name=t("ec_tab_economy", "zh"), exact=True).wait_for(timeout=60_000)
    _idle(page)
    table = _economy_tab(page)
    assert t("ind_suppressed_cell", "zh") in table and LONE_REVENUE not in table
    body = page.locator("body").inner_text()
    assert NAME not in body and NAME not in page.content()
    offline_page.screenshot("economy_tab_public.png")
    page.get_by_text(t("login_title", "zh")).click()
    page.get_by_label(t("login_name", "zh")).fill("st")
    page.get_by_label(t("login_password", "zh"), exact=True).fill(SECRET)
    page.get_by_role("button", name=t("login_button", "zh"), exact=True).click()
    page.get_by_text("已登录：st").wait_for(timeout=30_000)
    _idle(page)
    _economy_tab(page)
    page.locator(".sm-indicators").get_by_text(LONE_REVENUE, exact=True).wait_for(timeout=30_000)
    assert NAME not in page.locator("body").inner_text()
    assert not offline_page.errors, offline_page.errors
