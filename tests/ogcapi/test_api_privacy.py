"""Only public data through the OGC API, on both backends: no private field's name, nor any private value
(contacts, enterprises, enquiries, their history, leases, accounts, the audit log, a goal's reason, who
added an attachment), in any collection's items, schema or queryables, the collection list or the
OpenAPI document; withheld indicator cells stay withheld."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from layers.catalogue import LAYERS, PUBLIC_LAYERS
from tests.ogcapi.conftest import GOAL_REASON, GOAL_SETTER, SECRET_ACCOUNT

META_KEYS = {"role", "name", "type", "url", "title", "description", "id", "href", "links", "keywords"}
"""Keys of OGC / OpenAPI documents themselves (``"role": "pointOfContact"``), not data fields."""


def _strings(value) -> tuple[list[str], list[str]]:
    """Every key and every text value in a JSON value."""
    if isinstance(value, dict):
        parts = [_strings(v) for v in value.values()]
        return [str(k) for k in value] + [k for p in parts for k in p[0]], [t for p in parts for t in p[1]]
    if isinstance(value, list):
        parts = [_strings(v) for v in value]
        return [k for p in parts for k in p[0]], [t for p in parts for t in p[1]]
    return [], [value] if isinstance(value, str) else []


def _distinctive(text: str) -> bool:
    """A value worth looking for: 6 characters or more, and not a plain English word (``address``, a
    placement's method, is also a word of the OpenAPI document): Chinese, a digit, ``@``, ``-``, a space
    or 12 characters and more (names, phones, e-mails, credit codes, hashes, references, reasons)."""
    return len(text) >= 6 and (len(text) >= 12 or any(ord(c) > 127 or c.isdigit() or c in "@- " for c in text))


def _private(location) -> tuple[set[str], set[str]]:
    """The private field names (of staff and secret layers, and the private fields of public layers),
    that no public field (nor a public indicator: ``employees`` is a sum there) shares, and every private text value of 6 characters or more that no public
    table holds (whole or in part) and that is not a name of the catalogue (the audit log names the
    layers it changed)."""
    from geodata.reports.store_export import public_frames
    from geodata.storage import open_store

    store = open_store(location)
    frames = {k: store.read_layer(k) for k in LAYERS}
    from ogcapi.collections import indicator_collections

    public_names = {f for k in PUBLIC_LAYERS for f in LAYERS[k].public_fields} | {  # and the public aggregates
        f for c in indicator_collections(min_enterprises=3, dominance=0.8) for f in c.field_names}
    names = {f.name for k, s in LAYERS.items() for f in s.fields if not s.public or f.private} - public_names
    public_values = {str(v) for f in public_frames(frames).values() for c in f.columns if c != "geometry"
                     for v in f[c].dropna()}
    values = set()
    for key, spec in LAYERS.items():
        columns = [f.name for f in spec.fields if (not spec.public or f.private) and f.dtype == "str"
                   and f.vocabulary is None]  # free texts and identifiers, not the words of a vocabulary
        for column in columns:
            if column in frames[key].columns:
                values |= {str(v) for v in frames[key][column].dropna() if _distinctive(str(v))}
    catalogue = set(LAYERS) | {f.name for s in LAYERS.values() for f in s.fields}  # names, not data
    public_text = "\n".join(public_values)  # a placement's "matched" quotes a carrier's public address
    return names - META_KEYS, {v for v in values - catalogue if v not in public_text}


@pytest.fixture(scope="module")
def documents(api) -> dict[str, str]:
    """Every document the API serves about its collections: path → body."""
    paths = ["/?f=json", "/collections?f=json", "/openapi?f=json", "/conformance?f=json", "/openapi?f=html"]
    for c in api.json("/collections?f=json")["collections"]:
        base = f"/collections/{c['id']}"
        paths += [f"{base}?f=json", f"{base}/items?limit=10000&f=json", f"{base}/items?limit=10000&f=jsonld",
                  f"{base}/items?limit=200&f=html", f"{base}/queryables?f=json", f"{base}/schema?f=json"]
    out = {}
    for path in paths:
        status, _, body = api.get(path)
        assert status == 200, (path, status)
        out[path] = body
    return out


def test_private_data__exists_in_the_store(api):
    names, values = _private(api.location)
    assert {"contact_phone", "contact_email", "password_hash", "credit_code", "set_by", "added_by"} <= names
    assert {SECRET_ACCOUNT, GOAL_SETTER, GOAL_REASON} <= values
    assert len(values) > 200  # contacts, enterprise names, credit codes, hashes, notes …


def test_no_private_name_or_value__in_any_document(api, documents):
    names, values = _private(api.location)
    for path, body in documents.items():
        try:
            keys, texts = (set(x) for x in _strings(json.loads(body)))
        except ValueError:  # HTML; pygeoapi's JSON-LD of an empty page is not strict JSON: the raw text only
            keys, texts = set(), set()
        joined = "\n".join(texts)
        leaked_names = sorted(n for n in names if f'"{n}":' in body or f">{n}<" in body or n in keys)
        leaked_values = sorted(v for v in values if v in body or v in joined)
        assert leaked_names == [] and leaked_values == [], (path, leaked_names, leaked_values)


def test_no_private_collection__listed_or_reachable(api, documents):
    listed = {c["id"] for c in api.json("/collections?f=json")["collections"]}
    private = {k for k, s in LAYERS.items() if not s.public}
    assert not listed & private
    for key in private:
        assert api.get(f"/collections/{key}/items")[0] == 404


def test_progress_goals__public_fields_only(api):
    page = api.json("/collections/progress_goals/items?f=json")
    keys = set().union(*(f["properties"] for f in page["features"]))
    assert keys <= {"id", "goal_m2", "goal_year", "set_at"} and "goal_m2" in keys


def test_indicators__withheld_cells_stay_withheld(api):
    """Every cell the public report withholds is empty in the collection, every other cell as published."""
    from geodata.reports.economy import indicator_report
    from ogcapi.collections import INDICATOR_FIELDS

    withheld = 0
    for level in ("carrier", "cluster", "subdistrict"):
        served = api.json(f"/collections/indicators_{level}/items?limit=10000&f=json")["features"]
        by_id = {f["id"]: f["properties"] for f in served}
        report = indicator_report(level, location=api.location, public=True)
        year = report["years"][1]
        for row in report["rows"].to_dict("records"):
            props = by_id[f"{row['unit']}@{year}"]
            hidden = set(row["suppressed"] or [])
            for field in INDICATOR_FIELDS:
                if field in hidden:
                    withheld += 1
                    assert props.get(field) is None, (level, row["unit"], field)
                    assert field in (props.get("suppressed") or "").split(";")
                elif not pd.isna(row[field]):
                    assert props[field] == pytest.approx(float(row[field])), (level, row["unit"], field)
        staff = indicator_report(level, location=api.location, public=False)["rows"]
        assert len(staff) >= len(report["rows"])
    assert withheld > 0  # the demo economy has small cells: the rule had something to withhold
