"""The real OGC API server (``python cli.py api``: pygeoapi behind waitress) read by GDAL's own OGC API
client (``ogrinfo OAPIF:``) and by plain HTTP, on both backends: every public collection listed with
the feature counts of ``cli.py layers --json``, bbox exactly the carriers a shapely test finds, paging,
property and CQL2 filters, HTML escaped, CORS, read-only, errors without server details."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
import shapely

from layers.catalogue import CARRIER_LAYERS, LAYERS, PUBLIC_LAYERS
from tests.helpers import XSS_NAME
from tests.ogcapi.conftest import REPO

OGRINFO = shutil.which("ogrinfo")
pytestmark = pytest.mark.skipif(OGRINFO is None, reason="ogrinfo (Debian gdal-bin) is not installed")
BOX = (114.03, 22.52, 114.07, 22.56)
"""A box in central Futian (lon/lat): some carriers inside, some outside."""


def ogrinfo(*args: str) -> str:
    done = subprocess.run([OGRINFO, "-ro", *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def layers_json(api) -> dict[str, int]:
    done = subprocess.run([sys.executable, str(REPO / "cli.py"), "layers", "--json"], cwd=REPO, env=api.env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return {r["key"]: r["feature_count"] for r in json.loads(done.stdout)["layers"]}


def test_ogrinfo__lists_every_public_collection_with_the_cli_counts(api):
    listing = ogrinfo(f"OAPIF:{api.url}")
    listed = re.findall(r"^\d+: (\w+)", listing, re.M)
    expected = [k for k in PUBLIC_LAYERS]
    assert listed[:len(expected)] == expected
    assert set(listed[len(expected):]) == {"indicators_carrier", "indicators_cluster", "indicators_subdistrict",
                                           "indicators_district"}  # the store holds enterprise figures
    assert not set(listed) & {k for k, s in LAYERS.items() if not s.public}
    summary = ogrinfo("-so", "-al", f"OAPIF:{api.url}")
    counts = dict(zip(re.findall(r"^Layer name: (\w+)", summary, re.M),
                      map(int, re.findall(r"^Feature Count: (\d+)", summary, re.M))))
    cli = layers_json(api)
    assert {k: counts[k] for k in PUBLIC_LAYERS} == {k: cli[k] for k in PUBLIC_LAYERS}
    assert cli["units"] > 0 and cli["incubators"] > 0


def _carriers_in_box(api) -> set[str]:
    """The carriers whose stored (WGS-84) point lies in :data:`BOX`, computed with shapely."""
    from geodata.storage import read_layer

    box = shapely.box(*BOX)
    inside = set()
    for key in CARRIER_LAYERS:
        frame = read_layer(key, api.location)
        located = frame.loc[frame.geometry.notna()]
        inside |= set(located.loc[shapely.intersects(located.geometry.values, box), "id"].astype(str))
    return inside


def test_ogrinfo_spat__returns_exactly_the_carriers_inside_the_box(api):
    out = ogrinfo("-q", "-spat", *map(str, BOX), f"OAPIF:{api.url}", *CARRIER_LAYERS)
    found = re.findall(r"^\s+id \(String\) = (.+)$", out, re.M)
    expected = _carriers_in_box(api)
    assert len(found) == len(set(found))
    assert set(found) == expected and 0 < len(expected)
    total = sum(layers_json(api)[k] for k in CARRIER_LAYERS)
    assert len(expected) < total  # the box leaves some out


def test_items_bbox__the_same_over_http(api):
    bbox = ",".join(map(str, BOX))
    found = set()
    for key in CARRIER_LAYERS:
        page = api.json(f"/collections/{key}/items?bbox={bbox}&limit=10000&f=json")
        assert page["numberMatched"] == page["numberReturned"] == len(page["features"])
        found |= {f["id"] for f in page["features"]}
    assert found == _carriers_in_box(api)


def test_items__paging_with_offset_and_limit(api):
    whole = api.json("/collections/units/items?limit=10000&sortby=id")
    ids = [f["id"] for f in whole["features"]]
    assert len(ids) == whole["numberMatched"] > 6
    first = api.json("/collections/units/items?limit=3&offset=0&sortby=id")
    second = api.json("/collections/units/items?limit=3&offset=3&sortby=id")
    assert [f["id"] for f in first["features"]] + [f["id"] for f in second["features"]] == ids[:6]
    assert first["numberMatched"] == len(ids) and first["numberReturned"] == 3
    assert any(link["rel"] == "next" and "offset=3" in link["href"] for link in first["links"])


def test_items__property_filter_and_cql2(api):
    from geodata.storage import read_layer

    units = read_layer("units", api.location)
    status = str(units["status"].iloc[0])
    page = api.json(f"/collections/units/items?status={status}&limit=10000")
    assert page["numberMatched"] == int((units["status"] == status).sum())
    assert {f["properties"]["status"] for f in page["features"]} == {status}
    big = api.json("/collections/units/items?filter=area_m2%20%3E%20500&limit=10000")
    assert big["numberMatched"] == int((units["area_m2"] > 500).sum())
    both = api.json(f"/collections/units/items?filter=area_m2%20%3E%20500%20AND%20status%3D%27{status}%27"
                    "&limit=10000")
    assert both["numberMatched"] == int(((units["area_m2"] > 500) & (units["status"] == status)).sum())


def test_items__units_placed_at_their_carrier(api):
    from geodata.storage import read_layer

    carrier = read_layer("incubators", api.location).dropna(subset=["geometry"]).iloc[0]
    page = api.json(f"/collections/units/items?carrier_id={carrier['id']}&limit=10000")
    for f in page["features"]:
        assert f["geometry"]["coordinates"] == pytest.approx([carrier.geometry.x, carrier.geometry.y], abs=1e-9)


def test_items_html__texts_escaped(api):
    status, headers, body = api.get("/collections/incubators/items?f=html&limit=10000")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert XSS_NAME not in body and "<script>alert(3)</script>" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body  # the table cell, escaped by the template
    assert "\\u003cscript\\u003ealert(3)\\u003c/script\\u003e" in body  # the map's JSON, inside <script>
    status, _, item = api.get("/collections/incubators/items/inc-xss-test?f=html")
    assert status == 200 and XSS_NAME not in item and "<script>alert(3)" not in item


def test_items_json__texts_as_they_are(api):
    feature = api.json("/collections/incubators/items/inc-xss-test?f=json")
    assert feature["properties"]["name_zh"] == XSS_NAME
    assert feature["properties"]["address_zh"] == "<script>alert(3)</script>"


def test_cors__any_origin_may_read_nobody_may_write(api):
    status, headers, _ = api.get("/collections/incubators/items?limit=1", {"Origin": "https://qgis.example"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = api.get("/collections/incubators/items", {"Origin": "https://x.example",
                                                                   "Access-Control-Request-Method": "GET"}, "OPTIONS")
    assert status == 204 and "GET" in headers["Access-Control-Allow-Methods"]
    assert "POST" not in headers["Access-Control-Allow-Methods"]
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        status, headers, body = api.get("/collections/incubators/items", {"Content-Type": "application/json"}, method)
        assert status == 405 and json.loads(body)["code"] == "MethodNotAllowed"
    assert api.get("/admin/config")[0] == 404


def test_errors__one_line_without_server_details(api):
    for path in ("/collections/accounts/items", "/collections/enquiries", "/collections/no-such/items",
                 "/collections/units/items?bbox=1,2", "/collections/units/items?filter=nonsense%20%3D%3D",
                 "/collections/units/items?sortby=no_such_field", "/collections/units/items/no-such-id"):
        status, _, body = api.get(path)
        assert 400 <= status < 500, (path, status)
        for leak in ("Traceback", "/tmp/", str(REPO), "spacemap-ogcapi", "psycopg", "postgresql://"):
            assert leak not in body, (path, leak)


def test_openapi_and_languages(api):
    doc = api.json("/openapi?f=json")
    assert doc["openapi"].startswith("3.")
    assert "/collections/incubators/items" in doc["paths"]
    zh = api.json("/collections/incubators?f=json")
    en = api.json("/collections/incubators?f=json&lang=en")
    assert zh["title"] == "孵化器与众创空间" and en["title"] == "Incubators and makerspaces"
    assert "CRS84" in zh["storageCrs"] or zh["storageCrs"].endswith("CRS84")
    assert zh["extent"]["spatial"]["bbox"][0][0] > 113 and zh["extent"]["spatial"]["bbox"][0][1] > 22
    schema = api.json("/collections/incubators/schema?f=json")
    assert schema["properties"]["floor_area_m2"]["title"] == "建筑面积(㎡)"
    assert schema["properties"]["floor_area_m2"]["description"] == "Floor area (m²)"


def test_items__wgs84_coordinates_as_stored(api):
    """CRS84 is the stored WGS-84 (never GCJ-02): the served point is the stored one."""
    from geodata.storage import read_layer

    stored = read_layer("science_parks", api.location).dropna(subset=["geometry"]).iloc[0]
    served = api.json(f"/collections/science_parks/items/{stored['id']}?f=json")
    assert served["geometry"]["coordinates"] == [stored.geometry.x, stored.geometry.y]


def test_store_change__served_without_restart(api):
    """A committed correction is in the next answer (the view and the kept pages follow the revision).
    Last in this module: it changes the module's store."""
    from geodata.stewardship.commits import edit_fields

    first = api.json("/collections/science_parks/items?limit=1&sortby=id&f=json")["features"][0]
    assert first["properties"]["name_en"] != "Renamed park (test)"
    edit_fields(first["id"], {"name_en": "Renamed park (test)"}, reason="test", who="tester", path=api.location)
    again = api.json("/collections/science_parks/items?limit=1&sortby=id&f=json")["features"][0]
    assert again["id"] == first["id"] and again["properties"]["name_en"] == "Renamed park (test)"
    assert api.json(f"/collections/science_parks/items/{first['id']}?f=json")["properties"]["name_en"] == \
        "Renamed park (test)"
