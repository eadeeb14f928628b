"""The text rules of the store, shared by the validator and the per-row checks of the importers: no
NUL (PostgreSQL cannot store one), no bidi or other control character, no overlong value.

:func:`text_problem` judges one value; :func:`text_suspects` finds, column-wise, the values of a
column it needs to judge.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from geodata.ingest.schema import text_cells

NUL_MESSAGE = "contains a NUL character (0x00), which the store cannot hold"
MAX_NAME_CHARS = 200
"""Longest id or name (``id``, ``parent_id``, ``name_*``, ``carrier_id``)."""
MAX_TEXT_CHARS = 2000
"""Longest value of any other text field (addresses, sources, notes, …)."""
NAME_FIELDS = ("id", "parent_id", "carrier_id")
NAME_TOO_LONG = f"longer than {MAX_NAME_CHARS} characters (the limit for ids and names)"
TEXT_TOO_LONG = f"longer than {MAX_TEXT_CHARS:,} characters (the limit for text fields)"
BIDI_MESSAGE = "contains a right-to-left override or another bidi control character"
CONTROL_MESSAGE = "contains a control character"
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile("[\x01-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_IN_TEXT = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # text fields may hold tab and line breaks
_SUSPECT = "[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
"""Any character :func:`text_problem` may object to: a cheap vectorised pre-filter over a column."""
_SUSPECT_RE = re.compile(_SUSPECT)
MACHINE_TEXT = {("audit_log", "changes"), ("demand_pool", "need_json"), ("enquiries", "need_json"),
                ("enquiries", "screening"), ("enquiry_events", "details"), ("attachment_blobs", "content_b64")}
"""Fields the application writes (JSON change sets, saved needs): no length limit."""


def _escaped(text: str) -> str:
    """``text`` with its control and bidi characters written as escapes (``\\u202e``), so they show."""
    return "".join(c.encode("unicode_escape").decode("ascii") if _BIDI.match(c) or _CONTROL.match(c) else c
                   for c in text)


def text_problem(name: str, value: str, *, limited: bool = True) -> tuple[str, str] | None:
    """(shown value, message) when text ``value`` of field ``name`` is too long or holds a NUL, a bidi
    control (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069) or another control character (in an id
    or name any, in other text any but tab and line breaks); None when it is fine."""
    is_name = name in NAME_FIELDS or name.startswith("name_")
    shown = _escaped(value) if len(value) <= 80 else f"{_escaped(value[:60])}… ({len(value):,} characters)"
    if "\x00" in value:
        return value.replace("\x00", "\\x00"), NUL_MESSAGE
    if _BIDI.search(value):
        return shown, BIDI_MESSAGE
    if (_CONTROL if is_name else _CONTROL_IN_TEXT).search(value):
        return shown, CONTROL_MESSAGE
    limit = MAX_NAME_CHARS if is_name else MAX_TEXT_CHARS
    if limited and len(value) > limit:
        return shown, NAME_TOO_LONG if is_name else TEXT_TOO_LONG
    return None


def text_suspects(column: pd.Series, name: str, *, limited: bool) -> set[int]:
    """Positions of text values that may break a text rule (vectorised; :func:`text_problem` decides).
    A column whose text, joined, holds no suspect character and no overlong value has none."""
    if not len(column) or column.dtype != object and not pd.api.types.is_string_dtype(column):
        return set()
    values = column.to_numpy(dtype=object)
    is_text = text_cells(values)
    if not is_text.any():
        return set()
    texts = values[is_text].tolist()
    limit = MAX_NAME_CHARS if name in NAME_FIELDS or name.startswith("name_") else MAX_TEXT_CHARS
    if not _SUSPECT_RE.search("\ue000".join(texts)) and not (limited and max(map(len, texts)) > limit):
        return set()
    text = pd.Series(np.where(is_text, values, ""), dtype=object)
    flagged = text.str.contains(_SUSPECT, regex=True)
    if limited:
        flagged |= text.str.len().gt(limit)
    return set((flagged.to_numpy(dtype=bool) & is_text).nonzero()[0].tolist())
