"""The Map page's folium map, rendered once per view and sent as it is to every session that asks for
the same view (issue 12 · pages near Streamlit's floor; issue 15 · many visitors).

Rendering a folium map is most of a Map page run (about 0.2 s of 0.25 s: folium compiles a Jinja
template for each element and renders every layer to JavaScript), yet every anonymous visitor with the
default view gets the same map. :func:`show` keeps the rendered payload — what streamlit-folium's
``st_folium`` sends its frontend: the map's script, header and HTML, the layers' script, the layer
switcher, the CSS and JS links — per view key (store revision, scope, language, base map, filters,
choropleth, indicator, selection, date) and hands it to streamlit-folium's component directly; only the
per-session state (centre, zoom, the component key) is added per run. It follows ``st_folium`` of the
pinned streamlit-folium 0.27.4 step by step (``tests/views/test_map_render.py`` compares the two)."""
from __future__ import annotations

import branca
import folium
import streamlit as st
import streamlit_folium as sf

from views.shared import shared

HELD = 24
"""Rendered views kept per process (a few kB to a few hundred kB each)."""
RETURNED = ("last_object_clicked", "last_object_clicked_tooltip")


def payload(key: tuple, build, *, kind: str = "map") -> dict:
    """The rendered map of view ``key``; ``build()`` → (map, feature groups, layer control) makes it on
    a miss, once for every session asking for it at the same time (:func:`views.shared.shared`); each
    ``kind`` of map (the Map page's, the Match page's results) keeps its own :data:`HELD` views."""
    return shared(kind, key, lambda: render(*build()), held=HELD)


def render(fmap: folium.Map, groups: list, control: folium.LayerControl | None) -> dict:
    """What ``st_folium`` computes from the map before it calls its component (0.27.4, with
    ``render=True``, ``use_container_width=True``, no debug)."""
    fmap.get_root().render()
    fmap.render()
    html, header = sf._get_html(fmap), sf._get_header(fmap)
    script = sf._get_map_string(fmap)
    map_id = sf.get_full_id(fmap)
    layers = "".join(sf._get_feature_group_string(g, map=fmap, idx=i) for i, g in enumerate(groups))
    switcher = sf._get_layer_control_string(control, fmap) if control is not None else None
    css, js = _links(fmap)
    return {"script": script, "header": header, "html": html, "id": map_id, "feature_group": layers,
            "layer_control": switcher, "css_links": css, "js_links": js}


def _links(fmap) -> tuple[list[str], list[str]]:
    def walk(element):
        if isinstance(element, branca.colormap.ColorMap):
            yield element
        if isinstance(element, folium.elements.JSCSSMixin):
            yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    css, js = [], []
    for element in walk(fmap):
        if isinstance(element, branca.colormap.ColorMap):
            js[:0] = ["https://d3js.org/d3.v4.min.js", "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"]
        css += [href for _, href in getattr(element, "default_css", [])]
        js += [src for _, src in getattr(element, "default_js", [])]
    return list(dict.fromkeys(css)), list(dict.fromkeys(js))


def show(made: dict, *, key: str, height: int, zoom=None, center=None,
         returned: tuple[str, ...] = RETURNED) -> dict | None:
    """Draw the rendered map ``made`` as ``st_folium`` would (the same component, arguments and value:
    ``returned_objects`` = ``returned``, whose values are None until the visitor clicks; none: a map
    whose clicks never rerun the page)."""
    defaults = {k: None for k in returned}
    hash_key = sf.generate_js_hash(made["script"], key, False)

    def on_change():
        st.session_state[key] = st.session_state.get(hash_key, {})

    return sf._component_func(
        script=made["script"], header=made["header"], html=made["html"], id=made["id"], key=hash_key,
        height=height, width=None, returned_objects=list(returned), default=defaults, zoom=zoom, center=center,
        feature_group=made["feature_group"], return_on_hover=False, layer_control=made["layer_control"],
        pixelated=False, css_links=made["css_links"], js_links=made["js_links"], on_change=on_change,
        wrap_longitude=False)
