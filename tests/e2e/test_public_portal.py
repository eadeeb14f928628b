"""The public portal in Debian Chromium with no internet: after an enterprise need with a contact,
an editor's correction with a reason, a planners' goal and staff accounts were stored, an
anonymous visitor opens every page in both languages (and runs a match, and downloads every
file the pages offer) and none of those private texts reaches the browser; the staff pages
appear only after a staff login, and go again at logout."""
from __future__ import annotations

import base64
import io
import re
from pathlib import Path
import shutil
import zipfile

import pytest

from geodata.stewardship.accounts import add_account
from geodata.stewardship.commits import edit_fields
from geodata.stewardship.goals import set_goal
from geodata.stewardship.pool import save_need
from geodata.storage import read_layer
from spatial.need import Need
from tests.e2e.server import nav_link

pytestmark = pytest.mark.e2e

NEED_NAME = "联系人张三 13800138000 secret-need"
PASSWORD = "a long enough secret"
PRIVATE = ("13800138000", "联系人张三", "secret-need", "secret-reason", "王五", "staff-li", "editor-zhao",
           "admin-sun", "planner-qian", "secret-goal-reason", "password_hash", "argon2", "Traceback", "/tmp/")
PUBLIC_PAGES = ("map", "match", "tally", "progress", "overview")
STAFF_PATHS = ("data", "workspace", "accounts")
STAFF_LINKS = {"zh": ("招商工作台", "数据管理", "账户管理"), "en": ("Workspace", "Data", "Accounts")}
TITLES = {"zh": {"map": "地图", "match": "空间匹配", "tally": "面积统计", "progress": "培育空间进度",
                 "overview": "数据总览", "data": "数据管理", "workspace": "招商工作台", "accounts": "账户管理"},
          "en": {"map": "Map", "match": "Match", "tally": "Tally", "progress": "Progress",
                 "overview": "Data overview", "data": "Data", "workspace": "Workspace", "accounts": "Accounts"}}
SUBMIT = {"zh": "匹配", "en": "Match"}
MATCHED = {"zh": re.compile(r"\d+ 个结果（候选"), "en": re.compile(r"\d+ results \(\d+ candidates")}


@pytest.fixture
def portal(store, tmp_path):
    """A copy of the store holding private texts (written without the browser), served by the app."""
    copy = tmp_path / "s" / "spacemap.gpkg"
    copy.parent.mkdir()
    shutil.copy(store, copy)
    save_need(NEED_NAME, Need(industry="ai", area_min=200.0, area_max=2000.0), who="staff-li", location=copy)
    carrier = str(read_layer("incubators", copy)["id"].iloc[0])
    edit_fields(carrier, {"notes": "checked"}, reason="secret-reason-王五 visited", who="editor-zhao", path=copy)
    set_goal(2_000_000.0, 2030, set_by="planner-qian", reason="secret-goal-reason", path=copy)
    for name, role in (("staff-li", "staff"), ("editor-zhao", "editor"), ("admin-sun", "admin")):
        add_account(name, PASSWORD, role, by="admin-sun", location=copy)
    from tests.e2e.server import start_app, stop_app

    proc, url, _ = start_app(copy)
    yield url, copy
    stop_app(proc)


def _heading(page, text: str):
    return page.locator("[data-testid='stHeading']").filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


def _settle(page) -> None:
    """Wait until the script run is over (no "running" widget) and the page has drawn."""
    page.wait_for_timeout(800)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="detached", timeout=60_000)
    page.wait_for_timeout(700)


def _open(view, url: str, name: str, lang: str) -> None:
    """Open page ``name`` as the visitor; on Match, run the default match."""
    page = view.page
    path = "" if name == "map" else name  # the default page lives at the root (/map: "page not found")
    page.goto(f"{url}/{path}" + ("?lang=en" if lang == "en" else ""))
    shown = name if name in PUBLIC_PAGES else "map"  # a staff page is not there: the default page is
    _heading(page, TITLES[lang][shown]).first.wait_for(timeout=60_000)
    if shown == "map":
        view.map_frame().locator(".leaflet-container").wait_for(timeout=60_000)
    if name == "match":
        page.get_by_role("button", name=SUBMIT[lang], exact=True).click()
        page.get_by_text(MATCHED[lang]).first.wait_for(timeout=60_000)
        view.map_frame().locator(".rank-marker").first.wait_for(state="attached", timeout=60_000)
    if name == "progress":
        page.locator("img.sm-chart").first.wait_for(timeout=60_000)
    if name == "tally":
        page.locator("img.sm-chart").first.wait_for(timeout=60_000)
    _settle(page)


def _page_text(page) -> str:
    """The documents of the page and of its iframes (the map), with the SVG charts decoded."""
    parts = [frame.content() for frame in page.frames]
    charts = re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", "".join(parts))
    return "\n".join(parts + [base64.b64decode(c).decode("utf-8", "replace") for c in charts])


def _downloads(page) -> dict[str, bytes]:
    """Click every download button of the page; file name → its bytes (a workbook's members joined)."""
    files = {}
    for button in page.locator("[data-testid='stDownloadButton'] button").all():
        with page.expect_download(timeout=60_000) as info:
            button.click()
        body = info.value.path().read_bytes()
        if body[:2] == b"PK":  # XLSX: the texts are in the zipped XML
            with zipfile.ZipFile(io.BytesIO(body)) as z:
                body = b"\n".join(z.read(n) for n in z.namelist())
        files[info.value.suggested_filename] = body
    return files


def _nav_links(page) -> list[tuple[str, str]]:
    """(title, href) of every link on the page (the navigation's titles follow their icon name)."""
    links = page.locator("a[href]").evaluate_all("els => els.map(e => [e.innerText, e.getAttribute('href')])")
    return [(text.strip().splitlines()[-1].strip() if text.strip() else "", href) for text, href in links]


def _leaks(text, private) -> list[str]:
    return [p for p in private if (p.encode() if isinstance(text, bytes) else p) in text]


def test_public_portal__anonymous_visitor_never_sees_private_texts(offline_page, portal):
    url, store_path = portal
    private = (*PRIVATE, str(store_path), str(store_path.parent))
    received: list = []  # every websocket frame the server sent this visitor
    offline_page.page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: received.append(frame)))
    found, seen = {}, []
    for lang in ("zh", "en"):
        for name in (*PUBLIC_PAGES, *STAFF_PATHS):
            _open(offline_page, url, name, lang)
            page = offline_page.page
            where = f"{lang}/{name}"
            seen.append(offline_page.screenshot(f"portal_{lang}_{name}.png"))
            found[where] = _leaks(_page_text(page), private)
            links = _nav_links(page)
            assert [t for t, _ in links if t in STAFF_LINKS[lang]] == [], where
            assert [h for _, h in links if h.rstrip("/").endswith(STAFF_PATHS)] == [], where
            assert not page.get_by_text("已登录" if lang == "zh" else "Logged in as").count(), where
            if name in STAFF_PATHS:  # not served: the map (the default page) is shown instead
                assert not page.url.split("?")[0].endswith(name), where
                assert _heading(page, TITLES[lang][name]).count() == 0, where
            if lang == "zh" and name in PUBLIC_PAGES:
                for file, body in _downloads(page).items():
                    found[f"{where} download {file}"] = _leaks(body, private)
    # Streamlit itself sends every session the app's script paths (app.py, views/*.py: docs/DEPLOY.md says
    # to deploy from a neutral folder); anything else of the server's, e.g. the store's path, must not appear.
    app_dir = str(Path(__file__).resolve().parents[2])
    frames = [f.replace(app_dir, "<app>") if isinstance(f, str) else f.replace(app_dir.encode(), b"<app>")
              for f in received]
    found["websocket"] = sorted({p for frame in frames for p in _leaks(frame, private)})
    assert {k: v for k, v in found.items() if v} == {}
    assert len(received) > 50 and sum("download" in k for k in found) >= 8  # map 3, match 3, tally 2: checked
    assert offline_page.errors == [] and offline_page.dialogs == []
    assert all(p.exists() for p in seen)


def _log_in(page, name: str) -> None:
    page.get_by_text("工作人员登录").click()  # the sidebar's expander
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text(f"已登录：{name}").wait_for(timeout=30_000)


def test_public_portal__staff_see_the_workspace_only_while_logged_in(offline_page, portal):
    url, _ = portal
    page = offline_page.page
    page.goto(url)
    _heading(page, "地图").first.wait_for(timeout=60_000)
    page.get_by_role("link", name="数据总览").wait_for(timeout=30_000)  # the navigation is drawn
    assert page.get_by_role("link", name="招商工作台").count() == 0
    _log_in(page, "staff-li")
    workspace = nav_link(page, "招商工作台")  # in the account's menu, now open
    assert page.get_by_role("menuitem", name="数据管理").count() == 1  # the menu shows the staff pages…
    assert page.get_by_role("menuitem", name="账户管理").count() == 0  # …but not the admins' one
    workspace.click()
    _heading(page, "招商工作台").first.wait_for(timeout=60_000)
    page.get_by_text(NEED_NAME).first.wait_for(timeout=30_000)
    _settle(page)
    offline_page.screenshot("portal_staff_workspace.png")
    page.get_by_role("button", name="退出登录").click()
    page.get_by_text("工作人员登录").wait_for(timeout=30_000)
    _settle(page)
    assert page.get_by_role("link", name="招商工作台").count() == 0
    assert NEED_NAME not in _page_text(page)
    assert _heading(page, "招商工作台").count() == 0
    offline_page.screenshot("portal_staff_logged_out.png")
    assert offline_page.errors == [] and offline_page.dialogs == []
