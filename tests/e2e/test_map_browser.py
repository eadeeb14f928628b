"""The Map page in Debian Chromium with no internet: layers, search, clicks, XSS."""
import re

import pytest

from tests.e2e.layout_checks import label_faults
from tests.helpers import XSS_NAME

pytestmark = pytest.mark.e2e


def _open_map(offline_page, app_url, query=""):
    offline_page.page.goto(f"{app_url}/{query}")
    frame = offline_page.map_frame()
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
    offline_page.page.wait_for_timeout(800)
    return frame


def test_map__draws_every_layer_with_no_internet(offline_page, app_url):
    frame = _open_map(offline_page, app_url)
    assert frame.locator(".leaflet-container").count() == 1
    polygons = frame.locator("path.leaflet-interactive").count()
    assert polygons >= 20  # district, subdistricts, clusters, Hetao (+ circle markers)
    assert frame.locator(".marker-cluster").count() + frame.locator("path.leaflet-interactive").count() > polygons - 1
    assert frame.locator(".zone-label").count() >= 17  # 10 subdistricts + 7 clusters, labelled
    # Only base-map tiles were wanted from outside; no script or stylesheet was.
    assert offline_page.blocked, "expected tile requests to be blocked"
    assert not [u for u in offline_page.blocked if re.search(r"\.(js|css)(\?|$)", u)]
    assert offline_page.errors == []
    offline_page.screenshot("map_zh.png")


def test_map__search_by_pinyin_selects_and_zooms(offline_page, app_url):
    _open_map(offline_page, app_url)
    box = offline_page.page.get_by_label("搜索载体（中文名、英文名或拼音首字母）")
    box.fill("szxydxx")
    box.press("Enter")
    detail = offline_page.page.locator(".carrier-detail")
    detail.wait_for(timeout=20_000)
    assert "深圳新一代信息技术产业园" in detail.inner_text()
    assert "占地面积3.28万平方米" in detail.inner_text()
    frame = offline_page.map_frame()
    frame.locator("path.leaflet-interactive").first.wait_for()
    offline_page.page.wait_for_timeout(1000)
    zoom = frame.locator("body").evaluate("() => window.map.getZoom()")
    assert zoom == 16
    offline_page.screenshot("map_search.png")


def test_map__clicking_a_marker_fills_the_detail_panel(offline_page, app_url):
    frame = _open_map(offline_page, app_url)
    # Zoom to the marker past the clustering level, then click it with the real mouse.
    frame.locator("body").evaluate("""() => {
        window.map.eachLayer(l => { if (l.zoomToShowLayer) l.getLayers().forEach(m => {
            if (m.options.featureId === 'sp-quantum') window.map.setView(m.getLatLng(), 18, {animate: false}); }); });
    }""")
    offline_page.page.wait_for_timeout(800)
    rect = frame.locator("body").evaluate("""() => {
        let r = null;
        window.map.eachLayer(l => { if (l.options && l.options.featureId === 'sp-quantum' && l._path) {
            const b = l._path.getBoundingClientRect(); r = [b.x + b.width / 2, b.y + b.height / 2]; } });
        return r;
    }""")
    assert rect, "the marker is not drawn at zoom 18"
    origin = offline_page.page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()
    offline_page.page.mouse.click(origin["x"] + rect[0], origin["y"] + rect[1])
    detail = offline_page.page.locator(".carrier-detail")
    detail.wait_for(timeout=20_000)
    assert "深圳国际量子研究院" in detail.inner_text()
    offline_page.screenshot("map_click.png")


def test_map__xss_payload_is_inert_text(offline_page, app_url):
    frame = _open_map(offline_page, app_url)
    box = offline_page.page.get_by_label("搜索载体（中文名、英文名或拼音首字母）")
    box.fill("inc-xss-test")
    box.press("Enter")
    detail = offline_page.page.locator(".carrier-detail")
    detail.wait_for(timeout=20_000)
    assert XSS_NAME in detail.inner_text()  # shown literally
    assert detail.locator("img").count() == 0
    offline_page.page.wait_for_timeout(2000)  # let the map apply the new selection before touching it
    opened = frame.locator("body").evaluate("""() => {
        let hit = null;
        window.map.eachLayer(l => { if (!hit && l.zoomToShowLayer) {
            l.getLayers().forEach(m => { if (m.options.featureId === 'inc-xss-test') hit = [l, m]; }); } });
        if (!hit) return null;
        window.map.setView(hit[1].getLatLng(), 18, {animate: false});  // past clustering: the marker itself
        hit[1].openPopup();
        return true;
    }""")
    assert opened
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    assert XSS_NAME in popup.inner_text()
    assert popup.locator("img").count() == 0 and popup.locator("script").count() == 0
    offline_page.page.wait_for_timeout(500)
    assert offline_page.dialogs == []  # no alert() ran anywhere
    offline_page.screenshot("map_xss.png")


def test_map__labels_neither_overlap_nor_stick_out(offline_page, app_url):
    """Each label shown reads clearly, at the first view, zoomed out (where they used to form a knot) and
    in the all-Shenzhen scope; the labels of the larger zones and of the subdistricts are the ones kept."""
    frame = _open_map(offline_page, app_url)
    offline_page.page.wait_for_timeout(1000)
    assert label_faults(frame) == []
    shown = frame.locator("body").evaluate(
        "() => Array.from(document.querySelectorAll('.zone-label > div')).filter(e => e.style.visibility !== 'hidden')"
        ".map(e => e.textContent)")
    assert "福保街道 ≈" in shown and "华强北街道 ≈" in shown and len(shown) >= 10
    frame.locator("body").evaluate("() => { window.map.setZoom(window.map.getZoom() - 2, {animate: false}); }")
    offline_page.page.wait_for_timeout(1200)
    assert label_faults(frame) == []
    frame = _open_map(offline_page, app_url, "?scope=shenzhen")
    offline_page.page.wait_for_timeout(1000)
    assert label_faults(frame) == []
    offline_page.screenshot("map_labels_shenzhen.png")


def test_map__its_own_address_opens_the_map_without_page_not_found(offline_page, app_url):
    page = offline_page.page
    page.goto(f"{app_url}/map?lang=en")
    frame = offline_page.map_frame()
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
    assert page.get_by_role("heading", name="Map").count() >= 1  # the language asked for is kept
    assert page.get_by_text("Page not found").count() == 0
    assert page.url.rstrip("/").endswith("?lang=en") and "/map" not in page.url


def test_map__pan_and_zoom_do_not_rerun_the_script(offline_page, app_url):
    sent = []
    offline_page.page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(len(payload))))
    frame = _open_map(offline_page, app_url)
    offline_page.page.wait_for_timeout(2500)  # let the first render settle
    before = len(sent)
    frame.locator("body").evaluate("() => { window.map.panBy([200, 120], {animate: false}); }")
    frame.locator("body").evaluate("() => { window.map.setZoom(window.map.getZoom() + 1, {animate: false}); }")
    frame.locator("body").evaluate("() => { window.map.setZoom(window.map.getZoom() - 2, {animate: false}); }")
    offline_page.page.wait_for_timeout(2000)
    assert len(sent) == before, "panning or zooming sent a message to the server (a rerun)"


def test_map__changing_a_filter_keeps_the_base_map(offline_page, app_url):
    frame = _open_map(offline_page, app_url)
    offline_page.page.wait_for_timeout(1500)
    frame.locator("body").evaluate("() => { window.map._spacemapTag = 'same-map'; }")
    before = frame.locator("body").evaluate(
        "() => { let n = 0; window.map.eachLayer(l => { if (l.zoomToShowLayer) n += l.getLayers().length; }); return n; }")
    layers = offline_page.page.get_by_label("图层", exact=True)
    layers.click()
    offline_page.page.get_by_role("option", name="孵化器与众创空间").click()
    offline_page.page.keyboard.press("Escape")
    offline_page.page.get_by_text("符合条件的载体：9 / 56").wait_for(timeout=20_000)
    offline_page.page.wait_for_timeout(1500)
    after = frame.locator("body").evaluate(
        "() => { let n = 0; window.map.eachLayer(l => { if (l.zoomToShowLayer) n += l.getLayers().length; }); return n; }")
    assert frame.locator("body").evaluate("() => window.map._spacemapTag") == "same-map"  # not remounted
    assert after < before and after == 4  # the located incubators only (incl. the test carrier): no invented pins
    offline_page.screenshot("map_filtered.png")
