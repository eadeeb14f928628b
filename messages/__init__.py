"""Every text the product shows, in Chinese (the default) and English: one catalogue, one lookup.

The catalogue is split by area — :mod:`messages.ui` (app chrome, map, data overview, popups),
:mod:`messages.match` (the Match page and the words of matching), :mod:`messages.planning`
(Progress and Tally pages, tally tables), :mod:`messages.data` (Data page, its tables) — and
merged here; :mod:`messages.problems` translates the English messages of the importer and the
validators at the display edge. Importing this package checks the catalogue and fails loudly on
a key defined twice, an entry missing a language, or format fields that differ between languages.

Pure: no streamlit and no imports from the rest of the project, so every room may use it.

Examples
--------
>>> t("page_map", "en")
'Map'
>>> t("status_problems", "zh", n=3)
'3 个问题'
>>> t("ex_industry", "en", industry=Pair("生物医药", "biomedicine"))
'no biomedicine or related sector'
"""
from __future__ import annotations

from string import Formatter
from typing import NamedTuple

from messages import api as _api
from messages import data as _data
from messages import economy as _economy
from messages import market as _market
from messages import match as _match
from messages import planning as _planning
from messages import portal as _portal
from messages import report as _report
from messages import staff as _staff
from messages import ui as _ui
from messages import units as _units
from messages.problems import problem_text

LANGS = ("zh", "en")
"""The interface languages, the default first."""
DEFAULT_LANG = "zh"
LANG_NAMES = {"zh": "中文", "en": "English"}
"""Each language's name in itself (the language switch shows both, whatever the current language)."""


class CatalogueError(ValueError):
    """The message catalogue is inconsistent (a duplicate key, a missing language, differing fields)."""


class Pair(NamedTuple):
    """A value given in both languages (a name from the data, a label from a vocabulary).

    Passed as a format value to :func:`t`, it is replaced by its text in the language asked for.
    """

    zh: str
    en: str

    def get(self, lang: str) -> str:
        """The value in ``lang``."""
        return self[_index(lang)]


def _index(lang: str) -> int:
    try:
        return LANGS.index(lang)
    except ValueError:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}") from None


def format_fields(text: str) -> set[str]:
    """The names of the ``{fields}`` of a format string."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in Formatter().parse(text) if name is not None}


def check_catalogue(sections: dict[str, dict[str, tuple[str, ...]]]) -> dict[str, tuple[str, ...]]:
    """Merge catalogue sections (section name → {key: (zh, en)}) into one, checking every entry.

    Raises
    ------
    CatalogueError
        A key defined in two sections, an entry that is not one non-empty text per language,
        or an entry whose languages use different format fields.
    """
    merged: dict[str, tuple[str, ...]] = {}
    where: dict[str, str] = {}
    problems = []
    for section, entries in sections.items():
        for key, texts in entries.items():
            if key in merged:
                problems.append(f"{key!r} is defined in both {where[key]} and {section}")
                continue
            if not (isinstance(texts, tuple) and len(texts) == len(LANGS)
                    and all(isinstance(s, str) and s for s in texts)):
                problems.append(f"{section}.{key}: needs one non-empty text for each of {', '.join(LANGS)}")
                continue
            fields = [format_fields(s) for s in texts]
            if any(f != fields[0] for f in fields):
                problems.append(f"{section}.{key}: the languages use different format fields "
                                f"({' vs '.join(str(sorted(f)) for f in fields)})")
            merged[key] = texts
            where[key] = section
    if problems:
        raise CatalogueError("message catalogue: " + "; ".join(problems))
    return merged


SECTIONS = {"messages.ui": _ui.MESSAGES, "messages.match": _match.MESSAGES,
            "messages.planning": _planning.MESSAGES, "messages.data": _data.MESSAGES,
            "messages.staff": _staff.MESSAGES, "messages.market": _market.MESSAGES,
            "messages.portal": _portal.MESSAGES, "messages.units": _units.MESSAGES,
            "messages.economy": _economy.MESSAGES, "messages.api": _api.MESSAGES,
            "messages.report": _report.MESSAGES}
CATALOGUE: dict[str, tuple[str, ...]] = check_catalogue(SECTIONS)
"""Every message: key → one text per language (in the order of :data:`LANGS`)."""


def _value(value, lang: str):
    return value.get(lang) if isinstance(value, Pair) else value


def t(key: str, lang: str, **fmt) -> str:
    """The message ``key`` in ``lang`` ('zh' or 'en'), its ``{fields}`` filled from ``fmt``.

    A :class:`Pair` among the values is replaced by its text in ``lang``.
    """
    text = CATALOGUE[key][_index(lang)]
    return text.format(**{k: _value(v, lang) for k, v in fmt.items()}) if fmt else text


def both(key: str, **fmt) -> dict[str, str]:
    """The message ``key`` in every language: ``{"zh": ..., "en": ...}``."""
    return {lang: t(key, lang, **fmt) for lang in LANGS}


def pair(key: str) -> Pair:
    """The (unformatted) message ``key`` in both languages."""
    return Pair(*CATALOGUE[key])


def pick(zh, en, lang: str):
    """``zh`` or ``en``, whichever is in ``lang`` (for values from the data and the vocabularies)."""
    return (zh, en)[_index(lang)]


def lang_column(base: str, lang: str) -> str:
    """The data column of ``base`` in ``lang``: ``lang_column("measure", "en")`` → ``"measure_en"``."""
    return f"{base}_{LANGS[_index(lang)]}"


def name_column(lang: str) -> str:
    """The name column in ``lang``: ``"name_zh"`` or ``"name_en"``."""
    return lang_column("name", lang)


__all__ = ["LANGS", "DEFAULT_LANG", "LANG_NAMES", "CATALOGUE", "SECTIONS", "CatalogueError", "Pair", "t", "both",
           "pair", "pick", "lang_column", "name_column", "problem_text", "format_fields", "check_catalogue"]
