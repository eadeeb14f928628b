"""The synthetic market (units, enterprises, enquiries, their history, leases) and the demo store:
reproducible, every row marked synthetic, consistent with the pipeline, the credit-code rule and
the screening rules; the demo store is separate, validates and never touches the real store."""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import time
from datetime import date, datetime, timezone

import numpy as np
import pandas as pd
import pytest

import settings
from geodata.ingest.bundled import DATA_DIR, bundled_hash, read_bundled
from geodata.ingest.validate import validate_frames
from geodata.storage import open_store, read_meta
from geodata.demo_market import build_demo_store, demo_label
from geodata.synthetic_market import screening_rules_demo, synthetic_enterprises, synthetic_pipeline, synthetic_units
from layers.catalogue import CARRIER_LAYERS, LAYERS
from layers.vocab import CLOSE_REASONS, INDUSTRIES, split_codes
from spatial.carriers import combine_carriers
from spatial.credit_code import is_valid_credit_code
from spatial.errors import StoreError
from spatial.need import need_from_dict
from spatial.pipeline import CLOSED, STAGES, Lease, allowed_moves, check_move, due_at
from spatial.screening import screen, screening_to_json
from tests.conftest import use_location
from tests.helpers import fingerprint

NOW = datetime(2026, 3, 1, 4, 0, tzinfo=timezone.utc)
TODAY = NOW.date()
_dbs = itertools.count(1)


def _stamp(text) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def carriers():
    frames, problems = read_bundled()
    assert not problems
    return combine_carriers(frames, CARRIER_LAYERS)


def _market(carriers, *, seed=5, enquiries=500):
    operating = carriers.loc[carriers["status"] == "operating"]
    units = synthetic_units(operating, 20, seed=seed, today=TODAY)
    ents = synthetic_enterprises(160, seed=seed + 1, today=TODAY)
    return units, ents, synthetic_pipeline(ents, units, carriers, enquiries, seed=seed + 2, now=NOW)


@pytest.fixture(scope="module")
def market(carriers):
    return _market(carriers)


def test_same_seed__identical_frames_and_another_seed_differs(carriers, market):
    units, ents, pipe = market
    again_units, again_ents, again = _market(carriers)
    pd.testing.assert_frame_equal(units, again_units)
    pd.testing.assert_frame_equal(ents, again_ents)
    for key in ("enquiries", "enquiry_events", "leases", "units"):
        pd.testing.assert_frame_equal(pipe[key], again[key])
    other = synthetic_units(carriers, 20, seed=6, today=TODAY)
    assert not other["area_m2"].equals(synthetic_units(carriers, 20, seed=5, today=TODAY)["area_m2"])


def test_every_row__synthetic_citing_its_seed_with_obviously_fake_contacts(market):
    units, ents, pipe = market
    for frame in (units, ents, *pipe.values()):
        assert frame["synthetic"].map(lambda v: v is True or v is np.True_).all()
    assert set(units["source"]) == {"synthetic (seed 5)"} and set(ents["source"]) == {"synthetic (seed 6)"}
    assert set(pipe["leases"]["rent_source"]) == {"synthetic (seed 7)"}
    assert ents["name"].str.endswith("(synthetic)").all()
    assert ents["contact_phone"].str.fullmatch(r"1000000\d{4}").all()  # no mobile number starts 10
    assert ents["contact_email"].str.endswith("@example.com").all()
    assert (pipe["enquiries"]["consent_version"] == "demo").all()
    assert screening_rules_demo()["synthetic"].all()
    assert set(screening_rules_demo()["reason_en"].map(lambda t: t.endswith("(demo rule)"))) == {True}


def test_frames__have_every_catalogue_column_and_validate_with_the_bundled_data(market):
    units, ents, pipe = market
    frames, _ = read_bundled()
    market_frames = {**pipe, "enterprises": ents, "screening_rules": screening_rules_demo()}
    for key, frame in market_frames.items():
        assert list(frame.columns) == list(LAYERS[key].field_names), key
    assert validate_frames({**frames, **market_frames}) == []


def test_credit_codes__valid_futian_or_shenzhen_and_unique(market):
    codes = market[1]["credit_code"]
    assert codes.map(is_valid_credit_code).all()
    assert codes.str.slice(0, 2).eq("91").all() and codes.str.slice(2, 8).isin(["440300", "440304"]).all()
    assert codes.is_unique
    many = synthetic_enterprises(40_000, seed=1, today=TODAY)["credit_code"]
    assert many.is_unique and many.map(is_valid_credit_code).all()


def test_units__areas_rents_labels_and_verification_in_range(carriers, market):
    units = market[0]
    assert units["area_m2"].between(50, 3000).all() and units["rent_asked_cny_m2_month"].between(60, 250).all()
    assert not units.duplicated(["carrier_id", "building", "floor", "unit_label"]).any()
    age = (pd.Timestamp(TODAY) - pd.to_datetime(units["verified_on"])).dt.days
    assert age.between(0, 200).all() and (age > 90).any()  # some are stale
    heavy = units["use"].isin(["lab", "light_industry", "pilot"])
    assert units.loc[heavy, "floor_load_kn_m2"].notna().all() and units.loc[~heavy, "floor_load_kn_m2"].isna().all()
    assert set(units["status"]) == {"available", "reserved", "let", "withdrawn"}
    spread = synthetic_units(carriers, n=1_000, seed=2, today=TODAY)
    assert len(spread) == 1_000 and set(spread["carrier_id"]) <= set(carriers["id"])
    with pytest.raises(ValueError):
        synthetic_units(carriers, 5, n=100, seed=2, today=TODAY)


def test_enquiries__every_stage_and_every_close_reason_at_500(market):
    enquiries = market[2]["enquiries"]
    assert set(enquiries["stage"]) == {*STAGES, CLOSED}
    closed = enquiries.loc[enquiries["stage"] == CLOSED]
    assert set(closed["close_reason"]) == set(CLOSE_REASONS)
    assert enquiries.loc[enquiries["stage"] != CLOSED, "close_reason"].isna().all()


def _moves(events: pd.DataFrame):
    for enquiry_id, steps in events.groupby("enquiry_id", sort=False):
        yield enquiry_id, steps.sort_values("id")


def test_events__received_first_then_allowed_moves_with_increasing_times(market):
    _, _, pipe = market
    enquiries = pipe["enquiries"].set_index("id")
    leases = pipe["leases"].set_index("enquiry_id")
    for enquiry_id, steps in _moves(pipe["enquiry_events"]):
        enquiry = enquiries.loc[enquiry_id]
        first = steps.iloc[0]
        assert first["to_stage"] == "received" and pd.isna(first["from_stage"])
        assert first["at"] == enquiry["submitted_at"]
        times = [_stamp(t) for t in steps["at"]]
        assert times == sorted(times) and len(set(times)) == len(times) and times[-1] <= NOW
        for before, step in zip(steps.itertuples(), steps.iloc[1:].itertuples()):
            assert step.from_stage == before.to_stage and step.to_stage in allowed_moves(before.to_stage)
            details = json.loads(step.details) if isinstance(step.details, str) else {}
            lease = None
            if step.to_stage == "signed":
                row = leases.loc[enquiry_id]
                lease = Lease(row["carrier_id"], tuple(row["unit_ids"].split(";")), row["area_m2"],
                              date.fromisoformat(row["start"]), date.fromisoformat(row["end"]))
            check_move(before.to_stage, step.to_stage, reason=details.get("reason"), units=details.get("units", ()),
                       lease=lease)
        assert steps.iloc[-1]["to_stage"] == enquiry["stage"] and steps.iloc[-1]["at"] == enquiry["stage_at"]
        expected = due_at(enquiry["stage"], _stamp(enquiry["stage_at"]))
        assert (None if pd.isna(enquiry["due_at"]) else _stamp(enquiry["due_at"])) == expected
        assert set(steps["who"]) <= {"portal", "staff-demo-1", "staff-demo-2", "staff-demo-3", "staff-demo-4"}
    assert set(pipe["enquiry_events"]["enquiry_id"]) == set(enquiries.index)


def test_leases__for_signed_and_moved_in_only_their_units_let_and_the_area_summed(market):
    units, _, pipe = market
    enquiries, leases, after = pipe["enquiries"].set_index("id"), pipe["leases"], pipe["units"].set_index("id")
    signed = set(enquiries.index[enquiries["stage"].isin(["signed", "moved_in"])])
    assert set(leases["enquiry_id"]) == signed and leases["enquiry_id"].is_unique
    leased = [u for ids in leases["unit_ids"] for u in ids.split(";")]
    assert len(leased) == len(set(leased)) and (after.loc[leased, "status"] == "let").all()
    before = units.set_index("id")
    assert set(before.loc[leased, "status"]) <= {"available", "reserved"}  # nobody else's let unit
    changed = after.index[after["status"] != before["status"]]
    assert set(changed) <= set(leased) | set(after.index[after["status"] == "reserved"])
    for row in leases.itertuples():
        ids = row.unit_ids.split(";")
        assert row.area_m2 == pytest.approx(before.loc[ids, "area_m2"].sum())
        assert set(before.loc[ids, "carrier_id"]) == {row.carrier_id}
        need = need_from_dict(json.loads(enquiries.loc[row.enquiry_id, "need_json"]))
        assert need.area_min <= row.area_m2 <= need.area_max
        assert date.fromisoformat(row.start) >= _stamp(row.signed_at).date() and row.end > row.start
        moved = enquiries.loc[row.enquiry_id, "stage"] == "moved_in"
        assert moved == isinstance(row.moved_in_at, str)
        assert not moved or _stamp(row.moved_in_at) > _stamp(row.signed_at)


def test_needs__valid_and_in_the_enterprises_industry(market):
    _, ents, pipe = market
    industries = ents.set_index("id")["industries"]
    for row in pipe["enquiries"].itertuples():
        need = need_from_dict(json.loads(row.need_json))
        assert need.validate() == [] and need.industry in INDUSTRIES
        assert need.industry in split_codes(industries[row.enterprise_id])


def test_screening__what_screen_says_of_the_enterprise_and_the_layers_picked(carriers, market):
    units, ents, pipe = market
    layer_of = dict(zip(carriers["id"], carriers["layer"]))
    unit_layer = {u: layer_of[c] for u, c in zip(units["id"], units["carrier_id"])}
    by_id, rules = ents.set_index("id"), screening_rules_demo()
    reached = set(pipe["enquiry_events"].loc[pipe["enquiry_events"]["to_stage"] == "screened", "enquiry_id"])
    for row in pipe["enquiries"].itertuples():
        ineligible = row.close_reason == "ineligible"
        if row.id not in reached and not ineligible:
            assert pd.isna(row.eligible) and pd.isna(row.screening)
            continue
        picked = row.picked.split(";") if isinstance(row.picked, str) else []
        enterprise = by_id.loc[row.enterprise_id].to_dict()
        result = screen(enterprise, sorted({unit_layer[u] for u in picked}), rules, today=TODAY)
        assert (row.eligible, row.screening) == (result.eligible, screening_to_json(result))
        assert row.eligible is (not ineligible)
    assert (pipe["enquiries"]["close_reason"] == "ineligible").any()


def test_small_sizes__fast(carriers):
    started = time.perf_counter()
    _market(carriers, seed=9, enquiries=200)
    assert time.perf_counter() - started < 1.0


def test_too_few_free_units__one_clear_error(carriers):
    units = synthetic_units(carriers.iloc[:1], 4, seed=1, today=TODAY)
    with pytest.raises(ValueError, match="available units"):
        synthetic_pipeline(synthetic_enterprises(20, seed=1, today=TODAY), units, carriers, 200, seed=1, now=NOW)


# ---- the demo store, on both backends -------------------------------------------------------

def _fresh_location(backend, folder, request):
    """A location with no store yet: a file in ``folder`` or an empty database."""
    if backend == "postgis":
        return request.getfixturevalue("pg_cluster").create_database(f"demo_{os.getpid()}_{next(_dbs)}")
    return folder / "demo.gpkg"


def _default_store_digest():
    path = settings.DEFAULT_STORE
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.fixture(scope="module")
def demo(backend, session_store, tmp_path_factory, request):
    """A demo store built once per backend while the session store is the configured one, and the
    fingerprints of the configured store, the default store and the bundled files around it."""
    location = _fresh_location(backend, tmp_path_factory.mktemp("demo"), request)
    with pytest.MonkeyPatch.context() as mp:
        use_location(session_store, mp)
        before = (fingerprint(session_store), _default_store_digest(), bundled_hash(DATA_DIR))
        result = build_demo_store(location, seed=11, enquiries=500, now=NOW)
        after = (fingerprint(session_store), _default_store_digest(), bundled_hash(DATA_DIR))
    return location, result, before, after


def test_demo_store__validates_holds_the_synthetic_rows_and_says_it_is_a_demo(demo):
    location, result, _, _ = demo
    store = open_store(location)
    frames = store.read_all()
    assert validate_frames(frames) == []
    label = "synthetic seed 11, generated 2026-03-01"
    assert result["demo"] == label and demo_label(read_meta(location)) == label
    assert demo_label({"schema_version": "9"}) is None
    for key, count in result["counts"].items():
        assert len(frames[key]) == count > 0, key
        if "synthetic" in frames[key].columns:
            assert frames[key]["synthetic"].eq(True).all(), key
    assert set(frames["enquiries"]["stage"]) == {*STAGES, CLOSED}
    leased = [u for ids in frames["leases"]["unit_ids"] for u in ids.split(";")]
    assert frames["units"].set_index("id").loc[leased, "status"].eq("let").all()
    assert len(frames["science_parks"]) == len(read_bundled()[0]["science_parks"])  # the bundled data too
    assert result["location"] == store.describe()


def test_demo_store__the_configured_default_and_bundled_data_are_untouched(demo):
    _, _, before, after = demo
    assert after == before


def test_demo_store__refuses_the_default_the_configured_and_a_real_store(store, backend, tmp_path, request):
    before = (fingerprint(store), _default_store_digest())
    with pytest.raises(StoreError, match="default store"):
        build_demo_store(settings.DEFAULT_STORE, enquiries=20, now=NOW)
    with pytest.raises(StoreError, match="configured store"):
        build_demo_store(store, enquiries=20, now=NOW)
    assert (fingerprint(store), _default_store_digest()) == before
    if backend == "gpkg":
        other = tmp_path / "other.gpkg"
        other.write_bytes(store.read_bytes())  # a real store that is not configured here
        with pytest.raises(StoreError, match="not a demo"):
            build_demo_store(other, enquiries=20, now=NOW)
        assert fingerprint(other) == before[0]


def test_demo_store__an_existing_demo_is_rebuilt_in_place(backend, tmp_path, request, store):
    location = _fresh_location(backend, tmp_path, request)
    tiny = build_demo_store(location, seed=3, enquiries=1, units_per_carrier=4, now=NOW)
    assert tiny["counts"]["leases"] == 0 and len(open_store(location).read_layer("leases")) == 0  # empty tables too
    again = build_demo_store(location, seed=4, enquiries=40, units_per_carrier=4, now=NOW)
    assert again["counts"]["enquiries"] == 40 and len(open_store(location).read_layer("enquiries")) == 40
    assert read_meta(location)["demo"] == "synthetic seed 4, generated 2026-03-01"
    assert re.fullmatch(r"synthetic seed 4, generated \d{4}-\d{2}-\d{2}", demo_label(read_meta(location)))
