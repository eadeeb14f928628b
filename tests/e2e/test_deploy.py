"""The documented deployment, for real: two app processes behind nginx sharing one PostGIS
database (deploy/nginx.conf.template, docs/DEPLOY.md), driven in Debian Chromium."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import location_env, new_database
from tests.e2e.conftest import ARTIFACTS, OfflinePage
from tests.e2e.server import MAP_IFRAME, REPO, free_port, start_app, stop_app, wait_ready

pytestmark = pytest.mark.skipif("postgis" not in os.environ.get("SPACEMAP_BACKENDS", "gpkg,postgis"),
                                reason="PostGIS backend not selected")


@pytest.fixture(scope="module")
def deployment(pg_cluster, tmp_path_factory):
    """Two `cli.py serve` processes on one database, nginx in front; yields (nginx URL, app URLs, database URL)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is missing: run the README's test command (it installs Debian's nginx)")
    sys.path.insert(0, str(REPO / "deploy"))
    from render_nginx import render

    url = new_database(pg_cluster)
    apps = [start_app(url) for _ in range(2)]
    port = free_port()
    prefix = tmp_path_factory.mktemp("nginx")
    conf = render(f"127.0.0.1:{port}", [a[1].removeprefix("http://") for a in apps], prefix)
    proc = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    front = f"http://127.0.0.1:{port}"
    try:
        wait_ready(proc, front)
        yield front, [a[1] for a in apps], url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for app in apps:
            stop_app(app[0])


def _import(url: str, tmp_path: Path) -> str:
    csv = tmp_path / "deploy-import.csv"
    csv.write_text("编号,名称,英文名称,建筑面积,经度,纬度,状态,来源\n"
                   "deploy-1,部署测试空间,Deployment test space,640,114.0560,22.5400,operating,deployment test\n",
                   encoding="utf-8")
    out = subprocess.run([sys.executable, str(REPO / "cli.py"), "import", str(csv), "--layer", "lowcost_spaces",
                          "--by", "deploy-test", "--json"], capture_output=True, text=True, cwd=REPO, timeout=120,
                         env={**os.environ, **location_env(url)})
    assert out.returncode == 0, out.stderr
    return csv.name


def test_deployment__map_through_nginx_and_every_process_sees_one_database(deployment, browser, tmp_path):
    front, apps, url = deployment
    view = OfflinePage(browser)
    try:
        page = view.page
        page.goto(front, wait_until="domcontentloaded")
        page.wait_for_selector(MAP_IFRAME, timeout=60_000)
        view.map_frame().locator(".leaflet-interactive").first.wait_for(timeout=60_000)  # vector layers, tiles or not
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "deploy_map_via_nginx.png"))
        assert not view.dialogs and not view.errors
    finally:
        view.context.close()

    name = _import(url, tmp_path)  # a third process writes to the shared database
    for base in (front, *apps):  # nginx and each process behind it show the same, current data
        view = OfflinePage(browser)
        try:
            view.page.goto(f"{base}/data", wait_until="domcontentloaded")
            view.page.get_by_text(name).first.wait_for(timeout=60_000)
            assert view.page.get_by_text("deploy-test").count() >= 1
            if base == front:
                view.page.screenshot(path=str(ARTIFACTS / "deploy_data_after_import.png"), full_page=True)
        finally:
            view.context.close()
