"""Start the OGC API: prepare the public view, generate pygeoapi's configuration and OpenAPI document,
load pygeoapi's Flask application and serve it with waitress (a production WSGI server).

The application is wrapped so that it is read-only (GET, HEAD and the CORS preflight OPTIONS; any
other method 405), answers every origin (``Access-Control-Allow-Origin: *``: public data, no
cookies), never shows a traceback or a server path (an unexpected error is one generic line; the
details go to the server log), and writes JSON into its HTML pages so that no text can close their
``<script>`` element.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import orjson

from messages import Pair
from ogcapi.assets import build_static
from ogcapi.collections import Collection, indicator_collections, layer_collections
from ogcapi.config import build_config, layer_sources, write_documents
from ogcapi.pages import PageCache
from ogcapi.provider import COMPACT, registry, set_registry
from ogcapi.published import current_view, has_indicators

__all__ = ["public_collections", "prepare", "application", "Guard", "serve"]

LOG = logging.getLogger(__name__)
READ_METHODS = ("GET", "HEAD")
CORS_HEADERS = [("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Expose-Headers", "Content-Crs, Content-Language, Link")]
PREFLIGHT_HEADERS = [*CORS_HEADERS, ("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"),
                     ("Access-Control-Allow-Headers", "Accept, Accept-Language, Content-Type"),
                     ("Access-Control-Max-Age", "86400"), ("Content-Length", "0")]
SEND_BYTES = 1 << 20
"""Bytes waitress hands the socket at a time (its default, 18,000, means ~40 calls for a page of 1,000 carriers)."""
OUTBUF_OVERFLOW = 64 << 20
"""Bytes of a response waitress keeps in memory before it spills to a temporary file (default 1 MiB)."""
CLOSED_PATHS = ("/admin", "/jobs")
"""pygeoapi routes this service never offers (no admin API, no processes)."""


def public_collections(location=None) -> tuple[Collection, ...]:
    """Every public layer's collection, and the indicators by level when the store holds enterprise figures."""
    import settings

    out = layer_collections()
    if has_indicators(location):
        minimum, share = settings.disclosure_rule()
        out = (*out, *indicator_collections(min_enterprises=minimum, dominance=share))
    return out


def prepare(folder: Path, *, url: str, host: str, port: int, location=None) -> tuple[Path, Path, int]:
    """Prepare the public view of the store, the static folder of the HTML pages and pygeoapi's configuration
    and OpenAPI document in ``folder``; return the documents' paths and the number of collections."""
    collections = public_collections(location)
    set_registry({c.key: c for c in collections})
    view = current_view(registry(), location)
    registry_rows = {str(r["file"]): r for r in view.frames["sources"].to_dict("records") if r.get("file")}
    bounds, sources = {}, {}
    for c in collections:
        table = view.table(c.key)  # prepared now: the first client does not wait
        bounds[c.key] = table.bounds if table.geoms is not None else np.empty((0, 4))
        sources[c.key] = layer_sources(view.frames[c.layer], registry_rows) if c.layer else Pair("", "")
    static, missing = build_static(Path(folder) / "static")
    if missing:
        LOG.warning("the HTML pages lack %s: run scripts/vendor_assets.py", ", ".join(missing))
    config = build_config(collections, url=url, host=host, port=port, bounds=bounds, sources=sources,
                          static=static)
    config_path, openapi_path = write_documents(config, folder)
    return config_path, openapi_path, len(collections)


def to_json(dict_, pretty=False) -> str:
    """pygeoapi's JSON encoder made HTML-safe and UTF-8: ``<``, ``>`` and ``&`` written as ``\\u003c``,
    ``\\u003e``, ``\\u0026`` (JSON and JavaScript read them back as the same text), so no value can
    close the ``<script>`` element pygeoapi's HTML pages put JSON in unescaped; Chinese written as
    itself, not as ``\\uXXXX`` (half the bytes).

    Compact documents (every page but ``pretty`` ones) are written by orjson: about ten times faster than
    the standard encoder on a page of 1,000 features (the same values; a NaN, which is not JSON, is null).
    """
    from pygeoapi.util import json_serial

    if not pretty:
        data = orjson.dumps(dict_, default=json_serial, option=orjson.OPT_NON_STR_KEYS)
        if b"<" in data or b">" in data or b"&" in data:
            data = data.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")
        return data.decode("utf-8")
    text = json.dumps(dict_, default=json_serial, indent=4, ensure_ascii=False)
    if "<" in text or ">" in text or "&" in text:
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text


def _use_safe_json() -> None:
    """Put :func:`to_json` in place of pygeoapi's own, in every pygeoapi module that imported it."""
    import pygeoapi.util as util

    original = util.to_json
    if original is to_json:
        return
    for name, module in list(sys.modules.items()):
        if (name == "pygeoapi" or name.startswith("pygeoapi.")) and getattr(module, "to_json", None) is original:
            module.to_json = to_json


def application(config_path: Path, openapi_path: Path):
    """pygeoapi's Flask application for the written documents, wrapped by :class:`Guard`."""
    os.environ["PYGEOAPI_CONFIG"] = str(config_path)
    os.environ["PYGEOAPI_OPENAPI"] = str(openapi_path)
    from pygeoapi import flask_app

    _use_safe_json()
    # pygeoapi 0.21.0 renders the TileMatrixSets pages with the whole configuration as their template
    # settings (api/tiles.py), so they would miss ogcapi/templates (and load Bootstrap from unpkg).
    templates = flask_app.CONFIG["server"].get("templates") or {}
    if "path" in templates:
        flask_app.api_.tpl_config.setdefault("path", templates["path"])
    logging.getLogger("pygeoapi").setLevel(logging.ERROR)
    return Guard(flask_app.APP)


class Guard:
    """WSGI wrapper: read-only methods, CORS for any origin, closed routes, no traceback to clients,
    and the pages of the current store revision answered from :class:`ogcapi.pages.PageCache`."""

    def __init__(self, app, *, cache: PageCache | None = None):
        self.app = app
        self.cache = PageCache() if cache is None else cache

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO", "") or "/"
        if method == "OPTIONS":
            start_response("204 No Content", list(PREFLIGHT_HEADERS))
            return [b""]
        if method not in READ_METHODS:
            return _error(start_response, "405 Method Not Allowed", "MethodNotAllowed", "read-only service",
                          [("Allow", "GET, HEAD, OPTIONS")])
        if path.rstrip("/").startswith(CLOSED_PATHS):
            return _error(start_response, "404 Not Found", "NotFound", "not found")
        token, key = _revision(), PageCache.key(environ)
        page = self.cache.get(token, key) if token is not None else None
        if page is None:
            page = self._answer(environ)
            if page is None:
                return _error(start_response, "500 Internal Server Error", "ServerError", "internal error")
            if token is not None and page[0].startswith("200"):
                self.cache.put(token, key, *page)
        status, headers, body = page
        start_response(status, headers + CORS_HEADERS)
        return [b""] if method == "HEAD" else [body]

    def _answer(self, environ) -> tuple[str, list, bytes] | None:
        """pygeoapi's answer to a GET (status, headers without CORS ones, body), or None on a failure."""
        environ = {**environ, "REQUEST_METHOD": "GET"}
        seen: dict = {}

        def start(status, headers, exc_info=None):
            seen["status"] = status
            seen["headers"] = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
            return lambda data: None

        token = COMPACT.set(_wants_geojson(environ))
        try:
            result = self.app(environ, start)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except Exception:  # noqa: BLE001 - the details go to the server log, never to the client
            LOG.exception("request %s failed", environ.get("PATH_INFO"))
            return None
        finally:
            COMPACT.reset(token)
        headers = [(k, v) for k, v in seen["headers"] if k.lower() != "content-length"]
        return seen["status"], [*headers, ("Content-Length", str(len(body)))], body


def _revision() -> object | None:
    """The current public view (one object per store revision), or None when the store cannot be read."""
    try:
        return current_view(registry())
    except Exception:  # noqa: BLE001 - the provider reports it; nothing is kept meanwhile
        return None


def _wants_geojson(environ) -> bool:
    """Whether the request asks for GeoJSON (``f=json``, or no ``f`` and no ``text/html`` accepted),
    as pygeoapi decides the format."""
    from urllib.parse import parse_qs

    f = parse_qs(environ.get("QUERY_STRING", "")).get("f", [""])[-1].strip().lower()
    if f:
        return f in ("json", "geojson")
    return "text/html" not in environ.get("HTTP_ACCEPT", "")


def _error(start_response, status: str, code: str, text: str, extra=(), exc_info=None):
    body = json.dumps({"code": code, "description": text}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *CORS_HEADERS, *extra]
    start_response(status, headers, exc_info)
    return [body]


def serve(*, host: str, port: int, url: str, threads: int = 4, announce=None) -> None:
    """Prepare the documents in a temporary folder and serve the API on ``host``:``port`` until stopped.

    ``announce(count)`` is called once the service is ready (the number of collections)."""
    import waitress

    folder = Path(tempfile.mkdtemp(prefix="spacemap-ogcapi-"))
    try:
        config_path, openapi_path, count = prepare(folder, url=url, host=host, port=port)
        app = application(config_path, openapi_path)
        if announce is not None:
            announce(count)
        waitress.serve(app, host=host, port=int(port), threads=int(threads), ident="", _quiet=True,
                       clear_untrusted_proxy_headers=True, send_bytes=SEND_BYTES,
                       outbuf_overflow=OUTBUF_OVERFLOW)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
