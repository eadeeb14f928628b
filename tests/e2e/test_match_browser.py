"""The Match page in Debian Chromium with no internet: fill the form, get a ranked map."""
import pytest

pytestmark = pytest.mark.e2e


def _pick(page, label, option):
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_match_page__ranked_shortlist_with_rank_markers(offline_page, app_url):
    page = offline_page.page
    page.goto(f"{app_url}/match")
    page.get_by_role("button", name="匹配").wait_for(timeout=30_000)
    _pick(page, "产业", "生物医药")
    _pick(page, "发展阶段", "初创")
    _pick(page, "靠近", "皇岗口岸")
    within = page.get_by_label("距离上限（km，0 = 不限）")
    within.fill("4")
    within.press("Tab")
    page.get_by_role("button", name="匹配").click()
    page.get_by_text("个结果（候选").wait_for(timeout=30_000)
    table = page.locator(".sm-table").first
    text = table.inner_text()
    assert text.index("博济生物医药研发公共服务平台配套孵化器") < text.index("国际生物医药产业园")
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
    frame.locator(".rank-marker").first.wait_for(state="attached", timeout=30_000)
    assert frame.locator(".rank-marker").first.inner_text() == "1"
    page.wait_for_timeout(800)
    assert offline_page.errors == [] and offline_page.dialogs == []
    offline_page.screenshot("match_zh.png")
