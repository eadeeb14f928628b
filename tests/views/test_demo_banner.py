"""The demo banner under AppTest: every page of a store whose metadata says ``demo`` warns that the
data are synthetic; the bundled store shows no banner."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geodata.storage import open_store
from tests.helpers import APP

pytestmark = pytest.mark.gpkg_only  # the pages do not know the backend; their data path runs on both in tests/geodata

LABEL = "synthetic seed 7, generated 2026-11-30 *not bold* <b>x</b>"


def _page(page: str | None, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _banners(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "演示模式" in w.value or "Demo mode" in w.value]


@pytest.mark.parametrize("page", [None, "views/match_page.py", "views/tally_page.py", "views/progress_page.py",
                                  "views/overview.py"])
def test_demo_banner__on_every_page_of_a_demo_store(store_copy, page, monkeypatch):
    monkeypatch.setenv("SPACEMAP_TODAY", "2026-11-22")
    open_store(store_copy).write_meta({"demo": LABEL})
    banners = _banners(_page(page))
    assert len(banners) == 1
    assert banners[0].startswith("演示模式：本页面运行在合成演示数据上")
    assert "\\*not bold\\*" in banners[0] and "\\<b\\>" in banners[0]  # the label is shown as text, escaped


def test_demo_banner__in_english(store_copy):
    open_store(store_copy).write_meta({"demo": LABEL})
    banner = _banners(_page("views/match_page.py", "en"))[0]
    assert banner.startswith("Demo mode: this page runs on synthetic demo data")
    assert "synthetic seed 7" in banner


def test_demo_banner__not_on_the_bundled_store(store):
    for page in (None, "views/match_page.py", "views/progress_page.py"):
        at = _page(page)
        assert not _banners(at)
