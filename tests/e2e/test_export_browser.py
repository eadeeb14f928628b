"""The exported map HTML opens in Chromium with no network and draws every layer."""
import pytest

from layers.assets import inline_assets
from layers.basemaps import BASEMAPS
from layers.catalogue import CARRIER_LAYERS
from layers.render import standalone_map
from spatial.carriers import annotate_carriers, combine_carriers
from tests.e2e.server import loopback_only

pytestmark = pytest.mark.e2e


def test_exported_html__renders_offline_from_a_file(browser, frames, tmp_path):
    carriers = annotate_carriers(combine_carriers(frames, CARRIER_LAYERS), subdistricts=frames["subdistricts"],
                                 clusters=frames["clusters"], hetao=frames["hetao"])
    html = inline_assets(standalone_map(frames, carriers, lang="zh", basemap=BASEMAPS["osm"],
                                        title="福田科技空间地图").get_root().render())
    path = tmp_path / "futian-map.html"
    path.write_text(html, "utf-8")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    blocked, errors = [], []
    page.route("**/*", lambda route: loopback_only(route, blocked))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.locator("path.leaflet-interactive").first.wait_for(timeout=20_000)
    assert page.locator("path.leaflet-interactive").count() >= 20
    assert page.locator(".marker-cluster").count() >= 1
    assert page.locator(".leaflet-control-layers").count() == 1
    assert "福田区界" in page.locator(".map-legend").inner_text()
    assert errors == []
    assert all("tile.openstreetmap.org" in u for u in blocked)  # only tiles were wanted from outside
    context.close()
