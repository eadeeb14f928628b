"""The documented deployment, for real: two app processes behind nginx sharing one PostGIS
database (deploy/nginx.conf.template, docs/DEPLOY.md), driven in Debian Chromium."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geodata.stewardship.accounts import add_account
from tests.conftest import location_env, new_database
from tests.e2e.conftest import ARTIFACTS, OfflinePage
from tests.e2e.server import MAP_IFRAME, REPO, free_port, nav_link, start_app, stop_app, wait_ready

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif("postgis" not in os.environ.get("SPACEMAP_BACKENDS", "gpkg,postgis"),
                                 reason="PostGIS backend not selected")]
STAFF, PASSWORD = "deploy-staff", "a long enough secret"


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


def _visible_text(page) -> str:
    """What an anonymous visitor's browser holds: the page and its iframes (the map)."""
    return "\n".join(frame.content() for frame in page.frames)


def _log_in_and_open_data(page) -> None:
    """Close the "page not found" notice, log in as the staff account through the sidebar, then
    open the Data page (in the same session: a new page load would start logged out)."""
    page.keyboard.press("Escape")
    page.get_by_role("dialog").wait_for(state="hidden", timeout=30_000)
    page.get_by_text("工作人员登录").click()
    page.get_by_label("用户名").fill(STAFF)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text(f"已登录：{STAFF}").wait_for(timeout=60_000)
    nav_link(page, "数据管理").click()


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
    add_account(STAFF, PASSWORD, "staff", by="test", location=url)
    for base in (front, *apps):  # nginx and each process behind it show the same, current data
        view = OfflinePage(browser)
        try:
            page = view.page
            page.goto(f"{base}/data", wait_until="domcontentloaded")  # not served to anonymous visitors
            page.get_by_text("部署测试空间").first.wait_for(timeout=60_000)  # the new carrier, on the map page
            view.map_frame().locator(".leaflet-interactive").first.wait_for(timeout=60_000)
            page.wait_for_timeout(500)
            assert page.get_by_role("link", name="数据管理").count() == 0
            assert page.get_by_text("变更记录").count() == 0  # no audit log
            text = _visible_text(page)
            assert "deploy-test" not in text and name not in text  # who imported which file: staff only
            if base == front:  # staff, logged in through nginx, see who imported the file
                _log_in_and_open_data(page)
                page.get_by_text(name).first.wait_for(timeout=60_000)
                assert page.get_by_text("deploy-test").count() >= 1
                page.screenshot(path=str(ARTIFACTS / "deploy_data_after_import.png"), full_page=True)
        finally:
            view.context.close()
