"""Base maps and the datum their tiles are drawn in.

Chinese web maps (AMap/Gaode) use GCJ-02: vector layers stored in WGS-84 must be shifted
to GCJ-02 at render time to sit on the right streets. OpenStreetMap, CartoDB and Tianditu
are WGS-84 / CGCS2000 (equal at metre level): nothing is shifted over them.
"""
from __future__ import annotations

from dataclasses import dataclass

from messages import pick


@dataclass(frozen=True)
class BaseMap:
    """One base-map choice."""

    key: str
    title_zh: str
    title_en: str
    datum: str  # "wgs84" or "gcj02"
    tiles: tuple[str, ...] = ()  # URL templates, drawn bottom to top
    attribution: str = ""
    subdomains: str = "abc"
    needs_key: bool = False
    max_zoom: int = 18

    def title(self, lang: str) -> str:
        """The title in ``lang``."""
        return pick(self.title_zh, self.title_en, lang)

    def tile_urls(self, *, key: str | None = None) -> tuple[str, ...]:
        """The tile URL templates, with the API key filled in where one is needed."""
        if self.needs_key and not key:
            raise ValueError(f"base map {self.key!r} needs an API key")
        return tuple(u.replace("{tk}", key or "") for u in self.tiles)


TIANDITU_WMTS = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                 "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
                 "&TILECOL={x}&tk={tk}")

BASEMAPS: dict[str, BaseMap] = {
    b.key: b
    for b in [
        BaseMap("osm", "OpenStreetMap", "OpenStreetMap", "wgs84",
                ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",),
                "&copy; OpenStreetMap contributors", "abc", max_zoom=19),
        BaseMap("positron", "CartoDB 浅色", "CartoDB Positron", "wgs84",
                ("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",),
                "&copy; OpenStreetMap contributors &copy; CARTO", "abcd", max_zoom=20),
        BaseMap("amap", "高德地图（GCJ-02）", "AMap / Gaode (GCJ-02)", "gcj02",
                ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",),
                "&copy; 高德地图 AutoNavi", "1234"),
        BaseMap("tianditu", "天地图", "Tianditu", "wgs84",
                (TIANDITU_WMTS.replace("{layer}", "vec"), TIANDITU_WMTS.replace("{layer}", "cva")),
                "&copy; 天地图 Tianditu", "01234567", needs_key=True),
        BaseMap("none", "无底图", "No base map", "wgs84"),
    ]
}
DEFAULT_BASEMAP = "positron"


def available_basemaps(*, tianditu_key: str | None) -> list[BaseMap]:
    """The base maps that can be offered: Tianditu only when a key is configured."""
    return [b for b in BASEMAPS.values() if not b.needs_key or tianditu_key]
