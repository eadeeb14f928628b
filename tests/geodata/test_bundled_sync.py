"""Newer bundled files reach an existing store without losing people's work (both backends)."""
import json

import pandas as pd

from geodata.ingest.importer import plan_import
from geodata.stewardship.commits import commit_import
from geodata.stewardship.goals import set_goal
from geodata.storage import ensure_store, frames_for_import, open_store, read_layer, read_meta, replace_layers


def _pretend_older_bundle(location) -> None:
    """Make the store look like one made from older files: a bundled carrier's figure differs,
    a carrier the newer files no longer hold is there, and the recorded hash is another."""
    parks = read_layer("science_parks", location)
    parks.loc[parks["id"] == "sp-xinyidai", "notes"] = "old bundled note"
    gone = parks.loc[parks["id"] == "sp-xinyidai"].assign(id="sp-dropped-from-bundle", name_zh="旧载体",
                                                          name_en="Old carrier")
    mine = parks.loc[parks["id"] == "sp-xinyidai"].assign(id="sp-loaded-otherwise", name_zh="别处载入",
                                                          name_en="Loaded otherwise")
    replace_layers({"science_parks": pd.concat([parks, gone, mine], ignore_index=True)}, location)
    store = open_store(location)
    ids = [*json.loads(read_meta(location)["bundled_ids"]), "sp-dropped-from-bundle"]
    store.write_meta({"bundled_hash": "older", "bundled_ids": json.dumps(ids)})


def test_sync__untouched_rows_follow_the_files_peoples_work_stays(store_copy, tmp_path):
    csv = tmp_path / "fix.csv"
    csv.write_text("id,name_zh,notes\nsp-biomed,国际生物医药产业园,edited by an editor\n", encoding="utf-8")
    commit_import(plan_import(csv, "science_parks", frames_for_import(store_copy)), who="li", path=store_copy)
    set_goal(2_000_000.0, 2030, set_by="planner", reason="kept", path=store_copy)
    _pretend_older_bundle(store_copy)
    ensure_store(store_copy)
    parks = read_layer("science_parks", store_copy).set_index("id")
    assert parks.loc["sp-xinyidai", "notes"] != "old bundled note"  # untouched: the files' version again
    assert parks.loc["sp-biomed", "notes"] == "edited by an editor"  # imported: kept
    assert "sp-dropped-from-bundle" not in parks.index  # a bundled carrier the files no longer hold
    assert "sp-loaded-otherwise" in parks.index  # never the files' to remove
    assert len(read_layer("progress_goals", store_copy)) == 1
    audit = read_layer("audit_log", store_copy)
    assert audit["action"].tolist()[-1] == "bundled-sync" and "import" in audit["action"].tolist()
    assert read_meta(store_copy)["bundled_hash"] != "older"
    ensure_store(store_copy)  # once: a second open changes nothing
    assert read_layer("audit_log", store_copy)["action"].tolist().count("bundled-sync") == 1


def test_sync__the_market_tables_and_the_carriers_they_name_stay(store_copy):
    from geodata.stewardship.audit import audit_row

    store = open_store(store_copy)
    unit = pd.DataFrame([{"id": "u-kept", "carrier_id": "sp-dropped-from-bundle", "unit_label": "101", "area_m2": 120.0,
                          "area_basis": "gross", "use": "office", "status": "available", "source": "operator list",
                          "verified_on": "2026-11-01", "synthetic": False}])
    _pretend_older_bundle(store_copy)  # the files no longer hold sp-dropped-from-bundle, which a unit names
    store.change_rows({"units": (unit, [])}, tables={"audit_log": audit_row(store.read_layer("audit_log"), who="li",
                                                                           action="import", changes="{}")})
    store.write_meta({"bundled_hash": "older"})
    ensure_store(store_copy)
    assert read_layer("units", store_copy)["id"].tolist() == ["u-kept"]  # people's table: never synced away
    assert "sp-dropped-from-bundle" in set(read_layer("science_parks", store_copy)["id"])  # a unit names it: kept
    assert read_layer("audit_log", store_copy)["action"].tolist()[-1] == "bundled-sync"
