"""The Match page's result map: markers at one place side by side, the place asked for and its radius."""
import re

import geopandas as gpd
import numpy as np
from shapely.geometry import Point

from layers.match_map import MARKER_STEP_PX, result_map, runs, side_by_side


def test_runs__ranks_of_one_carrier_as_runs():
    assert runs([1, 2, 3, 5]) == "1–3,5" and runs([4]) == "4"


def test_side_by_side__only_points_at_one_place_move_centred():
    xy = np.array([[0.0, 0.0], [20.0, 10.0], [5000.0, 0.0], [0.0, 100.0]])  # three within 150 m, one far
    offsets = side_by_side(xy)
    assert offsets[2] == 0  # alone
    assert sorted(offsets[[0, 1, 3]]) == [-MARKER_STEP_PX, 0, MARKER_STEP_PX]  # centred on the group


def _carriers():
    return gpd.GeoDataFrame({"id": ["park", "maker", "far", "nowhere"]},
                            geometry=[Point(114.05, 22.53), Point(114.0501, 22.5301), Point(114.09, 22.55), None],
                            crs=4326)


def _rows():
    return [{"id": i, "rank": r, "name_zh": f"载体{i}<b>", "name_en": i} for r, i in
            enumerate(["park", "maker", "far", "nowhere", "park"], start=1)]


def test_result_map__a_carrier_inside_its_park_stands_beside_it():
    fmap, group = result_map(_rows(), _carriers(), "zh")
    group.add_to(fmap)
    html = fmap.get_root().render()
    markers = re.findall(r'rank-marker.*?translate\(calc\(-50% \+ (-?\d+)px\),-50%\)\\"\\u003e([^\\]*)\\u003c', html)
    shifts, labels = [int(m[0]) for m in markers], [m[1] for m in markers]
    assert sorted(labels) == ["1,5", "2", "3"]  # by unit: 1 and 5 in one marker; "nowhere" has no point
    assert sorted(shifts) == [-15, 0, 15]  # park and maker side by side; far alone
    assert "载体park&lt;b&gt;" in html and "载体park<b>" not in html  # the tooltip is escaped text
    assert "fitBounds" in html


def test_result_map__the_place_asked_for_and_the_distance():
    fmap, group = result_map(_rows()[:1], _carriers(), "en", near=(114.06, 22.54), near_label="Huanggang <port>",
                             within_km=3.0)
    group.add_to(fmap)
    html = fmap.get_root().render()
    assert "near-marker" in html and "Huanggang &lt;port&gt;" in html
    assert re.search(r'L\.circle\(\s*\[22\.54, 114\.06\]', html) and '"radius": 3000.0' in html
