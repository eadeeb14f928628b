"""The audit log's rows, and audited changes to the small tables people write (goals, the
demand pool): each change is written with its audit entry in one step, and can be undone
from the change set the entry keeps."""
from __future__ import annotations

import json
import unicodedata
from datetime import datetime, timezone

import pandas as pd

from geodata.ingest.schema import is_blank
from geodata.storage import open_store
from spatial.errors import SpaceMapError

MAX_WHO_CHARS = 80
MARKUP = set("<>&\"'`*_[](){}#!|\\")
"""Characters a recorded name may not hold: it is shown on pages and in spreadsheets."""


def check_who(who) -> str:
    """``who`` stripped, or :class:`SpaceMapError` for a blank name, one over 80 characters, or one
    with control, format (bidi) or markup characters (the CLI's ``--by`` is recorded as given)."""
    name = str(who or "").strip()
    if not name:
        raise SpaceMapError("say who makes the change (--by or the login)")
    if len(name) > MAX_WHO_CHARS:
        raise SpaceMapError(f"a name has at most {MAX_WHO_CHARS} characters, got {len(name)}")
    bad = sorted({c for c in name if c in MARKUP or unicodedata.category(c)[0] in "CZ" and c != " "})
    if bad:
        raise SpaceMapError("a name may not contain control, bidi or markup characters: "
                            + " ".join(f"U+{ord(c):04X}" for c in bad))
    return name


def audit_row(audit: pd.DataFrame, **values) -> pd.DataFrame:
    """``audit`` with one more entry (next id, the time now, ``values``)."""
    row = {"id": f"audit-{len(audit) + 1:05d}", "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           **values}
    return pd.concat([audit, pd.DataFrame([row])], ignore_index=True) if len(audit) else pd.DataFrame([row])


def _plain(rows: pd.DataFrame) -> list[dict]:
    return [{k: (None if is_blank(v) else (v.item() if hasattr(v, "item") else v)) for k, v in r.items()}
            for r in rows.to_dict("records")]


def change_table(key: str, *, who: str, action: str, add: pd.DataFrame | None = None, remove_ids=(),
                 reason: str | None = None, location=None) -> dict:
    """Add rows to and remove rows from table ``key`` with an audit entry, in one write.

    Returns ``{"audit_id", "added": [ids], "removed": [ids]}``.

    Raises
    ------
    SpaceMapError
        An id to remove is not in the table, or ``who`` is not a valid name.
    """
    who = check_who(who)
    store = open_store(location)
    with store.lock():
        table = store.read_layer(key)
        remove_ids = [str(i) for i in remove_ids]
        gone = table["id"].astype(str).isin(remove_ids)
        missing = sorted(set(remove_ids) - set(table.loc[gone, "id"].astype(str)))
        if missing:
            raise SpaceMapError(f"no {key} entry {', '.join(missing)}")
        parts = [p for p in (table.loc[~gone], add) if p is not None and len(p)]
        updated = pd.concat(parts, ignore_index=True) if parts else table.iloc[0:0]
        added = [] if add is None else [str(i) for i in add["id"]]
        changes = {"table": key, "added": added, "removed": _plain(table.loc[gone])}
        audit = audit_row(store.read_layer("audit_log"), who=who, action=action, layer=key, reason=reason,
                          added=len(added), updated=0, changes=json.dumps(changes, ensure_ascii=False, default=str))
        store.replace_layers({key: updated, "audit_log": audit})
    return {"audit_id": str(audit["id"].iloc[-1]), "added": added, "removed": remove_ids}


def undo_table_change(key: str, *, who: str, location=None) -> dict:
    """Reverse the latest change to table ``key`` not yet undone (its added rows removed, its
    removed rows restored), audited. :class:`SpaceMapError` when there is none."""
    who = check_who(who)
    store = open_store(location)
    with store.lock():
        audit = store.read_layer("audit_log")
        mine = audit.loc[(audit["layer"] == key) & (audit["action"] != "undo") & audit["undone_by"].map(is_blank)]
        if not len(mine):
            raise SpaceMapError("nothing to undo")
        entry = mine.iloc[-1]
        changes = json.loads(entry["changes"])
        table = store.read_layer(key)
        kept = table.loc[~table["id"].astype(str).isin(changes["added"])]
        parts = [p for p in (kept, pd.DataFrame(changes["removed"])) if len(p)]
        updated = pd.concat(parts, ignore_index=True) if parts else table.iloc[0:0]
        audit = audit_row(audit, who=who, action="undo", layer=key, reason=f"undo of {entry['id']}",
                          changes=json.dumps({"undoes": entry["id"]}))
        audit.loc[audit["id"] == entry["id"], "undone_by"] = audit["id"].iloc[-1]
        store.replace_layers({key: updated, "audit_log": audit})
    return {"undone": str(entry["id"]), "action": str(entry["action"]), "layer": key,
            "removed": len(changes["added"]), "restored": len(changes["removed"])}
