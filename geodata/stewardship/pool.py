"""The enterprise demand pool: saved needs, each with one id format, written under the store's
lock (a read and a write as one step, so two writers never lose each other's needs)."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from geodata.ingest.bundled import read_csv_text
from geodata.stewardship.audit import change_table, undo_table_change
from geodata.storage import open_store
from layers.catalogue import CARRIER_LAYERS
from spatial.carriers import combine_carriers
from spatial.errors import SpaceMapError
from spatial.need import Need, need_from_text, need_to_dict

POOL_COLUMNS = ("name", "industry", "area", "max_rent", "near", "within_km", "needs", "stage", "zones", "hk_link",
                "policy_support")
"""Columns of a demand-pool CSV: ``name`` plus the match command's flags, with the same values."""
YES = ("1", "true", "yes", "是")


def need_row(name: str, need: Need, *, at: datetime, n: int = 1, source: str | None = None) -> dict:
    """One demand-pool row: id ``need-<UTC time to the microsecond>-<n>``, the need as JSON."""
    if not str(name or "").strip():
        raise SpaceMapError("name is missing")
    return {"id": f"need-{at:%Y%m%d%H%M%S%f}-{n}", "name": str(name).strip(),
            "created_at": at.isoformat(timespec="seconds"),
            "need_json": json.dumps(need_to_dict(need), ensure_ascii=False), "source": source}


def save_need(name: str, need: Need, *, who: str, location=None, source: str | None = None) -> str:
    """Add one need to the pool (audited: ``who`` saved it; undoable); returns its id."""
    row = need_row(name, need, at=datetime.now(timezone.utc), source=source)
    change_table("demand_pool", who=who, action="pool-add", add=pd.DataFrame([row]), location=location)
    return row["id"]


def delete_needs(ids, *, who: str, location=None) -> dict:
    """Remove needs from the pool (staff), audited; :func:`undo_pool_change` brings them back."""
    return change_table("demand_pool", who=who, action="pool-delete", remove_ids=ids, location=location)


def undo_pool_change(*, who: str, location=None) -> dict:
    """Reverse the latest change to the pool (a save, a delete or an import) not yet undone."""
    return undo_table_change("demand_pool", who=who, location=location)


def _number(value, column: str) -> float | None:
    if value is None or not str(value).strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise SpaceMapError(f"{column}: not a number: {value!r}") from None


def _need_of(row: dict, frames, carriers) -> Need:
    return need_from_text(
        frames=frames, carriers=carriers, industry=row.get("industry"), area=row.get("area"),
        max_rent=_number(row.get("max_rent"), "max_rent"), near=row.get("near"),
        within_km=_number(row.get("within_km"), "within_km"), needs=row.get("needs"), stage=row.get("stage"),
        zones=row.get("zones"), hk_link=str(row.get("hk_link") or "").lower() in YES,
        policy_support=str(row.get("policy_support") or "").lower() in YES)


def import_needs(path: Path, *, who: str, location=None) -> dict:
    """Import needs from a CSV whose columns are :data:`POOL_COLUMNS`: all or nothing.

    Returns
    -------
    dict
        ``accepted`` (count), ``rejected`` (``{"row", "reason"}`` with the file's row number,
        the header being row 1) and ``committed`` (true only when every row was accepted).
    """
    path = Path(path)
    try:
        table = read_csv_text(path)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise SpaceMapError(f"cannot read {path}: {exc}") from exc
    unknown = [c for c in table.columns if c not in POOL_COLUMNS]
    if "name" not in table.columns or unknown:
        raise SpaceMapError(f"pool CSV columns must be among {', '.join(POOL_COLUMNS)} (with name); "
                            f"unknown: {', '.join(unknown) or 'none'}")
    store = open_store(location)
    frames = store.read_all()
    carriers = combine_carriers(frames, CARRIER_LAYERS)
    now = datetime.now(timezone.utc)
    accepted, rejected = [], []
    for row_no, row in enumerate(table.to_dict("records"), start=2):  # row 1 is the header
        try:
            if not (row.get("name") or "").strip():
                raise SpaceMapError("name is missing")
            accepted.append(need_row(row["name"], _need_of(row, frames, carriers), at=now, n=row_no,
                                     source=f"{path.name} row {row_no}"))
        except SpaceMapError as exc:
            rejected.append({"row": row_no, "reason": str(exc)})
    committed = bool(accepted) and not rejected
    if committed:
        change_table("demand_pool", who=who, action="pool-import", add=pd.DataFrame(accepted),
                     reason=path.name, location=location)
    return {"accepted": len(accepted), "rejected": rejected, "committed": committed}


def pool_needs(location=None) -> pd.DataFrame:
    """The saved needs (id, name, created_at, need_json, source), oldest first."""
    return open_store(location).read_layer("demand_pool")
