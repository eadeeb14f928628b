"""The Map page's shared rendering sends streamlit-folium's component exactly what ``st_folium`` would."""
from __future__ import annotations

import re

import folium
import pytest
import streamlit_folium as sf

from layers.basemaps import BASEMAPS
from layers.render import base_map, data_groups
from spatial.carriers import combine_carriers
from layers.catalogue import CARRIER_LAYERS
from views import map_render


def _normal(value):
    """Folium's random element ids (32 hex digits) made equal, for comparing two renderings."""
    if isinstance(value, str):
        return re.sub(r"[0-9a-f]{32}", "ID", value)
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    return value


@pytest.fixture
def recorder(monkeypatch):
    calls = []
    monkeypatch.setattr(sf, "_component_func", lambda **kw: calls.append(kw) or None)
    return calls


def _build(frames, lang="zh"):
    carriers = combine_carriers(frames, CARRIER_LAYERS)
    groups = data_groups(frames, carriers, lang=lang, basemap=BASEMAPS["positron"])
    return base_map(BASEMAPS["positron"]), groups, folium.LayerControl(collapsed=True)


def test_show__the_same_component_call_as_st_folium(frames, recorder):
    fmap, groups, control = _build(frames)
    sf.st_folium(fmap, key="map_x", height=620, use_container_width=True, feature_group_to_add=groups,
                 layer_control=control, center=(22.5, 114.0), zoom=14, returned_objects=list(map_render.RETURNED))
    map_render.show(map_render.render(*_build(frames)), key="map_x", height=620, center=(22.5, 114.0), zoom=14)
    ours, theirs = recorder[1], recorder[0]
    assert set(ours) == set(theirs)
    for name in set(theirs) - {"on_change", "key"}:
        assert _normal(ours[name]) == _normal(theirs[name]), name
    assert len(ours["feature_group"]) > 10_000 and "zone-label" in ours["feature_group"]


def test_payload__one_rendering_per_view(frames):
    built = []

    def build():
        built.append(1)
        return _build(frames)

    key = ("test-view", id(frames))
    first = map_render.payload(key, build)
    assert map_render.payload(key, build) is first and len(built) == 1  # a second session: nothing rendered
    assert map_render.payload(key + ("en",), lambda: _build(frames, "en")) is not first


def test_show__a_map_whose_clicks_never_rerun_is_st_folium_with_no_returned_objects(frames, recorder):
    """The Match page's result map (shared per result): returned_objects=[] as its st_folium call had."""
    from layers.match_map import result_map

    carriers = combine_carriers(frames, CARRIER_LAYERS).dropna(subset=["geometry"])
    rows = [{"id": cid, "rank": i + 1, "name_zh": name, "name_en": name}
            for i, (cid, name) in enumerate(zip(carriers["id"][:3], carriers["name_zh"][:3]))]

    def build():
        fmap, group = result_map(rows, carriers, "zh", near=(114.05, 22.54), near_label="x", within_km=1.0)
        return fmap, [group], None

    fmap, groups, _ = build()
    sf.st_folium(fmap, key="match_map", height=430, use_container_width=True, feature_group_to_add=groups[0],
                 returned_objects=[])
    map_render.show(map_render.render(*build()), key="match_map", height=430, returned=())
    ours, theirs = recorder[1], recorder[0]
    assert set(ours) == set(theirs)
    for name in set(theirs) - {"on_change", "key"}:
        assert _normal(ours[name]) == _normal(theirs[name]), name
    assert ours["default"] == {} and ours["returned_objects"] == [] and "rank-marker" in ours["feature_group"]
