from layers.clicks import clicked_feature_id

IDS = ["a", "b", "c"]
LATS = [22.50, 22.55, 22.55]
LONS = [114.00, 114.05, 114.05]


def test_clicked_feature_id__tooltip_marker_wins():
    result = {"last_object_clicked_tooltip": "深圳某园#id:c#", "last_object_clicked": {"lat": 22.5, "lng": 114.0}}
    assert clicked_feature_id(result, ids=IDS, lats=LATS, lons=LONS) == "c"


def test_clicked_feature_id__falls_back_to_coordinates():
    result = {"last_object_clicked_tooltip": None, "last_object_clicked": {"lat": 22.5000001, "lng": 114.0}}
    assert clicked_feature_id(result, ids=IDS, lats=LATS, lons=LONS) == "a"
    shared = {"last_object_clicked": {"lat": 22.55, "lng": 114.05}}
    assert clicked_feature_id(shared, ids=IDS, lats=LATS, lons=LONS) == "b"  # first of two at one point


def test_clicked_feature_id__nothing_or_far_or_unknown_id():
    assert clicked_feature_id(None, ids=IDS, lats=LATS, lons=LONS) is None
    assert clicked_feature_id({}, ids=IDS, lats=LATS, lons=LONS) is None
    far = {"last_object_clicked": {"lat": 22.6, "lng": 114.1}}
    assert clicked_feature_id(far, ids=IDS, lats=LATS, lons=LONS) is None
    ghost = {"last_object_clicked_tooltip": "x#id:ghost#"}
    assert clicked_feature_id(ghost, ids=IDS, lats=LATS, lons=LONS) is None
    assert clicked_feature_id({"last_object_clicked": {"lat": 1, "lng": 2}}, ids=[], lats=[], lons=[]) is None
