"""Provenance rules of the inventory (issue 9): a figure in the field of its own measure, an
external figure marked as such, a coded list cited, a seed reference that names a registered
document. Reported by ``cli.py validate`` and on the staff Data page; unlike the validator's rules they do
not refuse a write (an editor's import may cite a site visit, or list codes it cites later).

A source's wording shows its measure: a "floor area" whose citation speaks only of 使用面积
(usable area) is a usable area in the wrong field. The words are the seeds' own.
"""
from __future__ import annotations

import pandas as pd

from geodata.ingest.schema import is_blank
from layers.catalogue import AREA_FIELDS, CARRIER_LAYERS, CODE_FIELDS, source_field
from spatial.errors import Problem
from spatial.provenance import parse_source

MEASURE_WORDS = {
    "land_area_m2": ("占地",),
    "floor_area_m2": ("建筑面积",),
    "usable_area_m2": ("使用面积",),
    "space_area_m2": ("产业空间", "低成本"),
    "incubation_area_m2": ("孵化面积", "孵化培育"),
}
"""Words by which a citation names its measure (a figure's own words make any other words moot)."""
EXTERNAL_HINTS = ("FACTS.md", "http://", "https://")
"""A citation naming one of these quotes a public page: it must be marked [ext]."""


def wrong_measure(field: str, source) -> str | None:
    """The field a figure belongs in when its citation speaks only of another measure, else None."""
    text = "" if is_blank(source) else str(source)
    if not text or any(word in text for word in MEASURE_WORDS.get(field, ())):
        return None
    for other, words in MEASURE_WORDS.items():
        if other != field and any(word in text for word in words):
            return other
    return None


def _carrier_problems(frame: pd.DataFrame, key: str, documents: set[str] | None) -> list[Problem]:
    problems = []
    for row in frame.to_dict("records"):
        fid = row.get("id")
        for field in AREA_FIELDS:
            source = row.get(source_field(field))
            if is_blank(row.get(field)) or is_blank(source):
                continue
            if (better := wrong_measure(field, source)) is not None:
                problems.append(Problem(key, fid, field, row[field],
                                        f"its source speaks of another measure: move it to {better}"))
        for column in [source_field(f) for f in AREA_FIELDS] + [f"{c}_source" for c in CODE_FIELDS] + ["source"]:
            problems += _citation_problems(key, fid, column, row.get(column), documents)
        for field in CODE_FIELDS:
            if not is_blank(row.get(field)) and is_blank(row.get(f"{field}_source")):
                problems.append(Problem(key, fid, f"{field}_source", None, f"{field} are listed without a citation"))
    return problems


def _citation_problems(key: str, fid, column: str, text, documents: set[str] | None) -> list[Problem]:
    citation = parse_source(text)
    if citation is None or citation.external:
        return []
    if any(hint in str(text) for hint in EXTERNAL_HINTS):
        return [Problem(key, fid, column, text, "cites a public page but is not marked [ext]")]
    if citation.document is not None and documents is not None and citation.document not in documents:
        return [Problem(key, fid, column, citation.document, "names a document that is not in the sources table")]
    return []


def provenance_problems(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """Every provenance problem of the carrier layers in ``frames`` (documents checked against the
    ``sources`` table when it is among them)."""
    sources = frames.get("sources")
    documents = None if sources is None else {str(f) for f in sources["file"] if not is_blank(f)}
    problems: list[Problem] = []
    for key in CARRIER_LAYERS:
        if key in frames and len(frames[key]):
            problems += _carrier_problems(frames[key], key, documents)
    return problems
