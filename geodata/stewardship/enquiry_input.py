"""What an enquiry accepts from outside (an anonymous visitor, the command line): names, texts,
contacts, ids and the need, each checked before anything reads or writes the store. A refusal
names the field; text is stored as typed and never interpreted (the pages escape it)."""
from __future__ import annotations

import json
import math
import re
import unicodedata

from geodata.ingest.schema import is_blank
from geodata.ingest.validate import text_problem
from spatial.errors import SpaceMapError
from spatial.need import Need, need_to_dict

MAX_NAME = 100
MAX_MESSAGE = 1000
MAX_PICKED = 20
MAX_NEED_JSON = 4000
MAX_ID = 200
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()-]{5,22}[0-9]$")
EMAIL_RE = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']{1,190}\.[A-Za-z]{2,24}$")


def text(value, field: str, limit: int, *, required: bool = False, name: bool = False) -> str | None:
    """``value`` trimmed (Windows line ends made ``\\n``), or None when blank; :class:`SpaceMapError`
    naming ``field`` when it is missing but required, too long, or holds a character the store
    refuses (NUL, controls, bidi controls) — and for a ``name``, any line break, tab or invisible
    (format) character, so a name cannot forge a line or hide text."""
    value = None if is_blank(value) else str(value).replace("\r\n", "\n").strip()
    if not value:
        if required:
            raise SpaceMapError(f"{field} is missing")
        return None
    if len(value) > limit:
        raise SpaceMapError(f"{field} has at most {limit} characters, got {len(value)}")
    bad = text_problem("name_x" if name else "text", value, limited=False)
    if bad is None and "\r" in value:  # a lone carriage return rewrites a printed line
        bad = (value, "contains a control character")
    if bad is None and name and any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in value):
        bad = (value, "contains a line break, a tab or an invisible character")
    if bad is not None:
        raise SpaceMapError(f"{field} {bad[1]}")
    return value


def check_contact(name, phone, email) -> tuple[str, str | None, str | None]:
    """The contact (name, phone, email) trimmed: a name and a phone or an email, well formed."""
    name = text(name, "contact name", 60, required=True, name=True)
    phone = text(phone, "contact phone", 30, name=True)
    email = text(email, "contact email", 254, name=True)
    if not phone and not email:
        raise SpaceMapError("give a phone number or an email address to be contacted")
    if phone and not PHONE_RE.match(phone):
        raise SpaceMapError(f"not a phone number: {phone!r}")
    if email and not EMAIL_RE.match(email):
        raise SpaceMapError(f"not an email address: {email!r}")
    return name, phone, email


def check_ids(ids, field: str, *, limit: int = MAX_PICKED) -> list[str]:
    """Unit, carrier or enquiry ids as typed, without duplicates, each a plain one-line id (no
    control character ever reaches a database query), at most ``limit``."""
    items = [ids] if isinstance(ids, str) else list(ids or ())
    if len(items) > limit:
        raise SpaceMapError(f"{field}: at most {limit}, got {len(items)}")
    out: list[str] = []
    for item in items:
        value = text(item, field, MAX_ID, name=True)
        if value and value not in out:
            out.append(value)
    return out


def check_need(need: Need) -> str:
    """The need as JSON, refused when it is not a valid need (unknown codes, negative or non-finite
    numbers, min above max), holds a text the store refuses, or is longer than 4,000 characters."""
    if not isinstance(need, Need):
        raise SpaceMapError("the need is not a need (industry, area_min, area_max, max_rent, …)")
    try:
        problems = need.validate()
        data = need_to_dict(need)
    except (TypeError, ValueError) as exc:
        raise SpaceMapError(f"need: {exc}") from None
    if problems:
        raise SpaceMapError("need: " + "; ".join(problems))
    for key in ("area_min", "area_max", "max_rent", "within_km"):
        if data.get(key) is not None and not (isinstance(data[key], (int, float)) and math.isfinite(data[key])):
            raise SpaceMapError(f"need: {key} must be a number")
    text(need.near_label, "need: place", MAX_NAME, name=True)
    encoded = json.dumps(data, ensure_ascii=False)
    if len(encoded) > MAX_NEED_JSON:
        raise SpaceMapError(f"need: at most {MAX_NEED_JSON:,} characters, got {len(encoded):,}")
    return encoded
