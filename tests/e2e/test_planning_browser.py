"""The Progress and Tally pages in Debian Chromium with no internet."""
import pytest

pytestmark = pytest.mark.e2e


def test_progress_page__headline_chart_and_honest_outcome(offline_page, app_url):
    page = offline_page.page
    page.goto(f"{app_url}/progress")
    page.get_by_text("最新报告数").first.wait_for(timeout=30_000)
    chart = page.locator("img.sm-chart").first
    chart.wait_for(timeout=30_000)
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 200
    body = page.locator("body").inner_text()
    assert "760,000 ㎡" in body and "50.7 %" in body
    assert "期限已过" in body  # the 2025 deadline has passed: said plainly
    assert "5,000 ㎡" in body and "与目标口径不同" in body  # the ledger, labelled separately; another measure
    assert "来源中没有两个同一口径的报告数" in body  # no pace across different measures
    assert "760,000" in chart.get_attribute("alt")  # the chart says what it shows in words
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")  # the SVG decoded
    page.wait_for_timeout(500)
    assert offline_page.errors == [] and offline_page.dialogs == []
    assert all("127.0.0.1" not in u for u in offline_page.blocked)
    offline_page.screenshot("progress_zh.png")
    page.get_by_text("科技培育空间台账").first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    offline_page.screenshot("progress_zh_ledger.png")


def test_tally_page__table_chart_and_link_to_map(offline_page, app_url):
    page = offline_page.page
    page.goto(f"{app_url}/tally?lang=en")
    page.get_by_text("Tally by").first.wait_for(timeout=30_000)
    page.locator("img.sm-chart").first.wait_for(timeout=30_000)
    body = page.locator("body").inner_text()
    assert "The rows add up to the total" in body
    offline_page.screenshot("tally_en.png")
    page.get_by_role("button", name="Show as a choropleth on the map").click()
    frame = offline_page.map_frame()
    frame.locator(".leaflet-container").wait_for(timeout=30_000)
    # the map opens in choropleth mode with the tally's measure
    page.get_by_text("500,000–600,000 m²").first.wait_for(timeout=30_000)  # round choropleth classes in the legend
    offline_page.screenshot("tally_to_map.png")
    assert offline_page.errors == [] and offline_page.dialogs == []
