"""Typing of raw attribute tables against the catalogue, collecting every problem.

Raw tables (strings from CSV, mixed types from GeoJSON or spreadsheets) are coerced to
the catalogue's types. Values that cannot be coerced become null and are reported as
:class:`~spatial.errors.Problem` objects; nothing is silently dropped.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from layers.catalogue import LayerSpec
from spatial.errors import Problem

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_TRUE = {"true", "1", "yes", "y", "t", "是"}
_FALSE = {"false", "0", "no", "n", "f", "否"}


def is_blank(value) -> bool:
    """True for None, NaN, empty or whitespace-only strings."""
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and not value.strip()


def _row_id(frame: pd.DataFrame, i: int) -> str | None:
    if "id" in frame.columns and not is_blank(frame["id"].iloc[i]):
        return str(frame["id"].iloc[i])
    return f"row {i + 1}"


def _coerce_float(value):
    if isinstance(value, bool):
        raise ValueError("boolean is not a number")
    if isinstance(value, str):
        value = value.strip().replace(",", "")
    out = float(value)
    if not np.isfinite(out):
        raise ValueError("not a finite number")
    return out


def _coerce_int(value):
    out = _coerce_float(value)
    if out != int(out):
        raise ValueError("not a whole number")
    return int(out)


def _coerce_bool(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("not true/false")


def _coerce_str(value):
    return str(value).strip()


def _coerce_date(value):
    text = str(value).strip()
    if not _DATE.match(text):
        raise ValueError("not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return text


_COERCERS = {
    "float": _coerce_float,
    "int": _coerce_int,
    "bool": _coerce_bool,
    "date": _coerce_date,
    "str": _coerce_str,
    "code": _coerce_str,
    "codes": lambda v: ";".join(c.strip() for c in str(v).split(";") if c.strip()),
}

_DTYPES = {"float": "float64", "int": "Int64", "bool": "boolean"}


def parses_as_number(value) -> bool:
    """Whether ``value`` is a number, written or stored, finite or not (``"NaN"``, ``"inf"``, ``1e999``)."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float, np.integer, np.floating)):
        return True
    try:
        float(str(value).strip().replace(",", ""))
    except ValueError:
        return False
    return True


def parses_as(value, dtype: str) -> bool:
    """Whether :func:`coerce_frame` takes non-blank ``value`` as a ``dtype`` (``float``, ``int``, …)."""
    if is_blank(value):
        return False
    try:
        _COERCERS[dtype](value)
    except (TypeError, ValueError, OverflowError):
        return False
    return True


def coerce_frame(frame: pd.DataFrame, spec: LayerSpec) -> tuple[pd.DataFrame, list[Problem]]:
    """Return a copy of ``frame`` typed to ``spec`` and the problems met on the way.

    Columns the catalogue does not know are kept unchanged; catalogue columns missing from
    ``frame`` are added as nulls (the validator reports missing required values).

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        Raw attributes; not modified.
    spec : LayerSpec
        The layer the rows belong to.

    Returns
    -------
    (DataFrame, list of Problem)
    """
    out = frame.copy()
    problems: list[Problem] = []
    for field in spec.fields:
        raw = out[field.name] if field.name in out.columns else pd.Series([None] * len(out), index=out.index)
        coerce = _COERCERS[field.dtype]
        values = []
        for i, value in enumerate(raw.tolist()):
            if is_blank(value):
                values.append(None)
                continue
            try:
                values.append(coerce(value))
            except (TypeError, ValueError, OverflowError) as exc:
                problems.append(Problem(spec.key, _row_id(out, i), field.name, value, f"wrong type: {exc}"))
                values.append(None)
        dtype = _DTYPES.get(field.dtype, "object")
        out[field.name] = pd.Series(values, index=out.index, dtype=dtype)
    return out, problems
