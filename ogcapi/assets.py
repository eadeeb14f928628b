"""The JavaScript/CSS of the API's HTML pages, served by the API itself, never from a CDN.

pygeoapi's own templates load Bootstrap, Leaflet, Leaflet.markercluster, html5shiv and Swagger UI from
unpkg/cdnjs; the templates in ``ogcapi/templates`` (copies of the few upstream ones that load them) load
them from the API's own ``/static/vendor/`` instead. The files are the npm packages pinned in
``assets/package.json`` (the same Leaflet, markercluster and Bootstrap the app's maps use, plus
``swagger-ui-dist``), copied to the git-ignored ``static/vendor`` by ``scripts/vendor_assets.py`` at
install time. When the API starts, :func:`build_static` assembles its static folder (pygeoapi's own
stylesheet and logos, and these files) in the API's temporary folder: that folder is pygeoapi's
``server.templates.static``. html5shiv (for Internet Explorer 8) is not served: the page no longer
asks for it. Pure paths and file copies; no import of the project.
"""
from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["TEMPLATES", "VENDOR", "PAGE_ASSETS", "PAGE_ASSET_DIRS", "missing_page_assets", "build_static"]

REPO_ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(__file__).resolve().parent / "templates"
"""The templates searched before pygeoapi's own (``server.templates.path``)."""
VENDOR = REPO_ROOT / "static" / "vendor"
"""Where ``scripts/vendor_assets.py`` puts the npm files (paths below it are the npm paths)."""
PAGE_ASSETS = (
    "bootstrap/dist/css/bootstrap.min.css",
    "leaflet/dist/leaflet.js",
    "leaflet/dist/leaflet.css",
    "leaflet.markercluster/dist/leaflet.markercluster.js",
    "leaflet.markercluster/dist/MarkerCluster.css",
    "leaflet.markercluster/dist/MarkerCluster.Default.css",
    "swagger-ui-dist/swagger-ui.css",
    "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui-standalone-preset.js",
    "swagger-ui-dist/favicon-32x32.png",
    "swagger-ui-dist/favicon-16x16.png",
)
"""The files the API's pages load, by npm path (served at ``/static/vendor/<npm path>``)."""
PAGE_ASSET_DIRS = ("leaflet/dist/images",)
"""Folders copied whole (the marker and layer images Leaflet's stylesheet refers to)."""


def missing_page_assets(root: Path = VENDOR) -> list[str]:
    """The page files not under ``root`` (empty once ``scripts/vendor_assets.py`` has run)."""
    return [p for p in (*PAGE_ASSETS, *PAGE_ASSET_DIRS) if not (root / p).exists()]


def build_static(folder: Path, *, vendor: Path = VENDOR) -> tuple[Path, list[str]]:
    """Fill ``folder`` with pygeoapi's own static files (stylesheet, logos) and, below ``vendor/``, the
    page files found under ``vendor``; return the folder and the page files that were missing."""
    import pygeoapi

    folder = Path(folder)
    shutil.copytree(Path(pygeoapi.__file__).parent / "static", folder, dirs_exist_ok=True)
    missing = missing_page_assets(vendor)
    for path in PAGE_ASSETS:
        if path not in missing:
            target = folder / "vendor" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(vendor / path, target)
    for path in PAGE_ASSET_DIRS:
        if path not in missing:
            shutil.copytree(vendor / path, folder / "vendor" / path, dirs_exist_ok=True)
    return folder, missing
