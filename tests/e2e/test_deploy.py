"""The documented deployment, for real: two app processes behind nginx sharing one PostGIS
database (deploy/nginx.conf.template, docs/DEPLOY.md), driven in Debian Chromium and, for the
stickiness by cookie, at Streamlit's protocol level (bench_load's client)."""
from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

from benchmarks.load_protocol import burst, marker_text, path_of, rerun_request
from benchmarks.bench_scale import log_entries
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
    """Two `cli.py serve` processes on one database, nginx in front; yields (nginx URL, app URLs, database URL,
    nginx's access log)."""
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
        yield front, [a[1] for a in apps], url, prefix / "access.log"
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
    front, apps, url, _ = deployment
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


# ---- sticky by visitor (a cookie nginx sets), not by address: at the protocol level ----------------------------

ROUTE_COOKIE = re.compile(r"spacemap_route=([0-9a-f]{32}); Path=/; HttpOnly; SameSite=Lax")


def _get(url: str, route: str | None = None) -> tuple[int, list[str], bytes]:
    """GET ``url`` carrying the route cookie ``route`` (or none): status, Set-Cookie headers, body."""
    request = urllib.request.Request(url, headers={"Cookie": f"spacemap_route={route}"} if route else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return resp.status, resp.headers.get_all("Set-Cookie") or [], resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get_all("Set-Cookie") or [], exc.read()


def _run(coro):
    """``asyncio.run`` in a thread of its own: Playwright's sync API (the browser tests) keeps an event loop
    in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _log(log: Path, done, timeout: float = 15.0) -> list[dict]:
    """nginx's access log (bench_scale's reader), once ``done(entries)`` holds: nginx writes a request's
    line when it ends, a websocket's when it closes."""
    deadline = time.monotonic() + timeout
    while True:
        entries = log_entries(log.read_text().splitlines())
        if done(entries) or time.monotonic() > deadline:
            return entries
        time.sleep(0.1)


def _served(log: Path, path: str) -> str:
    """The process (host:port) nginx sent the one request for ``path`` to."""
    entries = _log(log, lambda es: any(e["path"] == path for e in es))
    return next(e["up"] for e in entries if e["path"] == path)


async def _session(front: str, route: str, other: str) -> dict:
    """A visitor whose browser holds ``route`` opens the Map through nginx (one websocket session) and asks for
    its CSV export, a download Streamlit makes and keeps in the session's process; while the session is open
    the file (its /media/ URL) is fetched through nginx with ``route`` and with ``other``."""
    ws_url = front.replace("http://", "ws://") + "/_stcore/stream"
    async with asyncio.timeout(180):
        async with connect(ws_url, origin=front, subprotocols=["streamlit"], max_size=None, ping_interval=None,
                           additional_headers={"Cookie": f"spacemap_route={route}"}) as ws:
            await ws.send(rerun_request(front, ""))
            session, file_id = "", ""
            async for raw in ws:
                msg = ForwardMsg.FromString(raw)
                kind = msg.WhichOneof("type")
                if kind == "new_session":
                    session = msg.new_session.initialize.session_id
                elif kind == "delta" and msg.delta.new_element.WhichOneof("type") == "download_button":
                    button = msg.delta.new_element.download_button
                    if button.id.endswith("dl_csv") and button.HasField("deferred_file_id"):
                        file_id = button.deferred_file_id
                elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    assert msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
                    break
            assert session and file_id, "the Map's CSV export is missing"
            ask = BackMsg()  # what the frontend sends when the download button is clicked
            ask.backend_operation_request.request_id = "deploy-test-download"
            ask.backend_operation_request.session_id = session
            ask.backend_operation_request.deferred_file.file_id = file_id
            await ws.send(ask.SerializeToString())
            async for raw in ws:
                msg = ForwardMsg.FromString(raw)
                if msg.WhichOneof("type") == "backend_operation_response":
                    break
            answer = msg.backend_operation_response
            assert not answer.error_msg, answer.error_msg
            media = answer.deferred_file.url
            assert media.startswith("/media/")
            own = await asyncio.to_thread(_get, front + media, route)
            elsewhere = await asyncio.to_thread(_get, front + media, other)
    return {"media": media, "own": own, "elsewhere": elsewhere}


def test_deployment__sticky_by_cookie_not_by_address(deployment):
    """Every request here comes from 127.0.0.1, one address, like visitors behind one NAT. A first response
    sets a random route cookie; with it, the page, its reloads, the websocket session and the session's
    download all reach one process, while another route may reach the other one; a download made by a session
    is found only through its route; sessions without a cookie spread over both processes."""
    front, apps, _, log = deployment
    status, cookies, _ = _get(f"{front}/?probe=first")
    assert status == 200 and len(cookies) == 1, cookies
    route = ROUTE_COOKIE.fullmatch(cookies[0])[1]
    for i in range(4):  # the browser sends it back: no new cookie, the same process
        status, cookies, _ = _get(f"{front}/?probe=again-{i}", route)
        assert (status, cookies) == (200, [])
    status, cookies, _ = _get(f"{front}/?probe=forged", "not-a-route")  # not one nginx set: a new one
    assert status == 200 and ROUTE_COOKIE.fullmatch(cookies[0])
    home = _served(log, "/?probe=first")
    other, other_home = "", ""
    for i in range(40):  # a route that reaches the other process (each does with probability 1/2)
        candidate = secrets.token_hex(16)
        _get(f"{front}/?probe=find-{i}", candidate)
        if _served(log, f"/?probe=find-{i}") != home:
            other, other_home = candidate, _served(log, f"/?probe=find-{i}")
            break
    assert other and {home, other_home} == {a.removeprefix("http://") for a in apps}

    download = _run(_session(front, route, other))
    status, _, body = download["own"]
    assert status == 200 and body.count(b"\n") > 10  # the carriers as CSV, from the session's process
    assert download["elsewhere"][0] == 404  # the other process never had it: stickiness is what serves it
    _run(_session(front, other, route))  # the other route's session, on the other process

    entries = _log(log, lambda es: {e["route"] for e in es if e["path"] == "/_stcore/stream"} >= {route, other})
    mine = [e for e in entries if e["route"] == route]
    assert {e["up"] for e in mine} == {home}, mine  # page, reloads, websocket and download: one process
    assert {e["path"] for e in mine} >= {"/?probe=first", "/_stcore/stream", download["media"]}
    streams = {e["route"]: e["up"] for e in entries if e["path"] == "/_stcore/stream"}
    assert streams[route] == home and streams[other] == other_home != home

    seen = len(entries)
    runs, _ = _run(burst(front, path_of("tally"), marker_text("tally"), 16, timeout=180))
    assert [r.error for r in runs] == [None] * 16  # the page, through nginx, for sixteen new visitors at once
    entries = _log(log, lambda es: sum(e["path"] == "/_stcore/stream" for e in es[seen:]) >= 16)[seen:]
    new = [e["up"] for e in entries if e["path"] == "/_stcore/stream"]
    assert len(new) == 16 and set(new) == {home, other_home}  # without a cookie: spread (all on one: p = 2⁻¹⁵)
