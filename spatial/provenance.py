"""Where a figure comes from, said so a person can read it.

A stated figure's source column holds either a seed document's reference — the file it was
read from and the section, e.g. ``001_380bd6c6e632f2ee.txt 三（三）2`` — or an external page
marked ``[ext]``. The source registry (the ``sources`` table: id → title, issuer, document
number, date, URL) turns the file into the document's title, so a page shows
"《福田区科技创新"十四五"规划》三（三）2" and never a file name. Pure: no I/O.

Examples
--------
>>> parse_source("001_380bd6c6e632f2ee.txt 三（三）2")
Citation(document='001_380bd6c6e632f2ee.txt', section='三（三）2', external=False)
>>> parse_source("[ext] press via FACTS.md: 约20万平方米")
Citation(document=None, section='press via FACTS.md: 约20万平方米', external=True)
>>> qualifier_prefix("about", "zh"), qualifier_prefix("at_least", "en")
('约 ', '≥ ')
"""
from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from messages import pick, t

EXTERNAL_MARK = "[ext]"
CITATION_SPLIT = re.compile(r"; (?=\d{3}_[0-9a-f]{16}\.txt|\[ext\])")
"""Where a source column joins several citations: "; " before a seed file or an [ext] mark."""
SEED_FILE = re.compile(r"^(?P<file>\d{3}_[0-9a-f]{16}\.txt)\s*(?P<section>.*)$", re.S)
QUALIFIERS = ("about", "nearly", "at_least", "planned")
"""How a source states a figure: 约 (about), 近 (nearly), 多/不少于/以上 (at least), 计划 (planned)."""
STALE_YEARS = 2
"""A figure older than this (by its as-of date) is flagged as old."""


class Citation(NamedTuple):
    """A parsed source reference: the document (a seed's file name, or None), the section or note,
    and whether it is external (a public page rather than a seed document)."""

    document: str | None
    section: str
    external: bool


def parse_source(text) -> Citation | None:
    """The citation in a source column (None for a blank one)."""
    text = "" if text is None or (isinstance(text, float) and text != text) else str(text).strip()
    if not text:
        return None
    if text.startswith(EXTERNAL_MARK):
        return Citation(None, text[len(EXTERNAL_MARK):].strip(), True)
    match = SEED_FILE.match(text)
    if match:
        return Citation(match["file"], match["section"].strip(), False)
    return Citation(None, text, False)


def is_external(text) -> bool:
    """True when a source column names an external page (``[ext]``)."""
    citation = parse_source(text)
    return bool(citation and citation.external)


def readable_source(text, registry: dict[str, dict], lang: str) -> str:
    """The source as a person reads it: "《title》section" for a registered document, "external:
    note" for a public page, the text as it is otherwise ('' for none); several citations joined
    by "; " are each made readable.

    ``registry`` maps a document's file name to its registry row (``short_zh`` / ``short_en``, the
    short title a citation uses, else ``title_zh`` / ``title_en``).
    """
    parts = CITATION_SPLIT.split(str(text)) if text is not None and text == text else []
    if len(parts) > 1:
        return "; ".join(readable_source(p, registry, lang) for p in parts if p.strip())
    citation = parse_source(text)
    if citation is None:
        return ""
    if citation.external:  # the badge says it once: inner marks of the copied line are dropped
        return t("src_external", lang, note=citation.section.replace(EXTERNAL_MARK + " ", ""))
    entry = registry.get(citation.document) if citation.document else None
    if entry is None:
        return str(text).strip()
    title = (pick(entry.get("short_zh") or "", entry.get("short_en") or "", lang)
             or pick(entry.get("title_zh") or "", entry.get("title_en") or "", lang) or citation.document)
    return t("src_document", lang, title=title, section=citation.section).strip()


def source_date(text, registry: dict[str, dict]) -> str | None:
    """The date of the document a source names (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), or None."""
    citation = parse_source(text)
    entry = registry.get(citation.document) if citation and citation.document else None
    value = entry.get("date") if entry else None
    return str(value) if value not in (None, "") and value == value else None


def qualifier_prefix(qualifier, lang: str) -> str:
    """What goes before a qualified figure: "约 ", "近 ", "≥ ", "计划 " ('' for an exact figure)."""
    if qualifier not in QUALIFIERS:
        return ""
    return t(f"qual_{qualifier}", lang) + " "


def is_stale(as_of, today: date, years: int = STALE_YEARS) -> bool:
    """True when a figure's as-of date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) lies more than
    ``years`` before ``today``. A year counts from its last day, a month from its last day."""
    if as_of is None or (isinstance(as_of, float) and as_of != as_of) or str(as_of).strip() == "":
        return False
    text = str(as_of).strip()[:10]
    parts = [int(p) for p in text.split("-")]
    year, month, day = (parts + [12, 31])[:3] if len(parts) == 1 else (parts + [28])[:3]
    try:
        stated = date(year, month, day)
    except ValueError:
        return False
    return (today - stated).days > years * 365.25
