"""Bring an existing store up to a newer version of the bundled files without losing people's work.

The bundled files change when their data is corrected against the sources (issue 9: measures in
their own fields, citations, honest pins, layers). A store made from older files keeps its
imports, edits, goals, demand pool, accounts, audit log and market tables (units, enterprises,
enquiries, leases); what changes is what nobody touched (a carrier with units or a lease counts as touched):

- a carrier no import or edit has ever touched (its id is in no change set of the audit log) is
  replaced by its bundled version — also into another layer, or removed when the bundled files
  no longer hold it;
- a carrier somebody imported or corrected is kept as it is (the sync reports it);
- a bundled carrier the store lacks is added (unless its id is taken by somebody's carrier);
- the reference tables only the bundled files fill (zones, landmarks, reports, targets, planned
  additions, the ledger, the sources) are replaced.

All in one validated write with an audit entry (action ``bundled-sync``) listing what it did.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd

from geodata.ingest.schema import is_blank
from geodata.storage.migrations import ROW_VERSION
from layers.catalogue import CARRIER_LAYERS, LAYERS
from layers.market_catalogue import MARKET_KEYS

FIRST_BUNDLED_IDS = frozenset("""
sp-xinyidai sp-sz-hk-intl sp-biomed sp-quantum sp-sz-hk-synergy sp-sz-hk-open sp-hetao-one sp-fupeng sp-tianan
sp-culture-park sp-new-media sp-robotics-park sp-bay-chip-valley tb-bay-digital tb-bay-hq tb-private-equity
tb-fashion-hq lc-huaqiangbei lc-cec-zhigu lc-blackark lc-ai-city lc-iot-ai lc-fintech-city inc-pingan-accel
inc-citic-incubator inc-boji inc-angel-hub inc-hkust-bluesea inc-cityu-futian inc-huaqiang-maker inc-hax
inc-youth-works""".split())
"""The carriers of the bundled files before issue 9, for stores that do not record theirs
(``bundled_ids`` in the store's metadata): only these, and no carrier loaded any other way
(a synthetic city, a restored export), are the bundled files' to replace or remove."""
PEOPLES_TABLES = ("audit_log", "progress_goals", "demand_pool", "accounts", *MARKET_KEYS)
"""Tables only people fill (the market's units, enterprises, enquiries, leases among them): never touched by a sync."""
SYNC_WHO = "bundled-data-update"


def touched_ids(audit: pd.DataFrame) -> set[str]:
    """Every carrier id an import or edit of the audit log has changed."""
    ids: set[str] = set()
    for action, changes in zip(audit.get("action", []), audit.get("changes", [])):
        if action in ("import", "edit") and not is_blank(changes):
            try:
                ids.update(str(i) for i in json.loads(changes).get("ids", []))
            except (ValueError, AttributeError):
                continue
    return ids


def bundled_ids(meta: dict[str, str]) -> set[str]:
    """The carrier ids the store holds from the bundled files (its metadata, else the first bundle)."""
    try:
        return set(json.loads(meta["bundled_ids"]))
    except (KeyError, ValueError, TypeError):
        return set(FIRST_BUNDLED_IDS)


def sync_frames(stored: dict[str, pd.DataFrame], bundled: dict[str, pd.DataFrame], *, previous: set[str]
                ) -> tuple[dict, dict]:
    """The layers to write and a report (``replaced``, ``removed``, ``added``, ``kept``: carrier ids).
    ``previous``: the ids the store holds from the bundled files (:func:`bundled_ids`); any other
    carrier of the store, and any carrier people changed, is kept."""
    touched = touched_ids(stored["audit_log"]) | {  # carriers units or leases name are people's work too
        str(c) for key in ("units", "leases") if key in stored for c in stored[key]["carrier_id"].dropna()}
    every = {str(i) for k in CARRIER_LAYERS if k in stored for i in stored[k]["id"]}
    keep = touched | (every - previous)
    report: dict[str, list[str]] = {"replaced": [], "removed": [], "added": [], "kept": sorted(touched & previous)}
    new_ids = {str(i) for k in CARRIER_LAYERS for i in bundled[k]["id"]}
    stored_ids = {str(i) for k in CARRIER_LAYERS if k in stored for i in stored[k]["id"]}
    versions = {str(i): int(v) for k in CARRIER_LAYERS if k in stored and ROW_VERSION in stored[k].columns
                for i, v in zip(stored[k]["id"], stored[k][ROW_VERSION])}
    out = {}
    for key in CARRIER_LAYERS:
        mine = stored.get(key, bundled[key].iloc[0:0])
        kept = mine.loc[mine["id"].astype(str).isin(keep)]
        fresh = bundled[key].loc[~bundled[key]["id"].astype(str).isin(keep)].copy()
        fresh[ROW_VERSION] = [versions.get(str(i), 0) + 1 for i in fresh["id"]]  # an open editor gets a conflict
        report["removed"] += sorted(set(mine["id"].astype(str)) - keep - new_ids)
        report["replaced"] += sorted(set(fresh["id"].astype(str)) & stored_ids)
        report["added"] += sorted(set(fresh["id"].astype(str)) - stored_ids)
        parts = [p for p in (kept, fresh) if len(p)]
        out[key] = pd.concat(parts, ignore_index=True) if parts else bundled[key].iloc[0:0]
    for key in LAYERS:
        if key not in CARRIER_LAYERS and key not in PEOPLES_TABLES and key in bundled:
            out[key] = bundled[key]
    out["audit_log"] = _audit(stored["audit_log"], report)
    return out, report


def _audit(audit: pd.DataFrame, report: dict) -> pd.DataFrame:
    counts = {k: len(v) for k, v in report.items()}
    row = {"id": f"audit-{len(audit) + 1:05d}", "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           "who": SYNC_WHO, "action": "bundled-sync", "layer": None, "accepted": counts["added"] + counts["replaced"],
           "rejected": 0, "added": counts["added"], "updated": counts["replaced"],
           "reason": "the bundled files changed: untouched carriers and reference tables updated",
           "changes": json.dumps(report, ensure_ascii=False)}
    return pd.concat([audit, pd.DataFrame([row])], ignore_index=True) if len(audit) else pd.DataFrame([row])
