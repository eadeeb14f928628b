"""The economy's writes: enterprise figures imported by an editor, each enterprise placed in a carrier
(by lease, coordinates, then address: :func:`spatial.placement.place_enterprises`), the uncertain
placements reviewed and confirmed by an editor. Every write is audited with the account and undoable
(:func:`geodata.stewardship.commits.undo_last`); a placement an editor confirmed is never moved by a
later run.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

import settings
from geodata.ingest.importer import ImportPlan
from geodata.ingest.schema import coerce_frame, is_blank
from geodata.ingest.years_import import plan_years_import
from geodata.stewardship.audit import audit_row, check_who
from geodata.stewardship.commits import table_rows
from geodata.stewardship.units import acting_account
from geodata.storage import open_store
from layers.catalogue import CARRIER_LAYERS, get_layer
from spatial.errors import SpaceMapError

__all__ = ["plan_economy_import", "place_all", "confirm_placement", "review_list", "placement_frames"]

EDITOR = "editor"
PLACEMENT_FIELDS = get_layer("placements").field_names


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _carriers(store) -> pd.DataFrame:
    import geopandas as gpd

    parts = [store.read_layer(k).assign(layer=k) for k in CARRIER_LAYERS]
    cols = ["id", "name_zh", "address_zh", "layer", "parent_id", "geometry"]
    return gpd.GeoDataFrame(pd.concat([p[cols] for p in parts], ignore_index=True), geometry="geometry",
                            crs=parts[0].crs)


def _leases(store) -> pd.DataFrame:
    """The latest signed lease of each enterprise: its carrier and first unit."""
    leases, enquiries = store.read_layer("leases"), store.read_layer("enquiries")
    if not len(leases):
        return pd.DataFrame(columns=["enterprise_id", "carrier_id", "unit_id"])
    joined = leases.merge(enquiries[["id", "enterprise_id"]].rename(columns={"id": "enquiry_id"}), on="enquiry_id")
    joined = joined.loc[joined["enterprise_id"].map(lambda v: not is_blank(v))].sort_values("signed_at")
    joined["unit_id"] = joined["unit_ids"].map(lambda v: None if is_blank(v) else str(v).split(";")[0] or None)
    return joined[["enterprise_id", "carrier_id", "unit_id"]].reset_index(drop=True)


def placement_frames(enterprises: pd.DataFrame, store, *, who: str | None, current: pd.DataFrame) -> pd.DataFrame:
    """Placement rows for ``enterprises`` (confirmed ones as they are), typed for the store."""
    from spatial.placement import place_enterprises

    confirmed = current.loc[current["status"] == "confirmed", ["enterprise_id", "carrier_id", "unit_id"]]
    placed = place_enterprises(enterprises[["id", "name", "address", "lon", "lat"]], _carriers(store),
                               leases=_leases(store), confirmed=confirmed)
    old = current.set_index(current["id"].astype(str)) if len(current) else None
    now = _now()
    placed = placed.assign(id=placed["enterprise_id"].astype(str), placed_at=now,
                           synthetic=enterprises["synthetic"].fillna(False).astype(bool).to_numpy())
    placed["placed_by"] = [old.at[i, "placed_by"] if old is not None and i in old.index and s == "confirmed" else
                           None for i, s in zip(placed["id"], placed["status"])]
    if old is not None:  # a confirmed placement keeps its time
        keep = placed["id"].isin(old.index) & (placed["status"] == "confirmed")
        placed.loc[keep, "placed_at"] = old.loc[placed.loc[keep, "id"], "placed_at"].to_numpy()
    typed, problems = coerce_frame(placed.reindex(columns=PLACEMENT_FIELDS), get_layer("placements"))
    if problems:
        raise SpaceMapError(str(problems[0]))
    return typed[list(PLACEMENT_FIELDS)]


def _status_counts(rows: pd.DataFrame) -> dict:
    return {s: int((rows["status"] == s).sum()) for s in ("confirmed", "placed", "review", "unplaced")}


def plan_economy_import(path: Path, *, by: str | None, location=None, strict: bool = False, crs: str = "wgs84",
                        mapping_file: Path | None = None, dry_run: bool = False,
                        blank_clears: bool = False) -> ImportPlan:
    """Plan an import of enterprise-years by the editor ``by`` (a dry run may name nobody): the
    figures (a stored year keeps those the file lacks, and those it leaves blank unless
    ``blank_clears``), the enterprises the file creates or completes, and where the new or completed
    enterprises are (the plan's ``also["placements"]``; the summary counts them by status)."""
    if not (dry_run and is_blank(by)):
        acting_account(by, needed=EDITOR, what="import enterprise figures", location=location)
    store = open_store(location)
    frames = {"enterprises": store.read_layer("enterprises"), "district": store.read_layer("district"),
              "shenzhen_districts": store.read_layer("shenzhen_districts"),
              "enterprise_years": lambda ids: store.read_layer("enterprise_years", ids=ids)}
    plan = plan_years_import(path, frames, today=settings.today(), strict=strict, crs=crs, mapping_file=mapping_file,
                             blank_clears=blank_clears)
    enterprises = plan.also.get("enterprises")
    if enterprises is not None and len(enterprises):
        current = store.read_layer("placements", ids=list(map(str, enterprises["id"])))
        placements = placement_frames(enterprises, store, who=by, current=current)
        versions = dict(zip(map(str, current["id"]), map(int, current.get("row_version", []))))
        plan.also["placements"] = placements
        plan.also_base["placements"] = {str(i): versions.get(str(i)) for i in placements["id"]}
        plan.extra["placements"] = _status_counts(placements)
    return plan


def _write(store, who: str, rows: pd.DataFrame, *, action: str, reason: str | None, base: dict) -> str:
    """One audited, undoable change of placement rows; returns the audit id."""
    ids = list(map(str, rows["id"]))
    before = table_rows(store.read_layer("placements", ids=ids), ids)
    changes = {"layer": "placements", "ids": ids, "before": before}
    audit = audit_row(store.read_layer("audit_log"), who=who, action=action, layer="placements", reason=reason,
                      accepted=len(ids), rejected=0, added=len(ids) - len(before), updated=len(before),
                      changes=json.dumps(changes, ensure_ascii=False, default=str))
    store.backup()
    store.change_rows({"placements": (rows, [])}, tables={"audit_log": audit}, expected_versions={"placements": base})
    return str(audit["id"].iloc[-1])


def place_all(*, by: str, location=None, only_missing: bool = False) -> dict:
    """Place every enterprise again (or only those without a placement): confirmed placements stay,
    the others follow the latest leases, coordinates and carriers. Audited as ``place``, undoable."""
    account = acting_account(by, needed=EDITOR, what="place enterprises", location=location)
    store = open_store(location)
    with store.lock():
        enterprises, current = store.read_layer("enterprises"), store.read_layer("placements")
        if only_missing:
            enterprises = enterprises.loc[~enterprises["id"].astype(str).isin(set(current["id"].astype(str)))]
        if not len(enterprises):
            return {"placed": 0, **_status_counts(current.iloc[0:0]), "audit_id": None}
        rows = placement_frames(enterprises.reset_index(drop=True), store, who=account["name"], current=current)
        versions = dict(zip(map(str, current["id"]), map(int, current.get("row_version", []))))
        audit_id = _write(store, account["name"], rows, action="place", reason=None,
                          base={str(i): versions.get(str(i)) for i in rows["id"]})
    return {"placed": len(rows), **_status_counts(rows), "audit_id": audit_id}


def confirm_placement(enterprise_id: str, carrier_id: str | None, *, by: str, unit_id: str | None = None,
                      location=None, expected_version: int | None = None, reason: str | None = None) -> dict:
    """An editor says where an enterprise is (``carrier_id`` None: not in any carrier of the store);
    audited with the account, undoable; a later automatic run keeps it."""
    account = acting_account(by, needed=EDITOR, what="confirm placements", location=location)
    who = check_who(account["name"])
    store = open_store(location)
    with store.lock():
        if not len(store.read_layer("enterprises", ids=[str(enterprise_id)])):
            raise SpaceMapError(f"no enterprise {enterprise_id!r}")
        if carrier_id is not None and not any(len(store.read_layer(k, ids=[str(carrier_id)])) for k in CARRIER_LAYERS):
            raise SpaceMapError(f"no carrier {carrier_id!r}")
        if unit_id is not None:
            unit = store.read_layer("units", ids=[str(unit_id)])
            if not len(unit) or str(unit["carrier_id"].iloc[0]) != str(carrier_id):
                raise SpaceMapError(f"no unit {unit_id!r} of carrier {carrier_id!r}")
        current = store.read_layer("placements", ids=[str(enterprise_id)])
        version = int(current["row_version"].iloc[0]) if len(current) else None
        base = {str(enterprise_id): version if expected_version is None else int(expected_version)}
        row = {"id": str(enterprise_id), "enterprise_id": str(enterprise_id), "carrier_id": carrier_id,
               "unit_id": unit_id, "method": "confirmed", "confidence": 1.0, "status": "confirmed",
               "matched": (current["matched"].iloc[0] if len(current) else None),
               "candidates": (current["candidates"].iloc[0] if len(current) else None),
               "placed_at": _now(), "placed_by": who, "synthetic": bool(len(current) and current["synthetic"].iloc[0])}
        typed, problems = coerce_frame(pd.DataFrame([row]), get_layer("placements"))
        if problems:
            raise SpaceMapError(str(problems[0]))
        audit_id = _write(store, who, typed[list(PLACEMENT_FIELDS)], action="edit", reason=reason or "placement confirmed",
                          base=base)
    return {"enterprise_id": str(enterprise_id), "carrier_id": carrier_id, "unit_id": unit_id, "audit_id": audit_id}


def review_list(location=None, *, statuses=("review",)) -> list[dict]:
    """Placements to review (staff only: enterprise names and addresses), each with its candidates named."""
    store = open_store(location)
    rows = store.read_layer("placements")
    rows = rows.loc[rows["status"].isin(list(statuses))]
    if not len(rows):
        return []
    names = store.read_layer("enterprises", ids=list(map(str, rows["enterprise_id"])))
    names = names.set_index(names["id"].astype(str))
    carriers = _carriers(store).set_index("id")["name_zh"].to_dict()
    out = []
    for rec in rows.to_dict("records"):
        eid = str(rec["enterprise_id"])
        candidates = json.loads(rec["candidates"]) if not is_blank(rec.get("candidates")) else []
        out.append({"id": str(rec["id"]), "enterprise_id": eid,
                    "name": names.at[eid, "name"] if eid in names.index else None,
                    "address": None if eid not in names.index or is_blank(names.at[eid, "address"]) else
                    names.at[eid, "address"],
                    "carrier_id": None if is_blank(rec.get("carrier_id")) else rec["carrier_id"],
                    "method": rec["method"], "confidence": None if is_blank(rec.get("confidence")) else
                    round(float(rec["confidence"]), 3), "status": rec["status"], "matched": rec.get("matched"),
                    "candidates": [{**c, "name_zh": carriers.get(c.get("carrier_id"))} for c in candidates],
                    "row_version": int(rec["row_version"])})
    return out
