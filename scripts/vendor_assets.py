"""Install the map's JavaScript/CSS from the npm registry and copy it to static/vendor.

Runs ``npm ci`` in ``assets/`` (versions pinned by assets/package-lock.json) when
``assets/node_modules`` is missing or older than the lock file, then copies the files
listed in ``layers/assets.py`` to ``static/vendor`` (served by Streamlit), and those the OGC
API's HTML pages load (``ogcapi/assets.py``: Bootstrap, Leaflet, markercluster, Swagger UI; the API
serves them from its own static folder). Nothing of it is committed.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from layers.assets import ASSET_DIRS, ASSETS, NODE_MODULES, STATIC_VENDOR, missing_assets  # noqa: E402
from ogcapi.assets import PAGE_ASSET_DIRS, PAGE_ASSETS, missing_page_assets  # noqa: E402

LOCK = NODE_MODULES.parent / "package-lock.json"


def main() -> int:
    stale = not NODE_MODULES.exists() or NODE_MODULES.stat().st_mtime < LOCK.stat().st_mtime
    if stale:
        npm = shutil.which("npm")
        if npm is None:
            sys.stderr.write("error: npm is needed to install the map assets (Debian: apt-get install npm)\n")
            return 2
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                       cwd=NODE_MODULES.parent, check=True)
        NODE_MODULES.touch()
    for asset in ASSETS:
        target = STATIC_VENDOR / asset.vendor_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(NODE_MODULES / asset.npm_path, target)
    for path in PAGE_ASSETS:
        (STATIC_VENDOR / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(NODE_MODULES / path, STATIC_VENDOR / path)
    for folder in (*ASSET_DIRS, *PAGE_ASSET_DIRS):
        shutil.copytree(NODE_MODULES / folder, STATIC_VENDOR / folder, dirs_exist_ok=True)
    missing = missing_assets() + missing_page_assets(STATIC_VENDOR)
    if missing:
        sys.stderr.write(f"error: vendored assets missing after copy: {missing}\n")
        return 1
    print(f"map assets ready in {STATIC_VENDOR.relative_to(STATIC_VENDOR.parents[1])} ({len(ASSETS)} map files, "
          f"{len(PAGE_ASSETS)} for the OGC API's pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
