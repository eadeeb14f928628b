"""What every public page looks like, in both languages, on a desktop screen (1400 × 900) and a phone
(390 × 844): a screenshot of each is written to artifacts/visual/ (look at them), and the page fails when
a reader would trip: a table cell whose text is cut or spills over its neighbour, a map label that
overlaps another or is cut at the map's edge, or (on the phone) a page wider than the screen, which
then scrolls sideways as a whole instead of only its wide tables."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, OfflinePage
from tests.e2e.layout_checks import label_faults, overflowing_cells
from tests.e2e.server import nav_link
from tests.e2e import test_public_portal
from tests.e2e.test_public_portal import PUBLIC_PAGES, _open

pytestmark = pytest.mark.e2e
portal = test_public_portal.portal  # the fixture: a store holding private texts and staff accounts, served

SIZES = {"desktop": (1400, 900), "phone": (390, 844)}
PAGE_WIDER_THAN_SCREEN = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_visual__every_public_page_reads_cleanly(browser, app_url, size, lang):
    width, height = SIZES[size]
    view = OfflinePage(browser, width=width, height=height)
    faults = {}
    try:
        for name in PUBLIC_PAGES:
            _open(view, app_url, name, lang)
            found = [f"cell text cut: {text!r}" for text in overflowing_cells(view.page)]
            if name in ("map", "match"):
                found += [f"map label: {f}" for f in label_faults(view.map_frame())]
            wider = view.page.evaluate(PAGE_WIDER_THAN_SCREEN)
            if wider > 1:
                found.append(f"the page is {wider} px wider than the screen")
            if found:
                faults[name] = found
            path = ARTIFACTS / "visual" / f"{size}_{lang}_{name}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            view.page.screenshot(path=str(path))
        assert view.errors == []
    finally:
        view.close()
    assert faults == {}


STAFF_PAGES = ("page_workspace", "page_data", "page_enquiries", "page_funnel", "page_units", "page_placements",
               "page_accounts")


def test_visual__every_staff_page_reads_cleanly(browser, portal):
    """The pages staff reach after logging in (an admin sees them all), in Chinese then English, at
    1400 × 900: the same checks as the public pages'."""
    from messages import t
    from tests.e2e.test_public_portal import _heading, _log_in, _settle

    url, _ = portal
    view = OfflinePage(browser, width=1400, height=900)
    faults = {}
    try:
        page = view.page
        page.goto(url)
        _heading(page, "地图").first.wait_for(timeout=60_000)
        _log_in(page, "admin-sun")
        for lang in ("zh", "en"):
            if lang == "en":
                page.get_by_text("English", exact=True).first.click()
                page.get_by_role("link", name=t("page_overview", "en")).wait_for(timeout=30_000)
            for key in STAFF_PAGES:
                nav_link(page, t(key, lang), lang).click()  # in the account's menu
                _heading(page, t(key, lang)).first.wait_for(timeout=60_000)
                _settle(page)
                found = [f"cell text cut: {text!r}" for text in overflowing_cells(page)]
                if page.evaluate(PAGE_WIDER_THAN_SCREEN) > 1:
                    found.append("the page is wider than the screen")
                if found:
                    faults[f"{lang} {key}"] = found
                path = ARTIFACTS / "visual" / f"staff_{lang}_{key.removeprefix('page_')}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(path))
        assert view.errors == []
    finally:
        view.close()
    assert faults == {}
