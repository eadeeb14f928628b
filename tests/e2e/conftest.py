"""End-to-end fixtures: a real `streamlit run` on loopback and Debian Chromium via Playwright.

The browser may reach only 127.0.0.1: every other request (base-map tiles) is aborted and
recorded, so the tests prove the app works with no internet.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.server import MAP_IFRAME, loopback_only, start_app, stop_app
from tests.helpers import store_with_xss_carrier

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture(scope="session")
def e2e_store(session_store, tmp_path_factory):
    """The bundled store plus one carrier whose texts are an XSS payload."""
    return store_with_xss_carrier(session_store, tmp_path_factory.mktemp("e2e") / "e2e.gpkg")


@pytest.fixture(scope="session")
def app_url(e2e_store):
    proc, url, _ = start_app(e2e_store)
    yield url
    stop_app(proc)


class OfflinePage:
    """A Playwright page that can reach only loopback, with a record of what it tried."""

    def __init__(self, browser, *, width=1500, height=1100):
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.route("**/*", lambda route: loopback_only(route, self.blocked))
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def map_frame(self):
        return self.page.frame_locator(MAP_IFRAME)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self):
        self.context.close()


@pytest.fixture
def offline_page(browser):
    page = OfflinePage(browser)
    yield page
    page.close()
