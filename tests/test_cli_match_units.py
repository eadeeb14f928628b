"""``match --level unit --json``: available units of the store's carriers and carriers without units in
one ranked list, through ``cli.main`` on both backends."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cli import main
from geodata.storage import open_store
from geodata.stewardship.audit import audit_row

TODAY = "2026-06-30"
NEED = ["match", "--industry", "biomed", "--area", "800-1500", "--max-rent", "150", "--top", "30", "--json",
        "--today", TODAY]
ROWS = [  # id, carrier, area, rent, status, verified on
    ("u-biomed-1", "sp-biomed", 1_000.0, 120.0, "available", "2026-06-01"),
    ("u-biomed-2", "sp-biomed", 1_000.0, 100.0, "reserved", "2026-06-01"),
    ("u-biomed-3", "sp-biomed", 500.0, 100.0, "available", "2026-06-01"),
    ("u-biomed-4", "sp-biomed", 1_100.0, 180.0, "available", "2026-06-01"),
    ("u-boji-1", "inc-boji", 900.0, np.nan, "available", "2026-01-10"),
]


def _units() -> pd.DataFrame:
    cols = ("id", "carrier_id", "area_m2", "rent_asked_cny_m2_month", "status", "verified_on")
    frame = pd.DataFrame([dict(zip(cols, r)) for r in ROWS], columns=list(cols))
    return frame.assign(unit_label=["301", "302", "303", "304", "A1"], building="A座", floor="3F",
                        area_basis="gross", use="lab", source="site visit (test)", synthetic=False)


@pytest.fixture
def with_units(store_copy):
    store = open_store(store_copy)
    audit = audit_row(store.read_layer("audit_log"), who="test", action="units", layer="units", added=len(ROWS),
                      changes=json.dumps({"table": "units", "added": [r[0] for r in ROWS]}))
    store.change_rows({"units": (_units(), [])}, tables={"audit_log": audit})
    return store_copy


def _run(capsys, *args) -> dict:
    code = main(list(args))
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_match_level_unit__units_and_unitless_carriers_with_unit_fields(with_units, capsys):
    data = _run(capsys, *NEED, "--level", "unit")
    assert set(data) >= {"need", "scope", "candidates", "results", "excluded_count", "exclusion_reasons",
                         "near_misses", "stable_top3", "unstable_under", "weights"}
    assert data["level"] == "unit" and data["units_combined"] is False
    rows = {r["unit_id"] or r["carrier_id"]: r for r in data["results"]}
    for r in data["results"]:
        assert {"unit_id", "carrier_id", "level", "unit_label", "area_m2", "rent_asked_cny_m2_month", "status",
                "verified_on", "stale", "score", "breakdown", "flags"} <= set(r)
        assert r["id"] == r["carrier_id"]
    assert {"u-biomed-1", "u-boji-1"} <= set(rows)
    assert not {"u-biomed-2", "u-biomed-3", "u-biomed-4", "sp-biomed", "inc-boji"} & set(rows)
    unit = rows["u-biomed-1"]
    assert (unit["level"], unit["carrier_id"], unit["unit_label"], unit["area_m2"], unit["stale"]) == (
        "unit", "sp-biomed", "301", 1_000.0, False)
    assert rows["u-boji-1"]["stale"] is True and "rent unknown — confirm with the operator" in rows["u-boji-1"]["flags"]
    carriers = [r for r in data["results"] if r["level"] == "carrier"]
    assert carriers and all(r["unit_id"] is None and r["stale"] is None for r in carriers)
    reasons = data["exclusion_reasons"]
    assert reasons["unit smaller than the 800 m² needed (units are not combined)"] == 1
    assert reasons["rent > 150 CNY/m²/month"] == 1


def test_match_default_level__carriers_as_before(with_units, capsys):
    data = _run(capsys, *NEED)
    assert "level" not in data
    assert all("unit_id" not in r for r in data["results"])
    assert "sp-biomed" in {r["id"] for r in data["results"]}


def test_match_level_unit__text_output_names_the_unit(with_units, capsys):
    assert main(["match", "--industry", "biomed", "--area", "800-1500", "--level", "unit", "--today", TODAY]) == 0
    out = capsys.readouterr().out
    assert "301 1,000 m²" in out and "A1 900 m² (stale)" in out


def test_match_level_unit__with_spaces_file_is_bad_input(store, tmp_path, capsys):
    assert main(["match", "--level", "unit", "--spaces", str(tmp_path / "x.csv")]) == 2
    assert "--level unit" in capsys.readouterr().err


def test_match_level_unit__without_units_ranks_as_carrier_matching(store, capsys):
    # the bundled store lists no unit: every carrier is ranked by its stated figures, as today
    args = ["match", "--industry", "生物医药", "--near", "皇岗口岸", "--within-km", "6", "--stage", "startup", "--top", "8",
            "--json"]
    carriers, units = _run(capsys, *args), _run(capsys, *args, "--level", "unit")
    assert [(r["id"], r["score"]) for r in units["results"]] == [(r["id"], r["score"]) for r in carriers["results"]]
    assert units["candidates"] == carriers["candidates"]
    assert units["exclusion_reasons"] == carriers["exclusion_reasons"]
    assert all(r["level"] == "carrier" and r["unit_id"] is None for r in units["results"])
