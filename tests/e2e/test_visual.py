"""What every public page looks like, in both languages, on a desktop screen (1400 × 900) and a phone
(390 × 844): a screenshot of each is written to artifacts/visual/ (look at them), and the page fails when
a reader would trip: a table cell whose text is cut or spills over its neighbour, a map label that
overlaps another or is cut at the map's edge, or (on the phone) a page wider than the screen, which
then scrolls sideways as a whole instead of only its wide tables."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, OfflinePage
from tests.e2e.layout_checks import label_faults, overflowing_cells
from tests.e2e.test_public_portal import PUBLIC_PAGES, _open

pytestmark = pytest.mark.e2e

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
