"""The synthetic economy: reproducible, marked synthetic, valid codes, messy addresses that placement
still finds (≥ 90 % of the placeable ones in their true carrier, none of the unplaceable ones placed)."""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from geodata.ingest.bundled import read_bundled
from geodata.synthetic_economy import FUTIAN_ROADS, synthetic_carriers, synthetic_economy
from layers.catalogue import CARRIER_LAYERS, LAYERS
from layers.vocab import QUALIFICATIONS
from spatial.carriers import combine_carriers
from spatial.credit_code import is_valid_credit_code
from spatial.crs import METRIC_CRS, WGS84, get_transformer
from spatial.placement import place_enterprises

TODAY = date(2026, 3, 1)


@pytest.fixture(scope="module")
def carriers():
    frames, _ = read_bundled()
    return combine_carriers(frames, CARRIER_LAYERS)


@pytest.fixture(scope="module")
def economy(carriers):
    return synthetic_economy(carriers, n_enterprises=1_000, seed=5, today=TODAY)


def test_synthetic_economy__same_seed__same_frames(carriers, economy):
    again = synthetic_economy(carriers, n_enterprises=1_000, seed=5, today=TODAY)
    for first, second in zip(economy, again):
        pd.testing.assert_frame_equal(first, second)
    other = synthetic_economy(carriers, n_enterprises=1_000, seed=6, today=TODAY)[0]
    assert not other["address"].equals(economy[0]["address"])


def test_synthetic_economy__enterprises__catalogue_fields_marked_synthetic(economy):
    enterprises, _, _ = economy
    for name in LAYERS["enterprises"].field_names:
        assert name in enterprises.columns
    assert {"lon", "lat"} <= set(enterprises.columns)
    assert enterprises["id"].iloc[0] == "syn-eco-00001" and enterprises["id"].is_unique
    assert enterprises["name"].str.endswith("(synthetic)").all()
    assert enterprises["synthetic"].all() and (enterprises["source"] == "synthetic (seed 5)").all()


def test_synthetic_economy__credit_codes__all_valid_and_unique(economy):
    codes = economy[0]["credit_code"]
    assert all(is_valid_credit_code(c) for c in codes)
    assert codes.is_unique


def test_synthetic_economy__qualifications__json_some_high_tech_some_specialised(economy):
    held = [q["code"] for text in economy[0]["qualifications"] for q in json.loads(text)]
    assert set(held) <= set(QUALIFICATIONS)
    assert held.count("high_tech") > 50 and held.count("specialised") > 20


def test_synthetic_economy__coordinates__about_a_fifth_within_15_m_of_their_carrier(carriers, economy):
    enterprises, _, truth = economy
    sited = truth["carrier_id"].map(dict(zip(carriers["id"], carriers.geometry.notna()))).fillna(False).astype(bool)
    given = enterprises["lon"].notna().to_numpy()
    assert not given[~sited.to_numpy()].any()  # only near a carrier that has a site
    assert 0.12 < given[sited.to_numpy()].mean() < 0.28
    anchor = carriers.set_index("id").geometry.representative_point()[truth["carrier_id"][given]]
    to_m = get_transformer(WGS84, METRIC_CRS)
    ex, ey = to_m.transform(enterprises["lon"][given].to_numpy(), enterprises["lat"][given].to_numpy())
    ax, ay = to_m.transform(anchor.x.to_numpy(), anchor.y.to_numpy())
    assert np.hypot(ex - ax, ey - ay).max() <= 15.0


def test_synthetic_economy__addresses__messy_and_about_5_percent_unplaceable(economy):
    enterprises, _, truth = economy
    unplaceable = truth["carrier_id"].isna()
    assert 0.02 < unplaceable.mean() < 0.08
    text = enterprises["address"]
    assert text.str.contains("[０-９Ａ-Ｚ]").mean() > 0.15  # full-width digits or letters
    assert text.str.contains("座").any() and text.str.contains("楼").any() and text.str.contains("室|房").any()
    assert text.str.startswith("广东省").any() and text.str.contains("街道").any()
    assert text.str.contains("南山区").any()  # stated elsewhere


def test_synthetic_economy__placement__90_percent_in_true_carrier_none_unplaceable_placed(carriers, economy):
    enterprises, _, truth = economy
    placed = place_enterprises(enterprises, carriers).merge(truth, on="enterprise_id", suffixes=("", "_true"))
    placeable = placed["carrier_id_true"].notna()
    right = (placed["carrier_id"] == placed["carrier_id_true"]) & placed["status"].isin(["placed", "review"])
    assert right[placeable].mean() >= 0.90
    assert not (placed["status"][~placeable] == "placed").any()
    assert (placed["status"][placeable] == "placed").mean() >= 0.85


def test_synthetic_economy__years__figures_plausible_and_partly_unknown(economy):
    enterprises, years, _ = economy
    assert len(years) == 3 * len(enterprises)
    assert years["id"].iloc[0] == "syn-eco-00001-2022" and years["id"].is_unique
    assert sorted(years["year"].unique().tolist()) == [2022, 2023, 2024]
    known = years["revenue_cny"].notna() & years["tax_cny"].notna()
    assert (years["tax_cny"][known] < years["revenue_cny"][known]).all()
    for column in ("revenue_cny", "tax_cny", "rd_cny", "employees"):
        assert 0.02 < years[column].isna().mean() < 0.09
    assert (years["patents"] >= 0).all() and years["synthetic"].all()
    assert (years["source"] == "synthetic (seed 5)").all()


def test_synthetic_economy__years__one_enterprise_dominates_some_carrier(economy):
    _, years, truth = economy
    per = years.merge(truth, on="enterprise_id").dropna(subset=["carrier_id", "revenue_cny"])
    groups = per.groupby(["carrier_id", "year"])["revenue_cny"]
    share = groups.max() / groups.sum()
    assert (share[groups.count() >= 3] > 0.8).any()


def test_synthetic_carriers__n_distinct_addresses_in_futian():
    carriers = synthetic_carriers(500, seed=2)
    assert len(carriers) == 500 and carriers["id"].is_unique and carriers["address_zh"].is_unique
    assert carriers["name_zh"].iloc[0] == "演示科技大厦0001"
    assert carriers["address_zh"].str.extract(r"^(\D+?)\d")[0].isin(FUTIAN_ROADS).all()
    assert carriers["address_zh"].str.endswith("栋").mean() > 0.2
    assert carriers["layer"].isin(CARRIER_LAYERS).all() and carriers["parent_id"].isna().all()
    assert carriers.geometry.x.between(114.0, 114.1).all() and carriers.geometry.y.between(22.5, 22.58).all()
    assert carriers.crs.to_epsg() == 4326
