"""The unified social credit code (统一社会信用代码) of GB 32100-2015: normalising and checking it.

18 characters from ``0-9`` and the capitals without I, O, S, V, Z::

    9  1  440300  708461136  T
    │  │  │       │          └ 18: check character
    │  │  │       └ 9-17: subject identifier (the former organisation code)
    │  │  └ 3-8: administrative division code of the registering authority (digits)
    │  └ 2: category within that authority (e.g. 1 enterprise under 9 market regulation)
    └ 1: registration authority (1 staffing, 5 civil affairs, 9 market regulation, Y other …)

The check character: each of the first 17 characters has a value (its index in :data:`ALPHABET`),
weighted by 3^(i-1) mod 31 (:data:`WEIGHTS`); the check value is 31 - (sum mod 31), 31 standing
for 0, written as the character of that value. As 31 is prime and no weight is 0 mod 31, changing
any one character (to another of the alphabet) changes the check: a single typo is always caught.

The category (position 2) is not checked against the authority: the published tables of
categories differ between sources, and a wrong refusal costs more than a missed typo there.
"""
from __future__ import annotations

import re
import unicodedata

from spatial.errors import SpaceMapError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The characters of a code in order of their value (0-30)."""
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
"""(1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28): the weight of positions 1-17."""
AUTHORITIES = "123456789ANY"
"""Registration-authority codes (position 1): 1 staffing, 2 foreign affairs, 3 justice, 4 culture,
5 civil affairs, 6 tourism, 7 religious affairs, 8 trade unions, 9 market regulation, A the
military's staffing office, N agriculture, Y other."""
LENGTH = 18

_DASHES = re.compile(r"[\s\-‐‑‒–—―]+")


def normalise_credit_code(text) -> str:
    """The code as it is checked: full-width characters made half-width, upper case, without spaces
    or hyphens (``" 9144 0300-7084 6113 6t "`` → ``"91440300708461136T"``); None → ``""``."""
    if text is None:
        return ""
    return _DASHES.sub("", unicodedata.normalize("NFKC", str(text))).upper()


def check_character(first17: str) -> str:
    """The check character (position 18) for the first 17 characters (all from :data:`ALPHABET`)."""
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _problem(code: str, zh: str, en: str) -> dict:
    return {"code": code, "zh": zh, "en": en}


def _structure_problem(code: str) -> dict | None:
    """What is wrong with the length, the characters, the authority or the division (None: fine)."""
    if len(code) != LENGTH:
        return _problem("length", f"应为 18 位，实为 {len(code)} 位",
                        f"must be 18 characters, got {len(code)}")
    for pos, ch in enumerate(code, start=1):
        if ch not in VALUES:
            return _problem("character", f"第 {pos} 位字符 '{ch}' 不可用（代码只用数字和除 I、O、S、V、Z 外的大写字母）",
                            f"character '{ch}' (position {pos}) is not allowed; codes use 0-9 and the "
                            "capitals except I, O, S, V, Z")
    if code[0] not in AUTHORITIES:
        return _problem("authority", f"第 1 位（登记管理部门代码）应为 1-9、A、N 或 Y，实为 '{code[0]}'",
                        f"the first character (registration authority) must be 1-9, A, N or Y, got '{code[0]}'")
    if not code[2:8].isdigit():
        return _problem("division", f"第 3-8 位（行政区划码）应为数字，实为 '{code[2:8]}'",
                        f"characters 3-8 (administrative division code) must be digits, got '{code[2:8]}'")
    return None


def credit_code_check(text) -> dict | None:
    """None when ``text`` (normalised) is a valid code, else ``{"code", "zh", "en"}``: what is wrong,
    ``code`` one of ``empty``, ``length``, ``character``, ``authority``, ``division``, ``check``."""
    code = normalise_credit_code(text)
    if not code:
        return _problem("empty", "统一社会信用代码为空", "the credit code is empty")
    problem = _structure_problem(code)
    if problem is not None:
        return problem
    expected = check_character(code[:17])
    if code[17] != expected:
        return _problem("check", f"校验码为 {code[17]}，应为 {expected}",
                        f"check digit is {code[17]}, expected {expected}")
    return None


def credit_code_problem(text) -> str | None:
    """None when ``text`` is a valid code, else why not in English ("check digit is 3, expected 5",
    "must be 18 characters, got 17", "character 'O' (position 5) is not allowed; …"). The reason in
    both languages, with a code: :func:`credit_code_check`."""
    problem = credit_code_check(text)
    return None if problem is None else problem["en"]


def is_valid_credit_code(text) -> bool:
    """True when ``text``, normalised, is a well-formed code with the right check character."""
    return credit_code_check(text) is None


def make_credit_code(first17: str) -> str:
    """The full code: ``first17`` (normalised) and its check character. :class:`SpaceMapError` when
    ``first17`` could not begin a valid code (length, characters, authority, division)."""
    prefix = normalise_credit_code(first17)
    if len(prefix) != 17:
        raise SpaceMapError(f"a credit code is made from 17 characters, got {len(prefix)}: {first17!r}")
    problem = _structure_problem(prefix + "0")
    if problem is not None:
        raise SpaceMapError(f"cannot make a credit code from {first17!r}: {problem['en']}")
    return prefix + check_character(prefix)
