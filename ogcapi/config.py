"""The pygeoapi configuration and OpenAPI document, generated from the collections at start.

Nothing here is written by hand per layer: every resource comes from a :class:`ogcapi.collections.Collection`
(the layer catalogue's titles and fields, the message catalogue's descriptions and licences), its
extent and its sources from the published view. Titles and descriptions are given in Chinese and
English (pygeoapi's multilingual configuration: ``languages: [zh, en]``, Chinese the default;
``?lang=en`` or ``Accept-Language: en`` for English).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ogcapi.assets import TEMPLATES
from ogcapi.collections import Collection
from messages import LANGS, Pair, pair, t
from spatial.provenance import CITATION_SPLIT, parse_source

__all__ = ["CRS84", "MAX_ITEMS", "build_config", "write_documents", "layer_sources", "SHENZHEN_BBOX"]

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
MAX_ITEMS = 10_000
"""The most features one page may hold (``limit``); GDAL and QGIS page through the rest."""
DEFAULT_ITEMS = 100
BASE_MAP = {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "&copy; OpenStreetMap contributors"}
"""The base map of the HTML pages' maps: OpenStreetMap, drawn in WGS-84 like the features the API serves. The
app's Chinese base map (AMap/Gaode, ``layers.basemaps``) is drawn in GCJ-02: the features would sit a few
hundred metres off its streets. The tiles are the only thing the pages load from outside."""
SHENZHEN_BBOX = [113.75, 22.39, 114.63, 22.87]
"""The extent given to a collection without geometry (Shenzhen)."""
MAX_SOURCES = 6
"""Sources named in a collection's description at most (the ``sources`` collection lists them all)."""


def _i18n(value: Pair) -> dict[str, str]:
    return {lang: value.get(lang) for lang in LANGS}


def layer_sources(frame, registry: dict[str, dict]) -> Pair:
    """The documents a layer's rows cite, by their short titles (seed documents), then "public pages"
    for external citations and any other note, in order of first appearance, at most :data:`MAX_SOURCES`."""
    from geodata.reports.overview import layer_sources as citations

    zh: dict[str, None] = {}
    en: dict[str, None] = {}
    for text in citations(frame):
        for part in CITATION_SPLIT.split(text):
            cite = parse_source(part)
            if cite is None:
                continue
            entry = registry.get(cite.document) if cite.document else None
            if entry is not None:
                zh.setdefault(f"《{entry.get('short_zh') or entry.get('title_zh')}》", None)
                en.setdefault(f"'{entry.get('short_en') or entry.get('title_en')}'", None)
            elif cite.external:
                zh.setdefault("公开网页 [ext]", None)
                en.setdefault("public pages [ext]", None)
            elif not cite.document:
                note = cite.section if len(cite.section) <= 80 else cite.section[:79] + "…"
                zh.setdefault(note, None)
                en.setdefault(note, None)
    return Pair("；".join(list(zh)[:MAX_SOURCES]), "; ".join(list(en)[:MAX_SOURCES]))


def _extent(bounds: np.ndarray) -> list[float]:
    if not len(bounds) or np.isnan(bounds).all():
        return list(SHENZHEN_BBOX)
    return [float(np.nanmin(bounds[:, 0])), float(np.nanmin(bounds[:, 1])),
            float(np.nanmax(bounds[:, 2])), float(np.nanmax(bounds[:, 3]))]


def _resource(collection: Collection, *, url: str, bounds: np.ndarray, sources: Pair) -> dict:
    description = {}
    for lang in LANGS:
        parts = [collection.description.get(lang), f"{t('api_licence', lang)}: {collection.licence.get(lang)}"
                 if lang == "en" else f"许可与来源：{collection.licence.get(lang)}"]
        if sources.get(lang):
            parts.append(t("api_sources", lang, sources=sources.get(lang)))
        description[lang] = " ".join(parts) if lang == "en" else "".join(parts)
    provider = {"type": "feature", "name": "ogcapi.provider.PublicProvider", "data": collection.key,
                "id_field": "id", "geom_field": "geometry", "storage_crs": CRS84, "crs": [CRS84]}
    if "name_zh" in collection.field_names:
        provider["title_field"] = "name_zh"
    keywords = {lang: [collection.title.get(lang), *(k for k in t("api_keywords", lang).split(";"))]
                for lang in LANGS}
    return {
        "type": "collection",
        "title": _i18n(collection.title),
        "description": description,
        "keywords": keywords,
        "links": [{"type": "application/schema+json", "rel": "describedby", "title": "JSON Schema",
                   "href": f"{url}/collections/{collection.key}/schema?f=json"},
                  {"type": "application/geo+json", "rel": "related", "title": pair("api_sources_link").en,
                   "href": f"{url}/collections/sources/items?f=json", "hreflang": "zh"}],
        "extents": {"spatial": {"bbox": _extent(bounds), "crs": CRS84}},
        "limits": {"default_items": DEFAULT_ITEMS, "max_items": MAX_ITEMS, "on_exceed": "throttle"},
        "providers": [provider],
    }


def build_config(collections: Sequence[Collection], *, url: str, host: str, port: int,
                 bounds: dict[str, np.ndarray], sources: dict[str, Pair], static: Path | None = None) -> dict:
    """The pygeoapi configuration serving ``collections`` at ``url`` (the address clients use: behind
    nginx, e.g. ``https://example.org/ogc``), listening on ``host``:``port``.

    ``bounds``: each collection's geometry bounds (its extent); ``sources``: each collection's sources;
    ``static``: the folder served at ``/static`` (:func:`ogcapi.assets.build_static`; default pygeoapi's own).
    The HTML pages come from ``ogcapi/templates`` first (they load their scripts from ``/static/vendor``).
    """
    templates = {"path": str(TEMPLATES)} if static is None else {"path": str(TEMPLATES), "static": str(static)}
    url = url.rstrip("/")
    return {
        "server": {
            "bind": {"host": host, "port": int(port)},
            "url": url,
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "gzip": False,
            "languages": list(LANGS),
            "cors": False,  # the CORS headers are set by ogcapi.server (read-only methods only)
            "pretty_print": False,
            "admin": False,
            "limits": {"default_items": DEFAULT_ITEMS, "max_items": MAX_ITEMS, "on_exceed": "throttle"},
            "map": dict(BASE_MAP),
            "templates": templates,
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": _i18n(pair("api_title")), "description": _i18n(pair("api_description")),
                               "keywords": {lang: t("api_keywords", lang).split(";") for lang in LANGS},
                               "keywords_type": "theme", "terms_of_service": _i18n(pair("api_licence")),
                               "url": url},
            "license": {"name": _i18n(pair("api_licence")), "url": f"{url}/collections/sources/items"},
            "provider": {"name": _i18n(pair("api_provider")), "url": url},
            "contact": {"name": " / ".join(pair("api_provider")), "url": url, "role": "pointOfContact"},
        },
        "resources": {c.key: _resource(c, url=url, bounds=bounds.get(c.key, np.empty((0, 4))),
                                       sources=sources.get(c.key, Pair("", ""))) for c in collections},
    }


def write_documents(config: dict, folder: Path) -> tuple[Path, Path]:
    """Write the configuration and its OpenAPI document into ``folder``; return both paths.

    pygeoapi reads them from ``PYGEOAPI_CONFIG`` and ``PYGEOAPI_OPENAPI`` when its application loads.
    """
    import yaml
    from pygeoapi.openapi import get_oas

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "pygeoapi-config.yml"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    openapi_path = folder / "pygeoapi-openapi.json"
    openapi_path.write_text(json.dumps(get_oas(config), ensure_ascii=False, default=str), "utf-8")
    return config_path, openapi_path
