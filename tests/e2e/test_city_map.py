"""The city map with 100,000 carriers (all Shenzhen) in Chromium with no internet: drawn by deck.gl,
pan and zoom without a rerun, hover names a carrier, a click shows it in the detail panel.

The synthetic carriers' Chinese names carry an XSS payload, so every hover and click also checks
that data reaches the page as text only. WebGL runs on Mesa's llvmpipe (see tests/e2e/deck.py).
"""
from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest

from tests.e2e.conftest import OfflinePage
from tests.e2e.deck import (CHART, TOOLTIP, WEBGL_ARGS, click_point, hover_tooltip, painted, point_spots, renderer,
                            wait_painted, watch_sent, zoom_in)
from tests.e2e.server import CHROMIUM, start_app, stop_app
from tests.helpers import XSS_NAME

pytestmark = pytest.mark.e2e

N_CARRIERS = 100_000


@pytest.fixture(scope="module")
def city_store(session_store, tmp_path_factory):
    """The bundled store plus 100,000 synthetic carriers across the nine districts."""
    import shutil

    from geodata.storage import read_all, replace_layers
    from geodata.synthetic import synthetic_city
    from layers.catalogue import CARRIER_LAYERS

    path = tmp_path_factory.mktemp("city-map") / "city.gpkg"
    shutil.copy(session_store, path)
    frames = read_all(path)
    layers, _ = synthetic_city(N_CARRIERS, 0, frames["shenzhen_districts"])
    for frame in layers.values():
        frame["name_zh"] = XSS_NAME + frame["id"].str.removeprefix("city-")
    replace_layers({k: gpd.GeoDataFrame(pd.concat([frames[k], layers[k]], ignore_index=True), geometry="geometry",
                                        crs=frames[k].crs) for k in CARRIER_LAYERS}, path)
    return path


@pytest.fixture(scope="module")
def city_url(city_store):
    proc, url, _ = start_app(city_store, timeout=120)
    yield url
    stop_app(proc)


@pytest.fixture(scope="module")
def webgl_browser(browser):
    """Chromium with WebGL on llvmpipe, launched by the session's Playwright (one per process)."""
    webgl = browser.browser_type.launch(executable_path=CHROMIUM, args=WEBGL_ARGS)
    yield webgl
    webgl.close()


@pytest.fixture
def city_page(webgl_browser):
    page = OfflinePage(webgl_browser)
    yield page
    page.close()


def test_city_map__100000_carriers_drawn_hovered_and_clicked_offline(city_page, city_url):
    page = city_page.page
    sent = watch_sent(page)
    page.goto(f"{city_url}/?scope=shenzhen")
    page.get_by_text(f"城市级地图：{N_CARRIERS + 55:,} 个载体以 WebGL 绘制").wait_for(timeout=60_000)
    assert wait_painted(page)[0] > 5_000, renderer(page)  # a city of coloured points, not a blank canvas

    # Pan and zoom happen in the browser: no message to the server, so no rerun.
    before, box = painted(page)
    quiet = len(sent)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 80, box["y"] + box["height"] / 2 + 40, steps=6)
    page.mouse.up()
    zoom_in(page, 4)  # to district level, where points stand apart (see tests/e2e/deck.py: point_spots)
    after, _ = painted(page)
    assert len(sent) == quiet
    assert (before != after).sum() > 1_000  # the view moved

    # Hover names a carrier (its name is data: shown as text, never run as markup).
    hit = hover_tooltip(page, point_spots(page))
    assert hit is not None, "no tooltip over any drawn point"
    (x, y), text = hit
    name, area = text.splitlines()
    assert name.startswith(XSS_NAME) and re.fullmatch(r"建筑面积 (\d+|—) ㎡", area)
    assert page.locator(TOOLTIP).first.locator("img").count() == 0

    # A click selects it: the page reruns and its detail panel shows that carrier.
    click_point(page, x, y, sent)
    detail = page.locator(".carrier-detail")
    detail.get_by_text(name, exact=True).wait_for(timeout=30_000)
    assert "Synthetic carrier" in detail.inner_text()
    assert page.locator(f"{CHART} img, .carrier-detail img").count() == 0
    assert city_page.dialogs == [] and city_page.errors == []
    assert not [u for u in city_page.blocked if re.search(r"\.(js|css)(\?|$)", u)]  # only tiles were wanted
    city_page.screenshot("city_map_100k.png")
