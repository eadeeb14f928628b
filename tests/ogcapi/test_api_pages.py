"""The API's HTML pages work without the internet: every script, stylesheet, image and icon they load comes
from the API itself (ogcapi/templates, ogcapi/assets.py); the only thing from outside is the base map's
tiles. Checked on every page the API serves (by its source), then in Debian Chromium with the network
cut to loopback (``@pytest.mark.e2e``). The pages do not depend on the backend: one GeoPackage store."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ogcapi.assets import PAGE_ASSETS, VENDOR, missing_page_assets
from ogcapi.config import BASE_MAP
from tests.ogcapi.conftest import start_api, stop

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
LAYER = "incubators"
PAGES = ("/?f=html", "/collections?f=html", "/collections/{layer}?f=html", "/collections/{layer}/items?f=html",
         "/collections/{layer}/items/{item}?f=html", "/openapi?f=html", "/openapi?f=html&ui=redoc",
         "/conformance?f=html", "/collections/{layer}/queryables?f=html", "/collections/{layer}/schema?f=html",
         "/TileMatrixSets?f=html", "/TileMatrixSets/WebMercatorQuad?f=html", "/processes?f=html", "/stac?f=html")
REFERENCES = ("http://www.opengis.net/", "https://pygeoapi.io", "https://schema.org/")
"""External URLs a page may name without loading them: OGC identifiers (conformance classes, CRS), the
"powered by pygeoapi" link, the schema.org vocabulary of the pages' microdata."""
LOADING_LINKS = {"stylesheet", "icon", "shortcut", "preload", "modulepreload", "prefetch", "manifest"}
URL = re.compile(r"https?://[^\s\"'<>)\\]+")


@pytest.fixture(scope="module")
def pages_api(tmp_path_factory):
    from geodata.storage import create_store

    path = tmp_path_factory.mktemp("ogcapi-pages") / "store.gpkg"
    create_store(path)
    proc, server = start_api(path)
    yield server
    stop(proc)


def _first_item(api) -> str:
    return api.json(f"/collections/{LAYER}/items?f=json&limit=1")["features"][0]["id"]


class _Loads(HTMLParser):
    """What a page makes the browser fetch: every src, srcset, poster, data and url(); every <link> that
    loads (stylesheet, icon, preload …)."""

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("src", "poster", "data"):
            if a.get(name):
                self.loads.append(a[name])
        if a.get("srcset"):
            self.loads += [part.split()[0] for part in a["srcset"].split(",") if part.strip()]
        if tag == "link" and set((a.get("rel") or "").lower().split()) & LOADING_LINKS:
            self.loads.append(a.get("href") or "")
        self.loads += re.findall(r"url\(\s*['\"]?([^'\")]+)", a.get("style") or "")


def _external(url: str, api) -> bool:
    """Whether ``url`` points outside the server (relative URLs and data: URIs do not)."""
    return url.startswith(("http://", "https://", "//")) and urlsplit(url).netloc != urlsplit(api.url).netloc


def test_pages__load_nothing_from_outside_and_name_only_known_references(pages_api):
    item = _first_item(pages_api)
    checked = 0
    for page in PAGES:
        path = page.format(layer=LAYER, item=item)
        status, headers, body = pages_api.get(path)
        assert status == 200 and headers["Content-Type"].startswith("text/html"), (path, status)
        parser = _Loads()
        parser.feed(body)
        assert parser.loads, path  # every page loads its stylesheet (or Swagger UI) from the API
        assert [u for u in parser.loads if _external(u, pages_api)] == [], path
        named = {u.rstrip(".,;") for u in URL.findall(body) if _external(u, pages_api)}
        assert {u for u in named if u != BASE_MAP["url"] and not u.startswith(REFERENCES)} == set(), path
        assert not re.search(r"unpkg|cdnjs|jsdelivr|googleapis|html5shiv", body), path
        checked += 1
    assert checked == len(PAGES)


def test_pages__map_pages_load_leaflet_from_the_api_and_draw_osm_tiles(pages_api):
    status, _, body = pages_api.get(f"/collections/{LAYER}/items?f=html")
    assert status == 200
    for path in ("leaflet/dist/leaflet.js", "leaflet/dist/leaflet.css", "leaflet.markercluster/dist/"
                 "leaflet.markercluster.js"):
        assert f'{pages_api.url}/static/vendor/{path}' in body
    assert BASE_MAP["url"] in body  # WGS-84 tiles under WGS-84 features (not AMap's GCJ-02)
    swagger = pages_api.get("/openapi?f=html")[2]
    assert f"{pages_api.url}/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in swagger
    assert "validatorUrl: null" in swagger  # no badge image from validator.swagger.io


def test_static__every_page_file_served_and_its_css_refers_only_to_local_files(pages_api):
    assert missing_page_assets() == []  # scripts/vendor_assets.py ran
    for path in PAGE_ASSETS:
        status, _, body = pages_api.get(f"/static/vendor/{path}") if not path.endswith(".png") else \
            (pages_api.get(f"/static/vendor/{path}", method="HEAD")[0], None, "")
        assert status == 200, path
        if path.endswith(".css"):
            refs = re.findall(r"url\(\s*['\"]?([^'\")]+)", (VENDOR / path).read_text("utf-8"))
            assert [r for r in refs if not r.startswith(("data:", "#")) and "//" in r] == [], path
    assert pages_api.get("/static/css/default.css")[0] == 200  # pygeoapi's own stylesheet, still served
    assert pages_api.get("/static/vendor/leaflet/dist/images/marker-icon.png", method="HEAD")[0] == 200


@pytest.mark.e2e
def test_items_page__draws_its_map_offline_in_chromium(pages_api, browser):
    from tests.e2e.server import loopback_only

    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    try:
        page = context.new_page()
        blocked: list[str] = []
        failed: list[str] = []
        page.route("**/*", lambda route: loopback_only(route, blocked))
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.goto(f"{pages_api.url}/collections/{LAYER}/items?f=html&limit=500", wait_until="load")
        page.wait_for_selector("#items-map.leaflet-container .leaflet-marker-icon", timeout=30_000)
        assert page.evaluate("typeof L.markerClusterGroup") == "function"  # the cluster plugin loaded
        assert page.evaluate("getComputedStyle(document.querySelector('#items-map .leaflet-pane')).position"
                             ) == "absolute"  # Leaflet's stylesheet applied
        assert page.locator("#items-map").bounding_box()["height"] > 200
        page.screenshot(path=str(ARTIFACTS / "ogcapi-items.png"))
        tiles = re.compile(re.escape(BASE_MAP["url"]).replace(r"\{z\}", r"\d+").replace(r"\{x\}", r"\d+")
                           .replace(r"\{y\}", r"\d+"))
        assert blocked and all(tiles.fullmatch(u) for u in blocked), blocked  # only base-map tiles left
        assert [u for u in failed if u.startswith(pages_api.url)] == []  # every own file was there
        blocked.clear()
        page.goto(f"{pages_api.url}/openapi?f=html", wait_until="networkidle")
        page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
        assert page.locator(".swagger-ui .opblock").count() > 5  # the operations are listed
        assert blocked == []  # Swagger UI and its stylesheet from the API, no validator badge
    finally:
        context.close()
