"""Screening rules staff read and change (audited, undoable), and the screening of one enquiry
with what the store knows of its enterprise (by credit code)."""
from __future__ import annotations

import json
from datetime import date

import pandas as pd

from geodata.ingest.schema import is_blank
from geodata.stewardship.audit import change_table, undo_table_change
from geodata.storage import open_store
from layers.catalogue import CARRIER_LAYERS
from layers.vocab import INDUSTRIES, QUALIFICATIONS, SCREENING_KINDS, split_codes
from spatial.errors import SpaceMapError
from spatial.screening import Screening, screen


def _check_value(kind: str, value: str) -> str:
    value = str(value or "").strip()
    if kind in ("max_age_years", "max_headcount"):
        try:
            if float(value) < 0:
                raise ValueError
        except ValueError:
            raise SpaceMapError(f"a {kind} rule needs a number of at least 0, got {value!r}") from None
        return value
    vocab = QUALIFICATIONS if kind == "qualification_any" else INDUSTRIES
    codes = split_codes(value.replace(",", ";"))
    unknown = [c for c in codes if c not in vocab]
    if not codes or unknown:
        raise SpaceMapError(f"a {kind} rule needs codes among {', '.join(vocab)}; unknown: {', '.join(unknown) or '—'}")
    return ";".join(codes)


def add_rule(*, applies_to: str, kind: str, value, reason_zh: str, reason_en: str, who: str, location=None) -> dict:
    """Add an active screening rule (``applies_to``: a carrier layer or ``*``), audited; undo with :func:`undo_rule_change`."""
    if applies_to != "*" and applies_to not in CARRIER_LAYERS:
        raise SpaceMapError(f"applies_to is * or a carrier layer: {', '.join(CARRIER_LAYERS)}")
    if kind not in SCREENING_KINDS:
        raise SpaceMapError(f"kind is one of {', '.join(SCREENING_KINDS)}")
    if not str(reason_zh or "").strip() or not str(reason_en or "").strip():
        raise SpaceMapError("a rule states its reason in Chinese and in English")
    rules = open_store(location).read_layer("screening_rules")
    n = 1 + max([int(str(i).split("-")[-1]) for i in rules["id"] if str(i).split("-")[-1].isdigit()] or [0])
    row = {"id": f"rule-{n:03d}", "applies_to": applies_to, "kind": kind, "value": _check_value(kind, value),
           "reason_zh": str(reason_zh).strip(), "reason_en": str(reason_en).strip(), "active": True}
    done = change_table("screening_rules", who=who, action="rule-add", add=pd.DataFrame([row]), location=location)
    return {**done, "rule": row}


def remove_rule(rule_id: str, *, who: str, location=None) -> dict:
    """Remove a screening rule, audited (undo brings it back)."""
    return change_table("screening_rules", who=who, action="rule-remove", remove_ids=[rule_id], location=location)


def undo_rule_change(*, who: str, location=None) -> dict:
    """Reverse the latest change to the screening rules."""
    return undo_table_change("screening_rules", who=who, location=location)


def _enterprise_of(store, credit_code) -> dict:
    """What the store knows of the enterprise with this credit code (nothing: every fact unknown)."""
    unknown = {"qualifications": [], "founded": None, "headcount": None, "industries": []}
    if is_blank(credit_code):
        return unknown
    table = store.read_layer("enterprises")
    rows = table.loc[table["credit_code"].astype(str) == str(credit_code)]
    if not len(rows):
        return unknown
    row = rows.iloc[0]
    try:
        quals = json.loads(row["qualifications"]) if not is_blank(row["qualifications"]) else []
    except ValueError:
        quals = []
    return {"qualifications": quals, "founded": None if is_blank(row["founded"]) else row["founded"],
            "headcount": None if is_blank(row["headcount"]) else int(row["headcount"]),
            "industries": split_codes(row["industries"])}


def screen_enquiry(store, enquiry: dict, carrier_layers: list[str], *, today: date) -> Screening:
    """Screen an enquiry by the rules in force, with its enterprise's registry facts (by credit code)
    and the need's industry when the registry has none."""
    enterprise = _enterprise_of(store, enquiry.get("credit_code"))
    if not enterprise["industries"]:
        try:
            industry = json.loads(enquiry.get("need_json") or "{}").get("industry")
        except ValueError:
            industry = None
        enterprise["industries"] = [industry] if industry else []
    return screen(enterprise, carrier_layers, store.read_layer("screening_rules"), today=today)
