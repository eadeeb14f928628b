"""Zone labels on the folium map, kept readable: drawn as non-interactive div icons, and after every
zoom, pan or layer switch the browser hides each label that would overlap one already shown (labels
of earlier layers and larger zones first; carrier clusters count as taken space) or that would be cut
at the map's edge. A hidden label's zone still names itself in its tooltip."""
from __future__ import annotations

import folium
import jinja2

DECLUTTER_JS = """
window.smDeclutter = window.smDeclutter || function (map) {
    var root = map.getContainer(), box = root.getBoundingClientRect(), pad = 3, kept = [];
    var overlaps = function (r) { return kept.some(function (k) {
        return r.left < k.right + pad && r.right + pad > k.left && r.top < k.bottom + pad && r.bottom + pad > k.top; }); };
    root.querySelectorAll('.marker-cluster').forEach(function (el) { kept.push(el.getBoundingClientRect()); });
    var labels = Array.prototype.slice.call(root.querySelectorAll('.zone-label > div'));
    labels.sort(function (a, b) { return (a.dataset.p - b.dataset.p) || (a.dataset.r - b.dataset.r); });
    labels.forEach(function (el) {
        el.style.visibility = 'visible';
        var r = el.getBoundingClientRect();
        var cut = r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom;
        if (cut || overlaps(r)) { el.style.visibility = 'hidden'; el.dataset.hidden = cut ? 'edge' : 'overlap'; }
        else { delete el.dataset.hidden; kept.push(r); }
    });
};
window.smLabelsOn = window.smLabelsOn || function (map) {
    var later = function () { clearTimeout(map._smLabelTimer); map._smLabelTimer = setTimeout(function () {
        window.smDeclutter(map); }, 350); };
    if (!map._smLabels) {
        map._smLabels = true;
        map.on('zoomend moveend overlayadd overlayremove layeradd resize', later);
    }
    later();
};
"""


class ZoneLabels(folium.MacroElement):
    """Text labels at points, drawn as non-interactive div icons by one loop in JS, decluttered.

    ``rows`` are [lat, lon, escaped_html], most important first (e.g. the largest zone); the data goes
    through ``tojson`` (which escapes ``<``, ``>`` and ``&``), and the label text must already be
    HTML-escaped. ``priority``: a layer's rank (lower keeps its labels when two layers collide).
    """

    _template = jinja2.Template("""
        {% macro script(this, kwargs) %}
        (function(){
            {{ this.declutter }}
            var rows = {{ this.rows|tojson }}, group = {{ this._parent.get_name() }};
            for (var i = 0; i < rows.length; i++) {
                L.marker([rows[i][0], rows[i][1]], {interactive: false, keyboard: false,
                    icon: L.divIcon({className: 'zone-label', iconSize: [0, 0], html:
                        '<div data-p="{{ this.priority }}" data-r="' + i + '" style="font-size:12px;' +
                        'color:{{ this.color }};font-weight:600;white-space:nowrap;width:max-content;' +
                        'text-shadow:0 0 3px #fff,0 0 3px #fff;transform:translate(-50%,-50%)">' + rows[i][2] + '</div>'})
                }).addTo(group);
            }
            if (group._map) { window.smLabelsOn(group._map); }
            group.on('add', function () { window.smLabelsOn(group._map); });
        })();
        {% endmacro %}
    """)

    def __init__(self, rows: list[list], *, color: str, priority: int = 0):
        super().__init__()
        self._name = "ZoneLabels"
        self.rows = rows
        self.color = color if all(c.isalnum() or c == "#" for c in color) else "#333333"
        self.priority = int(priority)
        self.declutter = DECLUTTER_JS
