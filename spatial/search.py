"""Find carriers by Chinese name, English name, pinyin initials or id."""
from __future__ import annotations

import re

import pandas as pd
from pypinyin import Style, lazy_pinyin

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def pinyin_initials(text: str) -> str:
    """Lower-case pinyin initials of the Chinese characters in ``text``.

    Latin letters and digits are kept as they are; punctuation is dropped.

    Examples
    --------
    >>> pinyin_initials("深圳新一代信息技术产业园")
    'szxydxxjscyy'
    """
    if not text:
        return ""
    letters = lazy_pinyin(str(text), style=Style.FIRST_LETTER, errors=lambda s: list(s))
    return _NON_ALNUM.sub("", "".join(letters).lower())


def _norm(text) -> str:
    return "" if text is None or (isinstance(text, float) and text != text) else str(text).strip().lower()


def search_carriers(carriers: pd.DataFrame, query: str, *, limit: int = 20) -> list[str]:
    """Return carrier ids matching ``query``, best first.

    Matches (case-insensitive) the Chinese name, the English name, the pinyin initials of
    the Chinese name, or the id. Exact matches rank before prefix matches, which rank
    before substring matches; ties keep the input order.
    """
    q = _norm(query)
    if not q:
        return []
    q_alnum = _NON_ALNUM.sub("", q)
    scored = []
    for order, row in enumerate(carriers.itertuples(index=False)):
        zh, en, fid = _norm(row.name_zh), _norm(row.name_en), _norm(row.id)
        initials = pinyin_initials(row.name_zh or "")
        rank = None
        for candidate, strict in ((zh, q), (en, q), (fid, q), (initials, q_alnum)):
            if not strict or not candidate:
                continue
            if candidate == strict:
                rank = 0
            elif candidate.startswith(strict):
                rank = min(rank if rank is not None else 9, 1)
            elif strict in candidate:
                rank = min(rank if rank is not None else 9, 2)
        if rank is not None:
            scored.append((rank, order, row.id))
    return [fid for _, _, fid in sorted(scored)[:limit]]
