"""The enterprise registry's personal data, removed on request: the contact fields of the
enterprise, and every copy of them the audit log keeps (an import's "before" rows and field
diffs), in one write. Not undoable: the data is gone, which is what the request asks."""
from __future__ import annotations

import json

import pandas as pd

from geodata.stewardship.audit import audit_row, check_who
from geodata.stewardship.enquiry_input import check_ids
from geodata.stewardship.enquiry_store import iso, now_utc, plain
from geodata.storage import open_store
from layers.catalogue import get_layer
from spatial.errors import SpaceMapError

PERSONAL = tuple(f.name for f in get_layer("enterprises").fields if f.private)
"""The enterprise fields that are personal data (contact name, phone, email)."""


def _scrub(changes: str, enterprise_id: str) -> str:
    """An audit entry's change set with the enterprise's personal fields blanked."""
    data = json.loads(changes or "{}")
    if data.get("layer") != "enterprises":
        return changes
    before = data.get("before") or {}
    if enterprise_id in before:
        before[enterprise_id] = {k: (None if k in PERSONAL else v) for k, v in before[enterprise_id].items()}
    diff = data.get("diff") or {}
    if isinstance(diff, dict) and enterprise_id in diff:
        diff[enterprise_id] = [d for d in diff[enterprise_id] if d.get("field") not in PERSONAL]
    return json.dumps(data, ensure_ascii=False, default=str)


def erase_enterprise(enterprise_id: str, *, by: str, location=None) -> dict:
    """Remove an enterprise's personal data (contact name, phone, email) from the registry and from
    the audit log's change sets, audited without the data."""
    by = check_who(by)
    enterprise_id = check_ids(enterprise_id, "enterprise", limit=1)[0] if str(enterprise_id or "").strip() else ""
    store = open_store(location)
    with store.lock():
        rows = store.read_layer("enterprises", ids=[enterprise_id])
        if not len(rows):
            raise SpaceMapError(f"no enterprise {enterprise_id}")
        row = plain(rows)[0]
        version = int(row.pop("row_version", 1) or 1)
        erased = {**row, **{k: None for k in PERSONAL}, "erased_at": iso(now_utc())}
        audit = store.read_layer("audit_log")
        mentions = audit["changes"].fillna("").str.contains(enterprise_id, regex=False)
        audit.loc[mentions, "changes"] = [_scrub(c, enterprise_id) for c in audit.loc[mentions, "changes"]]
        audit = audit_row(audit, who=by, action="enterprise-erase", layer="enterprises",
                          reason="personal data removed on request",
                          changes=json.dumps({"enterprise": enterprise_id}, ensure_ascii=False))
        store.change_rows({"enterprises": (pd.DataFrame([erased]), [])}, tables={"audit_log": audit},
                          expected_versions={"enterprises": {enterprise_id: version}})
    return {"enterprise": enterprise_id, "erased_at": erased["erased_at"], "audit_entries_scrubbed": int(mentions.sum())}
