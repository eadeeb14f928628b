import shapely
from shapely.geometry import Polygon, box

from spatial.partition import partition_region


def _overlap_area(pieces):
    return sum(pieces[i].intersection(pieces[j]).area for i in range(len(pieces)) for j in range(i + 1, len(pieces)))


def test_partition_region__overlapping_sketches_tile_exactly():
    region = box(0, 0, 1000, 1000)
    sketches = [box(-50, -50, 600, 1100), box(400, -50, 1100, 1100)]  # overlap 400–600
    pieces = partition_region(region, sketches)
    assert pieces[0].area == 600_000.0  # the earlier sketch wins the overlap
    assert pieces[1].area == 400_000.0
    assert _overlap_area(pieces) == 0.0
    assert shapely.unary_union(pieces).symmetric_difference(region).area == 0.0


def test_partition_region__gap_goes_to_neighbour_with_longest_border():
    region = box(0, 0, 1000, 1000)
    sketches = [box(0, 0, 400, 1000), box(500, 0, 1000, 300)]  # gap: 400–500 strip and the NE block
    pieces = partition_region(region, sketches)
    # The leftover L-shaped gap touches piece 0 along 1000 m and piece 1 along 400 m.
    assert shapely.unary_union(pieces).symmetric_difference(region).area == 0.0
    assert _overlap_area(pieces) == 0.0
    assert pieces[1].area == 150_000.0  # unchanged: the gap went to piece 0
    assert pieces[0].area == 850_000.0


def test_partition_region__small_detached_part_is_merged():
    region = Polygon([(0, 0), (1000, 0), (1000, 1000), (0, 1000)])
    # Sketch 1 takes the right half plus a 10 m × 10 m speck inside the left half.
    sketches = [box(0, 0, 500, 1000), shapely.union(box(500, 0, 1000, 1000), box(100, 100, 110, 110))]
    pieces = partition_region(region, sketches[::-1], min_part_area=1_000.0)
    assert pieces[0].geom_type == "Polygon"  # the 100 m² speck was handed over
    assert pieces[0].area == 500_000.0
    assert pieces[1].area == 500_000.0
