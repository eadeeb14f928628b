"""Regenerate the approximate polygon layers: subdistricts, innovation clusters, Hetao zone.

No official subdistrict, cluster or Hetao boundaries are available offline, so these are
sketched from the boundary roads and river named in the sources (FACTS.md, seed 001
专栏6) with road positions estimated in WGS-84 to about ±400 m, then:

- subdistricts: clipped to the Futian boundary and tiled exactly with
  :func:`spatial.partition.partition_region` (no gaps, no overlaps);
- Hetao Shenzhen Park: each part is bounded on the south by the district boundary (the
  Shenzhen River), the other sides by the estimated road lines;
- clusters and streets: sketched outlines / 120 m corridors, clipped to the district.

Every output feature carries ``approximate = true`` and an ``accuracy_m`` estimate.
Run ``python -m geodata.scripts.build_sketched_layers`` after ``build_districts``.
"""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import LineString, Polygon, box, mapping

from spatial.crs import METRIC_CRS, WGS84
from spatial.partition import partition_region

DATA_DIR = Path(__file__).resolve().parents[1] / "data"

# ---- estimated road lines (WGS-84 lon, lat; about ±400 m) -----------------------------
SHENNAN = [(113.98, 22.5395), (114.03, 22.5405), (114.06, 22.5415), (114.085, 22.5425), (114.11, 22.5435)]
BEIHUAN = [(113.98, 22.5560), (114.03, 22.5565), (114.065, 22.5585), (114.085, 22.5595), (114.11, 22.5615)]
BINHE = [(113.98, 22.5180), (114.02, 22.5200), (114.047, 22.5235), (114.065, 22.5265), (114.085, 22.5290)]
HONGLI_LAT = 22.5510
XINZHOU_LON = 114.047  # 新洲路 / 新洲河
CAITIAN_LON = 114.064  # 彩田路
HUANGGANG_LON = 114.068  # 皇岗路 (south of 深南)
HUAFU_LON = 114.078  # 华富路
HUAQIANG_S_LON = 114.083  # 华强南路
SHANGBU_LON = 114.088  # 上步路
RONGHUA_LAT = 22.5108  # 绒花路 (north edge of 福田保税区)
XINZHOU_RIVER_LON = 114.040  # 新洲河 mouth
NORTH, SOUTH, WEST, EAST = 22.60, 22.49, 113.97, 114.12


def _band(x0: float, x1: float, south: list | float, north: list | float) -> Polygon:
    """Polygon between two meridians and two road lines (or latitudes)."""

    def line(v):
        return [(WEST, v), (EAST, v)] if isinstance(v, float) else v

    cut = box(x0, SOUTH, x1, NORTH)
    below_n = shapely.Polygon([*line(north), (EAST, SOUTH), (WEST, SOUTH)])
    above_s = shapely.Polygon([*line(south), (EAST, NORTH), (WEST, NORTH)])
    return cut.intersection(below_n).intersection(above_s)


SUBDISTRICTS = [
    # key, zh, en, sketch (priority order: earlier wins), boundary description
    ("huafu", "华富", "Huafu",
     lambda: shapely.union(_band(CAITIAN_LON, HUAFU_LON, SHENNAN, BEIHUAN),
                           _band(HUANGGANG_LON, SHANGBU_LON, BEIHUAN, NORTH)),
     "彩田路–华富路, 深南路–北环路 (FACTS.md); 笔架山 north of 北环 assumed part of 华富"),
    ("huaqiangbei", "华强北", "Huaqiangbei",
     lambda: _band(HUAFU_LON, SHANGBU_LON, SHENNAN, BEIHUAN), "华富路–上步路, 深南路–北环路"),
    ("yuanling", "园岭", "Yuanling",
     lambda: _band(SHANGBU_LON, EAST, SHENNAN, NORTH), "上步路–红岭路 (district edge), north of 深南路"),
    ("lianhua", "莲花", "Lianhua",
     lambda: _band(XINZHOU_LON, CAITIAN_LON, SHENNAN, BEIHUAN), "新洲路–彩田路, 深南路–北环路"),
    ("xiangmihu", "香蜜湖", "Xiangmihu",
     lambda: _band(WEST, XINZHOU_LON, SHENNAN, BEIHUAN), "west edge–新洲路, 深南路–北环路"),
    ("meilin", "梅林", "Meilin",
     lambda: _band(WEST, EAST, BEIHUAN, NORTH), "north of 北环路 (rest)"),
    ("fubao", "福保", "Fubao",
     lambda: _band(XINZHOU_RIVER_LON - 0.007, HUANGGANG_LON, SOUTH, BINHE), "新洲河–皇岗路, south of 滨河大道"),
    ("shatou", "沙头", "Shatou",
     lambda: _band(WEST, XINZHOU_LON, SOUTH, SHENNAN), "west edge–新洲路, south of 深南路"),
    ("nanyuan", "南园", "Nanyuan",
     lambda: _band(HUAQIANG_S_LON, EAST, BINHE, SHENNAN), "华强南路–east edge, 滨河大道–深南路"),
    ("futian", "福田", "Futian",
     lambda: shapely.union(_band(XINZHOU_LON, HUAQIANG_S_LON, SOUTH, SHENNAN), _band(HUAQIANG_S_LON, EAST, SOUTH, BINHE)),
     "新洲路–华强南路 south of 深南路, and south of 滨河大道 east of it (rest)"),
]

HUAFU_OFFICIAL_KM2 = 5.75
MIN_PART_M2 = 20_000.0  # detached parts smaller than 2 ha go to the neighbour
GRID_M = 1e-5


def _metric(geom):
    return gpd.GeoSeries([geom], crs=WGS84).to_crs(METRIC_CRS).iloc[0]


def _wgs(geom):
    return gpd.GeoSeries([geom], crs=METRIC_CRS).to_crs(WGS84).iloc[0]


def _load_district():
    gdf = gpd.read_file(DATA_DIR / "district.geojson")
    return gdf.geometry.iloc[0]


def build_subdistricts(district):
    """Return the subdistrict features, tiling ``district`` exactly."""
    # Tiled in EPSG:4547, where straight edges are straight: tiling in degrees leaves
    # T-junctions that open metre-wide slivers once projected. Snapping to a 0.01 mm grid
    # removes near-coincident vertices that would self-intersect after reprojection.
    region = _metric(district)
    sketches = [_metric(spec[3]()) for spec in SUBDISTRICTS]
    pieces = partition_region(region, sketches, min_part_area=MIN_PART_M2)
    pieces = [shapely.set_precision(p, GRID_M) for p in pieces]
    frame = gpd.GeoDataFrame(
        {
            "id": [f"subdistrict-{s[0]}" for s in SUBDISTRICTS],
            "key": [s[0] for s in SUBDISTRICTS],
            "name_zh": [f"{s[1]}街道" for s in SUBDISTRICTS],
            "name_en": [f"{s[2]} Subdistrict" for s in SUBDISTRICTS],
            "approximate": True,
            "accuracy_m": 400,
            "method": [f"sketched along {s[4]}; clipped and tiled to the district boundary" for s in SUBDISTRICTS],
            "official_area_km2": [HUAFU_OFFICIAL_KM2 if s[0] == "huafu" else None for s in SUBDISTRICTS],
            "official_area_source": ["encyclopedia page via FACTS.md (District table)" if s[0] == "huafu" else None
                                     for s in SUBDISTRICTS],
        },
        geometry=pieces,
        crs=METRIC_CRS,
    )
    return frame.to_crs(WGS84)


def build_hetao(district):
    """Return the Hetao zone features: two Shenzhen Park parts and the HK Park (context)."""
    d = district
    bonded = _band(XINZHOU_RIVER_LON, HUANGGANG_LON - 0.0085, SOUTH, RONGHUA_LAT).intersection(d)
    huanggang = _band(HUANGGANG_LON, HUAQIANG_S_LON, SOUTH, BINHE).intersection(d)
    # Lok Ma Chau Loop: south of the straightened river, outside the district (HK side).
    loop_sketch = Polygon([(114.0632, 22.5160), (114.0784, 22.5160), (114.0784, 22.5151),
                           (114.0756, 22.5109), (114.0701, 22.5091), (114.0650, 22.5105)])
    loop = loop_sketch.difference(d)
    rows = [
        ("hetao-sz-bonded", "深港科技创新合作区深圳园区·福田保税区", "Hetao Shenzhen Park: Futian Free Trade Zone part",
         "shenzhen_park", 1.35, False, bonded),
        ("hetao-sz-huanggang", "深港科技创新合作区深圳园区·皇岗口岸片区", "Hetao Shenzhen Park: Huanggang Port part",
         "shenzhen_park", 1.67, False, huanggang),
        ("hetao-hk-loop", "港深创新及科技园（落马洲河套）", "Hong Kong Park (Lok Ma Chau Loop)",
         "hong_kong_park", 0.87, True, loop),
    ]
    src = "State Council development plan for the Hetao zone, Shenzhen Park (2023), via FACTS.md"
    return gpd.GeoDataFrame(
        {
            "id": [r[0] for r in rows],
            "name_zh": [r[1] for r in rows],
            "name_en": [r[2] for r in rows],
            "part": [r[3] for r in rows],
            "official_area_km2": [r[4] for r in rows],
            "official_area_source": src,
            "context": [r[5] for r in rows],
            "approximate": True,
            "accuracy_m": [200, 200, 300],
            "method": [
                "south: district boundary (深圳河); west: 新洲河; east: edge of 皇岗口岸; north: 绒花路 (estimated)",
                "south: district boundary (深圳河); west: 皇岗路; east: 华强南路; north: 滨河大道 (estimated)",
                "sketched outline of the Loop south of the straightened river, minus the district",
            ],
        },
        geometry=[shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g for g in (bonded, huanggang, loop)],
        crs=WGS84,
    )


def build_clusters(district, hetao, subdistricts):
    """Return the innovation clusters (001 专栏6) as approximate polygons."""
    fubao = subdistricts.loc[subdistricts["key"] == "fubao"].geometry.iloc[0]
    sz_park = shapely.unary_union(list(hetao.loc[~hetao["context"]].geometry))

    def corridor(coords, width_m):
        line = _metric(LineString(coords))
        return _wgs(line.buffer(width_m / 2, cap_style="flat"))

    rows = [
        ("cluster-hetao-fubao", "河套–福保", "Hetao–Fubao", "community",
         "国际科技总部基地和开放式创新枢纽", shapely.union(fubao, sz_park)),
        ("cluster-huaqiangbei-shangbu", "华强北–上步", "Huaqiangbei–Shangbu", "community",
         "全球智能终端创新中心和电子信息总部基地", box(HUAFU_LON, 22.5385, 114.0975, 22.5560)),
        ("cluster-chegongmiao-tianan", "车公庙–天安", "Chegongmiao–Tian'an", "community",
         "“智能+”发展高地", box(114.0130, 22.5290, 114.0340, 22.5400)),
        ("cluster-meilin-caitian", "梅林–彩田", "Meilin–Caitian (Shenzhen Zhigu)", "community",
         "深圳智谷", box(114.0440, 22.5640, 114.0700, 22.5800)),
        ("cluster-bagualing", "八卦岭", "Bagualing", "cluster",
         "产业空间供给侧改革片区（华强上步与八卦岭）", box(114.0860, 22.5530, 114.0975, 22.5630)),
        ("street-fuqiang", "福强路科技文化街区", "Fuqiang Road tech-culture street", "street",
         "金地–沙头 片区, 以福强路为主干线", corridor([(114.0200, 22.5275), (114.0600, 22.5285)], 240)),
        ("street-huaqiangbei", "华强北“硬科技”创新街区", "Huaqiangbei hard-tech street", "street",
         "以华强北步行街为主干线", corridor([(114.0835, 22.5425), (114.0835, 22.5515)], 120)),
    ]
    return gpd.GeoDataFrame(
        {
            "id": [r[0] for r in rows],
            "name_zh": [r[1] for r in rows],
            "name_en": [r[2] for r in rows],
            "kind": [r[3] for r in rows],
            "theme_zh": [r[4] for r in rows],
            "approximate": True,
            "accuracy_m": 500,
            "source": "001 专栏6 (1)–(6); 001 三（一）空间格局",
        },
        geometry=[g.intersection(district) for g in (r[5] for r in rows)],
        crs=WGS84,
    )


def _write(frame: gpd.GeoDataFrame, name: str) -> None:
    doc = json.loads(frame.to_json(drop_id=True))
    for f, geom in zip(doc["features"], frame.geometry):
        f["geometry"] = mapping(geom)
    (DATA_DIR / name).write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")


def build() -> None:
    """Write subdistricts.geojson, hetao.geojson and clusters.geojson."""
    district = _load_district()
    subdistricts = build_subdistricts(district)
    hetao = build_hetao(district)
    clusters = build_clusters(district, hetao, subdistricts)
    _write(subdistricts, "subdistricts.geojson")
    _write(hetao, "hetao.geojson")
    _write(clusters, "clusters.geojson")


if __name__ == "__main__":
    build()
