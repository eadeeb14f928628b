"""Checks of what a reader sees, in the browser: map labels that overlap or are cut at the map's edge,
and table cells whose text overflows (bounding boxes of the elements, as drawn)."""
from __future__ import annotations

LABEL_BOXES = """() => {
    const box = document.querySelector('.leaflet-container').getBoundingClientRect();
    return {map: [box.left, box.top, box.right, box.bottom],
            labels: Array.from(document.querySelectorAll('.zone-label > div'))
                .filter(e => getComputedStyle(e).visibility !== 'hidden')
                .map(e => { const r = e.getBoundingClientRect(); return [e.textContent, r.left, r.top, r.right, r.bottom]; })};
}"""


def label_faults(frame) -> list[str]:
    """The shown labels of the map in ``frame`` (a frame locator) that overlap another or stick out of the
    map, as readable lines; empty when every label reads clearly."""
    found = frame.locator("body").evaluate(LABEL_BOXES)
    left, top, right, bottom = found["map"]
    labels, faults = found["labels"], []
    for i, (text, x0, y0, x1, y1) in enumerate(labels):
        if x1 - x0 <= 0 or y1 - y0 <= 0:
            faults.append(f"{text!r} has no size")
        if x0 < left or y0 < top or x1 > right or y1 > bottom:
            faults.append(f"{text!r} is cut at the map's edge")
        for other, a0, b0, a1, b1 in labels[i + 1:]:
            if x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1:
                faults.append(f"{text!r} overlaps {other!r}")
    return faults


def overflowing_cells(page, selector: str = "table td, table th") -> list[str]:
    """Cells matching ``selector`` on ``page`` (HTML tables; a data grid draws on a canvas and is not seen)
    whose text is wider than the cell: cut, or spilling over its neighbour. Their texts."""
    return page.evaluate("""(sel) => Array.from(document.querySelectorAll(sel))
        .filter(c => c.offsetParent !== null && c.scrollWidth > c.clientWidth + 1)
        .map(c => c.textContent.slice(0, 60))""", selector)
