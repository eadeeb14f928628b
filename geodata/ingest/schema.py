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


def blank_mask(values) -> np.ndarray:
    """:func:`is_blank` of every value of a Series or sequence, vectorised (one boolean per value)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    mask = series.isna().to_numpy(dtype=bool, copy=True)
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        text = series.to_numpy(dtype=object)
        is_text = text_cells(text, mask)
        if is_text.any():
            where = np.flatnonzero(is_text)
            texts = text[where]  # blank text: empty, or whitespace only (what strip() removes, str.isspace says)
            mask[where] = np.fromiter(map(str.isspace, texts), dtype=bool, count=len(where)) | \
                (np.fromiter(map(len, texts), dtype=np.int64, count=len(where)) == 0)
    return mask


def object_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text columns held as Python objects (pandas may infer Arrow-backed
    strings, which are slow to loop over and to look up with ``isin``)."""
    text = [c for c in frame.columns if c != "geometry" and pd.api.types.is_string_dtype(frame[c].dtype)
            and frame[c].dtype != object]
    if not text:
        return frame
    frame = frame.copy()
    for c in text:
        frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
    return frame


def text_cells(values: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Which of ``values`` (an object array) are ``str``: read off the array's inferred kind when it
    holds only text and nulls, else value by value."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "string":
        return ~(pd.isna(values) if missing is None else missing)
    if kind == "empty":
        return np.zeros(len(values), dtype=bool)
    return np.fromiter((type(v) is str for v in values), dtype=bool, count=len(values))


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
        dtype = _DTYPES.get(field.dtype, "object")
        if field.name not in out.columns:
            out[field.name] = pd.Series([None] * len(out), index=out.index, dtype=dtype)
            continue
        values, wrong = _coerced(out[field.name], field.dtype)
        problems += [Problem(spec.key, _row_id(out, i), field.name, value, f"wrong type: {exc}") for i, value, exc in wrong]
        out[field.name] = pd.Series(values, index=out.index, dtype=dtype)
    return out, problems


def _coerced(raw: pd.Series, dtype: str) -> tuple[np.ndarray, list[tuple[int, object, Exception]]]:
    """The values of ``raw`` coerced to ``dtype`` (None where blank or wrong) and the wrong ones as
    (position, value, error). Columns already of the right kind take a vectorised path; the rest go
    value by value, each distinct value coerced once."""
    n = len(raw)
    blank = blank_mask(raw)
    if dtype in ("float", "int") and pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        numbers = raw.to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            whole = np.equal(np.mod(numbers, 1), 0) & (np.abs(numbers) < 2.0 ** 53)
        fine = blank | (np.isfinite(numbers) & (whole if dtype == "int" else True))
        if fine.all():
            out = np.empty(n, dtype=object)
            out[:] = None
            keep = ~blank
            out[keep] = numbers[keep] if dtype == "float" else numbers[keep].astype("int64")
            return out, []
    if dtype in ("float", "int") and raw.dtype != bool and not blank.all():  # numbers written as text
        keep = np.flatnonzero(~blank)
        try:
            numbers = np.array([float(v.strip().replace(",", "")) for v in raw.to_numpy(dtype=object)[keep]],
                               dtype="float64")
        except (AttributeError, TypeError, ValueError):
            numbers = None  # not every value is text of a number: value by value below, with the reasons
        with np.errstate(invalid="ignore"):
            fine = numbers is not None and np.isfinite(numbers).all() and (
                dtype == "float" or bool((np.equal(np.mod(numbers, 1), 0) & (np.abs(numbers) < 2.0 ** 53)).all()))
        if fine:
            out = np.empty(n, dtype=object)
            out[:] = None
            out[keep] = numbers if dtype == "float" else numbers.astype("int64")
            return out, []
    if dtype in ("str", "code") and not blank.all():
        text = raw.to_numpy(dtype=object)
        if all(type(v) is str for v in text[~blank]):
            out = np.empty(n, dtype=object)
            out[:] = None
            keep = np.flatnonzero(~blank)
            out[keep] = list(map(str.strip, text[keep]))
            return out, []
    coerce, done, wrong = _COERCERS[dtype], {}, []
    out = np.empty(n, dtype=object)
    out[:] = None
    values = raw.to_numpy(dtype=object)
    for i in np.flatnonzero(~blank):
        value = values[i]
        try:
            key = (type(value), value)
            result = done[key] if key in done else done.setdefault(key, coerce(value))
        except TypeError:  # an unhashable value: coerced without the memo
            try:
                result = coerce(value)
            except (TypeError, ValueError, OverflowError) as exc:
                wrong.append((int(i), value, exc))
                continue
        except (ValueError, OverflowError) as exc:
            wrong.append((int(i), value, exc))
            continue
        out[i] = result
    return out, wrong
