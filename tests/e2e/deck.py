"""The city map (deck.gl, WebGL) in a real browser: is it drawn, where are its points, what does hover show.

A WebGL canvas cannot be read back from script once the frame is shown, so "drawn" is read from a
screenshot of the chart: pixels of a saturated colour (carrier points, grid cells) on the plain
background (the tiles are cut off with the network).

WebGL in headless Chromium runs on the CPU. Chromium's own SwiftShader takes about 1.5 s here to pick
among 100,000 points, so deck.gl's pointer-down pick outlasts the 250 ms a click may take and no
click is ever recognised; Mesa's llvmpipe (``libgl1-mesa-dri``, through ANGLE's EGL backend) picks
in under 0.1 s. The city map's tests and benchmark therefore launch Chromium with :data:`WEBGL_ARGS`
(a visitor's browser has a GPU, which picks in milliseconds).
"""
from __future__ import annotations

import io
import time

import numpy as np

from tests.e2e.server import CHROMIUM_ARGS

WEBGL_ARGS = [a for a in CHROMIUM_ARGS if a != "--disable-gpu"] + ["--use-gl=angle", "--use-angle=gl-egl",
                                                                  "--ignore-gpu-blocklist"]
"""Chromium's arguments with WebGL on Mesa's llvmpipe (see the module's note)."""
CHART = "[data-testid='stDeckGlJsonChart']"
TOOLTIP = ".deck-tooltip"
MIN_PAINTED = 400
"""Saturated pixels that make a chart "drawn" (a single point is about 10)."""


def renderer(page) -> str:
    """The WebGL renderer the page's browser uses (e.g. "ANGLE (Mesa/X.org, llvmpipe …)")."""
    return page.evaluate("""() => { const gl = document.createElement('canvas').getContext('webgl2');
        if (!gl) return 'no WebGL 2'; const d = gl.getExtension('WEBGL_debug_renderer_info');
        return d ? gl.getParameter(d.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER); }""")


def painted(page) -> tuple[np.ndarray, dict]:
    """A boolean mask of the chart's saturated pixels, and the chart's box (page coordinates, CSS px)."""
    from PIL import Image

    chart = page.locator(CHART).first
    box = chart.bounding_box()
    if not box or box["width"] < 10 or box["height"] < 10:
        return np.zeros((0, 0), dtype=bool), box or {}
    image = np.asarray(Image.open(io.BytesIO(chart.screenshot(animations="disabled"))).convert("RGB"), dtype=np.int16)
    spread = image.max(axis=2) - image.min(axis=2)
    return spread > 60, box


def wait_painted(page, *, min_pixels: int = MIN_PAINTED, timeout_s: float = 60.0) -> tuple[int, float]:
    """Wait until the chart shows at least ``min_pixels`` saturated pixels: (their number, the
    ``time.perf_counter()`` just before the screenshot that first showed them, so the time taken by
    the screenshot itself is not counted)."""
    page.locator(f"{CHART} canvas").first.wait_for(timeout=timeout_s * 1000)
    deadline = time.perf_counter() + timeout_s
    while True:
        shot_at = time.perf_counter()
        mask, _ = painted(page)
        if mask.sum() >= min_pixels:
            return int(mask.sum()), shot_at
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the city map shows only {int(mask.sum())} coloured pixels")
        page.wait_for_timeout(50)


def point_spots(page, *, margin: int = 60, limit: int = 40) -> list[tuple[float, float]]:
    """Page coordinates inside drawn points (painted pixels whose four neighbours are painted too, away
    from the chart's edges and controls), spread over the chart: where a hover and a click find the
    same point. (Where points overlap, deck.gl's hover and its click may pick different ones a pixel
    apart: tests zoom in first, see :func:`zoom_in`.)"""
    mask, box = painted(page)
    if not mask.size:
        return []
    h, w = mask.shape
    inner = np.zeros_like(mask)
    core = mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & mask[1:-1, 2:]
    inner[1:-1, 1:-1] = core
    inner[:margin], inner[h - margin:], inner[:, :margin], inner[:, w - margin:] = False, False, False, False
    ys, xs = np.nonzero(inner)
    if not len(xs):
        return []
    picks = np.linspace(0, len(xs) - 1, min(limit, len(xs))).astype(int)
    scale = box["width"] / w
    return [(box["x"] + (xs[i] + 0.5) * scale, box["y"] + (ys[i] + 0.5) * scale) for i in picks]


def zoom_in(page, steps: int) -> None:
    """Zoom the map in by ``steps`` mouse-wheel turns over its middle (about one zoom level each; in the
    browser, no rerun). Not the map's "+" button: a click there also reaches deck.gl and selects any
    point under the button."""
    box = page.locator(CHART).first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55)
    for _ in range(steps):
        page.mouse.wheel(0, -400)
        page.wait_for_timeout(500)
    page.wait_for_timeout(1_200)


def hover_tooltip(page, spots) -> tuple[tuple[float, float], str] | None:
    """Move the mouse over the spots until deck.gl shows a tooltip: (the spot, the tooltip's text)."""
    tooltip = page.locator(TOOLTIP).first
    for x, y in spots:
        page.mouse.move(x, y)
        page.wait_for_timeout(250)
        if tooltip.count() and tooltip.is_visible():
            text = tooltip.inner_text().strip()
            if text:
                return (x, y), text
    return None


def click_point(page, x: float, y: float, sent: list, *, tries: int = 4) -> tuple[int, float]:
    """Click at (x, y) until the page sends the selection to the server (``sent``: the sizes of the
    websocket frames the page sent, see :func:`watch_sent`); (the clicks it took, the
    ``time.perf_counter()`` of the click that got through).

    deck.gl recognises a click only when the pointer's press and release are handled within 250 ms,
    and its pick on press takes 0.1-0.4 s on a busy CPU renderer: a click may need another try.
    """
    for attempt in range(1, tries + 1):
        before, clicked_at = len(sent), time.perf_counter()
        page.mouse.click(x, y)
        for _ in range(30):
            page.wait_for_timeout(100)
            if len(sent) > before:
                return attempt, clicked_at
    raise AssertionError(f"{tries} clicks at ({x:.0f}, {y:.0f}) sent nothing to the server")


def watch_sent(page) -> list[int]:
    """A list that collects the size of every websocket frame the page sends from now on."""
    sent: list[int] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(len(payload))))
    return sent
