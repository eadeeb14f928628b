"""Map JavaScript/CSS served by the app itself, never from a CDN.

The files come from npm packages pinned in ``assets/package.json`` (installed by the
README's commands with ``npm ci``; never committed) and are copied to ``static/vendor``
by ``scripts/vendor_assets.py``. Streamlit serves ``static/`` at ``app/static/``
(``server.enableStaticServing``). Every folium element's CDN links are swapped for these
local copies before rendering; a standalone HTML export inlines them instead.
"""
from __future__ import annotations

import base64
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = REPO_ROOT / "assets" / "node_modules"
STATIC_VENDOR = REPO_ROOT / "static" / "vendor"

# From the streamlit-folium component iframe (…/component/<name>/index.html) the app's
# static folder is two levels up; a relative URL keeps working behind a base path.
COMPONENT_URL_PREFIX = "../../app/static/vendor/"


@dataclass(frozen=True)
class Asset:
    """One vendored file: the folium resource name it replaces and its npm path."""

    name: str
    kind: str  # "js" or "css"
    npm_path: str  # relative to node_modules
    core: bool = False  # needed by our maps: loaded by the app and inlined into exports

    @property
    def vendor_path(self) -> str:
        """Path below ``static/vendor``."""
        return self.npm_path


ASSETS: tuple[Asset, ...] = (
    Asset("leaflet", "js", "leaflet/dist/leaflet.js", True),
    Asset("jquery", "js", "jquery/dist/jquery.min.js"),
    Asset("bootstrap", "js", "bootstrap/dist/js/bootstrap.bundle.min.js"),
    Asset("awesome_markers", "js", "drmonty-leaflet-awesome-markers/js/leaflet.awesome-markers.min.js"),
    Asset("markerclusterjs", "js", "leaflet.markercluster/dist/leaflet.markercluster.js", True),
    Asset("leaflet_css", "css", "leaflet/dist/leaflet.css", True),
    Asset("bootstrap_css", "css", "bootstrap/dist/css/bootstrap.min.css"),
    Asset("awesome_markers_font_css", "css", "@fortawesome/fontawesome-free/css/all.min.css"),
    Asset("awesome_markers_css", "css", "drmonty-leaflet-awesome-markers/css/leaflet.awesome-markers.css"),
    Asset("markerclustercss", "css", "leaflet.markercluster/dist/MarkerCluster.css", True),
    Asset("markerclusterdefaultcss", "css", "leaflet.markercluster/dist/MarkerCluster.Default.css", True),
)
BY_NAME = {a.name: a for a in ASSETS}

# Folium resources deliberately dropped: Bootstrap 3 glyphicons and the icon-rotation CSS
# (no npm package of the exact files; the map uses neither glyphicons nor rotated icons).
DROPPED = ("glyphicons_css", "awesome_rotate_css")

# Folders copied whole next to the files above (images and fonts the CSS refers to).
ASSET_DIRS = (
    "leaflet/dist/images",
    "@fortawesome/fontawesome-free/webfonts",
    "drmonty-leaflet-awesome-markers/css/images",
)


def _localise_list(resources, kind: str) -> list[tuple[str, str]]:
    out = []
    for name, _url in resources:
        if name in DROPPED:
            continue
        asset = BY_NAME.get(name)
        if asset is None or asset.kind != kind:
            raise KeyError(f"folium resource {name!r} has no vendored copy; add it to layers/assets.py")
        out.append((name, COMPONENT_URL_PREFIX + asset.vendor_path))
    return out


def localise(element) -> None:
    """Point every JS/CSS link of a folium element tree at the app's vendored copies.

    Modifies the element instances (not the folium classes) in place. A ``folium.Map``
    keeps only the core assets (Leaflet): the jQuery, Bootstrap and icon-font links folium
    adds to every map are served locally too but not loaded, since our maps use none of
    them; any other element that lists them still gets the local copies.

    Raises
    ------
    KeyError
        If an element needs a resource that is not vendored (so it is never loaded from a
        CDN by accident).
    """
    import folium

    stack = [element]
    while stack:
        elem = stack.pop()
        core_only = isinstance(elem, folium.Map)  # folium.Map lists jQuery, Bootstrap, icon fonts we never use
        for attr, kind in (("default_js", "js"), ("default_css", "css")):
            if hasattr(elem, attr):
                resources = _localise_list(getattr(elem, attr), kind)
                if core_only:
                    resources = [r for r in resources if BY_NAME[r[0]].core]
                setattr(elem, attr, resources)
        stack.extend(getattr(elem, "_children", {}).values())


def vendored_file(asset: Asset, *, root: Path = STATIC_VENDOR) -> Path:
    """The on-disk copy of ``asset`` under ``root``."""
    return root / asset.vendor_path


def missing_assets(*, root: Path = STATIC_VENDOR) -> list[str]:
    """Vendored files that are not on disk (empty when set-up ran)."""
    return [a.vendor_path for a in ASSETS if not vendored_file(a, root=root).exists()]


_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+?)['\"]?\s*\)")


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".woff2":
        mime = "font/woff2"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def inline_css(path: Path) -> str:
    """Return the CSS file with every relative ``url(...)`` replaced by a data URI."""
    text = path.read_text("utf-8")

    def repl(match):
        ref = match.group(1)
        if ref.startswith(("data:", "http:", "https:", "#")):
            return match.group(0)
        target = (path.parent / ref.split("?")[0].split("#")[0]).resolve()
        return f"url({_data_uri(target)})" if target.exists() else match.group(0)

    return _CSS_URL.sub(repl, text)


def _script_safe(text: str) -> str:
    return text.replace("</script", "<\\/script")


def inline_assets(html: str, *, root: Path = STATIC_VENDOR) -> str:
    """Make a rendered folium page self-contained.

    Every ``<script src>`` / ``<link rel=stylesheet>`` pointing at a vendored file is
    replaced by the file's content when the map needs it offline (Leaflet and the marker
    cluster plugin), or removed (jQuery, Bootstrap, icon fonts: unused by our maps).
    Any remaining external link is removed too, so the page never reaches the network.
    """
    def core_asset(url: str) -> Asset | None:
        asset = next((a for a in ASSETS if url.endswith(a.vendor_path)), None)
        return asset if asset is not None and asset.core else None

    def script(match):
        asset = core_asset(match.group(1))
        return "" if asset is None else \
            f"<script>{_script_safe(vendored_file(asset, root=root).read_text('utf-8'))}</script>"

    def link(match):
        asset = core_asset(match.group(1))
        return "" if asset is None else f"<style>{inline_css(vendored_file(asset, root=root))}</style>"

    html = re.sub(r'<script\s+src="([^"]+)"\s*>\s*</script>', script, html)
    html = re.sub(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>', link, html)
    return html
