"""Map a st_folium result (a plain dict from the browser) back to a carrier id. Pure."""
from __future__ import annotations

import re

import numpy as np

_ID = re.compile(r"#id:(.+?)#")
COORD_TOLERANCE_DEG = 1e-6


def clicked_feature_id(result: dict | None, *, ids, lats, lons) -> str | None:
    """Return the id of the carrier the user clicked, or None.

    Parameters
    ----------
    result : dict or None
        What ``st_folium`` returned: ``last_object_clicked_tooltip`` (the tooltip text,
        which carries a hidden ``#id:…#`` marker) and ``last_object_clicked``
        (``{"lat": …, "lng": …}`` in display coordinates).
    ids, lats, lons : sequences, keyword-only
        The carriers on the map and their display coordinates.

    The tooltip marker wins; otherwise the carrier at the clicked coordinates (within
    1e-6°, the first in order when several share a point).
    """
    if not result:
        return None
    known = [str(i) for i in ids]
    tooltip = result.get("last_object_clicked_tooltip")
    if tooltip:
        match = _ID.search(str(tooltip))
        if match and match.group(1) in known:
            return match.group(1)
    clicked = result.get("last_object_clicked")
    if not clicked or clicked.get("lat") is None or clicked.get("lng") is None or not known:
        return None
    lat = np.asarray(lats, dtype="float64")
    lon = np.asarray(lons, dtype="float64")
    dist = np.hypot(lat - float(clicked["lat"]), lon - float(clicked["lng"]))
    if np.all(np.isnan(dist)):
        return None
    best = int(np.nanargmin(dist))
    return known[best] if dist[best] <= COORD_TOLERANCE_DEG else None
