"""Turn rough sketches into an exact partition (tiling) of a region.

Used to build approximate subdistricts: each sketch is clipped to the region and to what
earlier sketches have not taken; whatever is left over (gaps between sketches) is given
to the neighbouring piece that shares the longest border with it. The result tiles the
region: no overlaps, no gaps.
"""
from __future__ import annotations

from collections.abc import Sequence

import shapely
from shapely.geometry.base import BaseGeometry


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Keep only the polygon parts of ``geom`` (overlay can leave lines and points)."""
    if geom.is_empty:
        return shapely.MultiPolygon()
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.unary_union(parts) if parts else shapely.MultiPolygon()


def _parts(geom: BaseGeometry) -> list[BaseGeometry]:
    """The polygons of a (Multi)Polygon as a list (empty for an empty geometry)."""
    if geom.is_empty:
        return []
    return list(geom.geoms) if hasattr(geom, "geoms") else [geom]


def partition_region(
    region: BaseGeometry,
    sketches: Sequence[BaseGeometry],
    *,
    min_part_area: float = 0.0,
) -> list[BaseGeometry]:
    """Partition ``region`` among ``sketches`` in priority order.

    Parameters
    ----------
    region : shapely geometry
        The polygon to tile, in a planar CRS (metres).
    sketches : sequence of shapely geometries
        Rough outlines in the same CRS; earlier ones win where they overlap.
    min_part_area : float, keyword-only
        Parts of a piece smaller than this (m²) that are detached from its main body are
        handed to the neighbour sharing the longest border, like gaps.

    Returns
    -------
    list of shapely geometries
        One (Multi)Polygon per sketch; their union equals ``region`` and they do not
        overlap.
    """
    taken = shapely.MultiPolygon()
    pieces: list[BaseGeometry] = []
    for sketch in sketches:
        piece = _polygonal(shapely.difference(shapely.intersection(sketch, region), taken))
        pieces.append(piece)
        taken = shapely.union(taken, piece)

    leftovers = _parts(_polygonal(shapely.difference(region, taken)))
    if min_part_area > 0:
        for i, piece in enumerate(pieces):
            parts = sorted(_parts(piece), key=lambda g: g.area, reverse=True)
            small = [p for p in parts[1:] if p.area < min_part_area]
            if small:
                pieces[i] = _polygonal(shapely.difference(piece, shapely.unary_union(small)))
                leftovers.extend(small)

    for gap in sorted(leftovers, key=lambda g: g.area, reverse=True):
        if gap.is_empty:
            continue
        shared = [shapely.intersection(gap.boundary, p.boundary).length for p in pieces]
        best = max(range(len(pieces)), key=lambda k: shared[k])
        pieces[best] = _polygonal(shapely.union(pieces[best], gap))
    return pieces
