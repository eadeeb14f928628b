"""Start and stop the real app (`streamlit run`) on a free loopback port; browser launch."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SPACEMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(store, *, timeout: float = 60.0, port: int | None = None):
    """Start the app on a free loopback port on the store at ``store`` (a GeoPackage path or a
    PostGIS URL); return (process, base URL, seconds to ready)."""
    from tests.conftest import location_env

    port = port or free_port()
    env = {**os.environ, **location_env(store), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "cli.py"), "serve", "--port", str(port), "--address", "127.0.0.1"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    return proc, url, wait_ready(proc, url, timeout=timeout)


def wait_ready(proc, url: str, *, timeout: float = 60.0) -> float:
    """Wait until the Streamlit server at ``url`` answers its health check; return the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.1)
        if proc.poll() is not None:
            break
    proc.kill()
    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    raise RuntimeError(f"streamlit did not become ready: {out[-2000:]}")


def stop_app(proc) -> None:
    """Stop a process started by :func:`start_app`."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


LOOPBACK = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:", "file:")


def loopback_only(route, blocked: list[str]) -> None:
    """Playwright route handler: let loopback through, abort (and record) everything else."""
    url = route.request.url
    if url.startswith(LOOPBACK):
        route.continue_()
    else:
        blocked.append(url)
        route.abort()


@contextlib.contextmanager
def visitor_tab(browser, context=None):
    """A tab as a new or a returning visitor sees the app; yields ``(page, blocked)``.

    Without ``context``: a fresh browser context (empty cache) with the network cut to
    loopback; ``blocked`` records what was cut off. With one: a new tab in it, whose HTTP
    cache is warm. Playwright turns the cache off for any routed page, so a returning
    visitor's requests are only watched: ``blocked`` then records every request that left
    loopback (base-map tiles, which this machine cannot fetch anyway).
    """
    own = context is None
    context = context or browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    blocked: list[str] = []
    if own:
        page.route("**/*", lambda route: loopback_only(route, blocked))
    else:
        page.on("request", lambda r: None if r.url.startswith(LOOPBACK) else blocked.append(r.url))
    try:
        yield page, blocked
    finally:
        page.close()
        if own:
            context.close()


def nav_link(page, title: str, lang: str = "zh"):
    """The navigation link to the page titled ``title``. A logged-in account's pages sit in one menu of the
    navigation bar (messages ``nav_staff``; its entries are menu items), opened here when the link is not
    shown; a public page's link is in the bar itself."""
    import re

    from messages import t

    name = re.compile(rf"{re.escape(title)}\s*$")  # after the icon's name: "databaseData", not "…Data overview"
    if page.get_by_role("link", name=name).first.is_visible():
        return page.get_by_role("link", name=name).first
    link = page.get_by_role("menuitem", name=name).first
    menu = page.get_by_text(t("nav_staff", lang), exact=True).first
    for _ in range(10):  # a script run that redraws the bar may close the menu just opened: open it again
        if link.is_visible():
            return link
        menu.wait_for(timeout=30_000)
        menu.click()
        try:
            link.wait_for(timeout=3_000)
        except Exception:  # noqa: BLE001 - playwright's timeout: try again
            continue
    return link
