"""The bundled data as the seeds say it (issue 9): each figure of the audit in the field of its own
measure with its qualifier, external figures marked, no invented pins, the Hetao ports inside the
Shenzhen Park, paces on like measures, the plan's count targets."""
import json

import numpy as np
import pandas as pd
import pytest

from geodata.ingest.bundled import read_bundled
from geodata.ingest.provenance_rules import provenance_problems, wrong_measure
from geodata.ingest.validate import validate_frames
from spatial.provenance import is_external


@pytest.fixture(scope="module")
def bundled():
    frames, problems = read_bundled()
    assert problems == []
    return frames


@pytest.fixture(scope="module")
def carriers(bundled):
    from layers.catalogue import CARRIER_LAYERS

    return pd.concat([bundled[k].assign(layer=k) for k in CARRIER_LAYERS], ignore_index=True).set_index("id")


@pytest.mark.parametrize("cid, field, value, qualifier", [
    ("lc-huaqiangbei", "space_area_m2", 40_000, "at_least"),  # 002 二（六） "4万多平方米"
    ("lc-cec-zhigu", "space_area_m2", 13_000, "about"),  # "约1.3万平方米"
    ("lc-blackark", "space_area_m2", 15_000, "about"),  # "约1.5万平米"
    ("lc-fintech-city", "space_area_m2", 30_000, "nearly"),  # "提供低成本产业空间近3万平方米"
    ("sp-quantum", "usable_area_m2", 33_000, None),  # "建筑使用面积3.3000万㎡"
    ("sp-xinyidai", "floor_area_m2", 400_000, "about"),  # 002 二（一） "总建筑面积约40万平方米"
])
def test_audited_figures__in_the_field_of_their_measure_with_their_qualifier(carriers, cid, field, value,
                                                                             qualifier):
    row = carriers.loc[cid]
    assert row[field] == value
    qual = row[field.removesuffix("_m2") + "_qualifier"]
    assert (None if pd.isna(qual) else qual) == qualifier
    if field != "floor_area_m2":
        assert pd.isna(row["floor_area_m2"])  # never also a gross floor area


def test_external_figures__marked_and_not_in_any_seed(carriers):
    for cid in ("sp-sz-hk-open", "sp-hetao-one", "sp-fupeng"):
        assert is_external(carriers.loc[cid, "floor_area_source"]), cid
    assert is_external(carriers.loc["inc-huaqiang-maker", "space_area_source"])


def test_tech_buildings__only_the_two_the_seeds_name(bundled):
    assert set(bundled["tech_buildings"]["id"]) == {"tb-bay-digital", "tb-bay-hq"}
    assert {"tb-private-equity", "tb-fashion-hq"} <= set(bundled["professional_buildings"]["id"])


def test_no_invented_pins__placed_by_zone_or_unknown_without_a_point(carriers):
    pointless = carriers.loc[carriers["location_basis"].isin(["zone", "unknown"])]
    assert len(pointless) > 10
    assert pointless.geometry.map(lambda g: g is None or g.is_empty).all()
    assert pointless.loc[pointless["location_basis"] == "zone", "zone_id"].notna().all()
    for cid in ("lc-huaqiangbei", "lc-cec-zhigu", "lc-blackark", "inc-hax"):  # sites not stated in 002
        assert carriers.loc[cid, "location_basis"] == "zone"
        assert carriers.loc[cid, "zone_id"] == "cluster-huaqiangbei-shangbu"


def test_hetao__both_ports_inside_the_shenzhen_park(bundled):
    park = bundled["hetao"].loc[~bundled["hetao"]["context"].astype(bool)].geometry.union_all()
    ports = bundled["landmarks"].set_index("id").geometry
    for port in ("lm-futian-port", "lm-huanggang-port"):
        assert park.contains(ports[port]), port
    parts = bundled["hetao"].set_index("id").geometry
    assert parts["hetao-sz-bonded"].distance(parts["hetao-sz-huanggang"]) < 1e-6  # the two parts meet


def test_bundled_data__passes_the_validator_and_the_provenance_rules(bundled):
    assert validate_frames(bundled) == []
    assert provenance_problems(bundled) == []


@pytest.mark.parametrize("field, source, expected", [
    ("floor_area_m2", "002 二（六）: 低成本产业空间面积已达4万多平方米", "space_area_m2"),
    ("floor_area_m2", "002 二（五）: 建筑使用面积3.3万㎡", "usable_area_m2"),
    ("floor_area_m2", "002 二（一）: 总建筑面积约40万平方米", None),
    ("space_area_m2", "002 二（六）: 低成本产业空间面积已达4万多平方米", None),
])
def test_wrong_measure__caught_by_the_sources_wording(field, source, expected):
    assert wrong_measure(field, source) == expected


def test_provenance_rules__catch_an_unmarked_page_a_code_without_citation_and_an_unknown_document(bundled):
    frames = {k: v.copy() for k, v in bundled.items()}
    parks = frames["science_parks"]
    first = parks.index[0]
    parks.loc[first, "floor_area_source"] = "FACTS.md (press): 约20万平方米"
    parks.loc[first, "industries"], parks.loc[first, "industries_source"] = "ict", None
    parks.loc[first, "source"] = "009_0123456789abcdef.txt 一"
    found = {p.message for p in provenance_problems(frames)}
    assert "cites a public page but is not marked [ext]" in found
    assert "industries are listed without a citation" in found
    assert "names a document that is not in the sources table" in found


def test_progress__paces_with_their_measures_and_the_count_targets(store):
    from tests.test_cli import run_cli

    out = run_cli("progress", "--json", "--today", "2026-11-30", store=store)
    assert out.returncode == 0, out.stderr
    s = json.loads(out.stdout)
    assert [(p["from_measure"], p["to_measure"], p["like"]) for p in s["pace_between_reports"]] == [
        ("incubators_makerspaces_area", "incubation_area_total", False),
        ("incubation_area_total", "sci_incubation_total", False)]
    assert s["historical_m2_per_year"] is None and s["projected_year_reaching_goal"] is None
    assert s["reached_by_deadline"] is None and s["latest_reported"]["date_precision"] == "reported_by"
    assert s["what_if"]["added_m2"] == 0 and len(s["what_if"]["not_added"]) == 2  # other measures: not added
    counts = {c["indicator"]: c for c in s["count_targets"]}
    assert counts["national_makerspaces"]["latest"]["value"] == 10
    assert counts["city_makerspaces"]["targets"] == [{"year": 2025, "value": 30}]
    assert counts["innovation_carriers"]["targets"][0] == {"year": 2023, "value": 400}
    assert np.isclose(counts["city_makerspaces"]["pct_of_last_target"], 100 * 28 / 30)


def test_a_corrected_figure_drops_the_old_figures_qualifier_and_date(store_copy):
    from geodata.stewardship.commits import edit_fields
    from geodata.storage import read_layer

    edit_fields("lc-cec-zhigu", {"space_area_m2": 14000, "space_area_source": "site visit 2026-11"},
                reason="visited", who="editor-li", path=store_copy)
    row = read_layer("lowcost_spaces", store_copy).set_index("id").loc["lc-cec-zhigu"]
    assert row["space_area_m2"] == 14000 and pd.isna(row["space_area_qualifier"]) and pd.isna(row["space_area_as_of"])


def test_counts__every_quote_is_in_its_seed(bundled):
    """Each count target and reported count quotes its seed word for word (line breaks and spaces aside)."""
    import re
    from pathlib import Path

    seeds = Path(__file__).resolve().parents[3] / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("the seed documents are not beside the repository")
    squeeze = lambda text: re.sub(r"\s+", "", text)  # noqa: E731
    for key in ("count_targets", "reported_counts"):
        for source, quote in zip(bundled[key]["source"], bundled[key]["quote"]):
            text = squeeze((seeds / source.split()[0]).read_text(encoding="utf-8"))
            assert squeeze(quote) in text, (key, source, quote)
    high_tech = bundled["reported_counts"].loc[bundled["reported_counts"]["indicator"] == "high_tech_enterprises"]
    assert sorted(high_tech["value"]) == [1313, 1503]
