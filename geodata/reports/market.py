"""The market's reports: area settled through the platform (signed leases), the funnel from
enquiry to signed and moved in, and where each enquiry's carrier lies (cluster). Staff see the
rows; the Progress page shows only the settled totals, apart from the reported figures."""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import shapely

from geodata.ingest.schema import is_blank
from spatial.funnel import funnel

GROUPS = ("cluster", "industry", "carrier")
NO_CLUSTER = "(none)"


def carrier_clusters(carriers: pd.DataFrame, clusters: pd.DataFrame) -> dict[str, str]:
    """``{carrier id: cluster id}`` for carriers whose point lies in a cluster (the first one in
    catalogue order), or that are placed by a cluster zone."""
    out: dict[str, str] = {}
    if not len(carriers) or not len(clusters):
        return out
    geoms = carriers.geometry.to_numpy()
    for cid, shape in zip(clusters["id"], clusters.geometry):
        if shape is None:
            continue
        inside = np.zeros(len(carriers), dtype=bool)
        has = ~shapely.is_missing(geoms)
        inside[has] = shapely.contains(shape, geoms[has])
        for fid in carriers["id"].to_numpy()[inside]:
            out.setdefault(str(fid), str(cid))
    if "zone_id" in carriers.columns:
        for fid, zone in zip(carriers["id"], carriers["zone_id"]):
            if not is_blank(zone) and str(zone) in set(clusters["id"].astype(str)):
                out.setdefault(str(fid), str(zone))
    return out


def _lease_carriers(leases: pd.DataFrame) -> dict[str, str]:
    return {str(e): str(c) for e, c in zip(leases["enquiry_id"], leases["carrier_id"])}


def enquiry_groups(enquiries: pd.DataFrame, units: pd.DataFrame, leases: pd.DataFrame,
                   clusters_of: dict[str, str]) -> pd.DataFrame:
    """``enquiries`` with ``carrier`` (the lease's, else the first picked unit's or carrier's),
    ``cluster`` (that carrier's) and ``industry`` (the need's) columns for the funnel's groups."""
    unit_carrier = dict(zip(units["id"].astype(str), units["carrier_id"].astype(str)))
    leased = _lease_carriers(leases)

    def carrier(ref, picked):
        if str(ref) in leased:
            return leased[str(ref)]
        first = next((p for p in str(picked or "").split(";") if p), None)
        return None if first is None else unit_carrier.get(first, first)

    def industry(need_json):
        try:
            return json.loads(need_json or "{}").get("industry")
        except ValueError:
            return None

    out = enquiries.copy()
    out["carrier"] = [carrier(r, p) for r, p in zip(out["id"], out["picked"])]
    out["cluster"] = [clusters_of.get(c) if c else None for c in out["carrier"]]
    out["industry"] = [industry(n) for n in out["need_json"]]
    return out


def funnel_report(frames: dict[str, pd.DataFrame], carriers: pd.DataFrame, *, start: date | None = None,
                  end: date | None = None, by: str | None = None) -> dict:
    """The funnel over enquiries submitted in ``[start, end]`` (see :func:`spatial.funnel.funnel`),
    optionally per cluster, industry or carrier."""
    if by is not None and by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)}")
    enquiries = enquiry_groups(frames["enquiries"], frames["units"], frames["leases"],
                               carrier_clusters(carriers, frames["clusters"]))
    result = funnel(enquiries, frames["enquiry_events"], start=start, end=end, by=by)
    result.update({"from": start.isoformat() if start else None, "to": end.isoformat() if end else None, "by": by,
                   "synthetic": bool(enquiries["synthetic"].fillna(False).astype(bool).any())
                   if len(enquiries) else False})
    return result


def _quarter(at) -> str | None:
    if is_blank(at):
        return None
    d = date.fromisoformat(str(at)[:10])
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def settled_report(frames: dict[str, pd.DataFrame], carriers: pd.DataFrame) -> dict:
    """Area settled through the platform: the signed leases' areas, in total, per quarter signed,
    in incubation carriers (the incubators layer and carriers in the incubation ledger) and per
    cluster. Never added to the reported totals or the ledger: a measure of its own."""
    leases = frames["leases"]
    area = pd.to_numeric(leases["area_m2"], errors="coerce").fillna(0.0)
    layer_of = dict(zip(carriers["id"].astype(str), carriers["layer"].astype(str)))
    ledger = set(frames["incubation_ledger"]["carrier_id"].dropna().astype(str))
    incubation = [layer_of.get(str(c)) == "incubators" or str(c) in ledger for c in leases["carrier_id"]]
    clusters_of = carrier_clusters(carriers, frames["clusters"])
    names = dict(zip(frames["clusters"]["id"].astype(str), frames["clusters"]["name_zh"]))
    names_en = dict(zip(frames["clusters"]["id"].astype(str), frames["clusters"]["name_en"]))
    table = pd.DataFrame({"area": area.to_numpy(), "quarter": [_quarter(s) for s in leases["signed_at"]],
                          "cluster": [clusters_of.get(str(c), NO_CLUSTER) for c in leases["carrier_id"]],
                          "moved_in": leases["moved_in_at"].map(lambda v: not is_blank(v)).to_numpy()})
    by_quarter = table.groupby("quarter", dropna=True)["area"].agg(["sum", "count"]).reset_index()
    by_cluster = table.groupby("cluster")["area"].agg(["sum", "count"]).reset_index()
    return {
        "settled_via_platform_m2": float(area.sum()), "leases": int(len(leases)),
        "moved_in_m2": float(table.loc[table["moved_in"], "area"].sum()),
        "in_incubation_carriers_m2": float(area[np.asarray(incubation, dtype=bool)].sum()) if len(leases) else 0.0,
        "by_quarter": [{"quarter": q, "area_m2": float(s), "leases": int(n)} for q, s, n in by_quarter.itertuples(index=False)],
        "by_cluster": [{"cluster": c, "name_zh": names.get(c, c), "name_en": names_en.get(c, c), "area_m2": float(s),
                        "leases": int(n)} for c, s, n in by_cluster.itertuples(index=False)],
        "synthetic": bool(leases["synthetic"].fillna(False).astype(bool).any()) if len(leases) else False,
    }
