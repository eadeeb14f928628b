"""Enterprise figures summed per enterprise in the database (the heavy part of the indicators:
a million enterprise-years become one row per enterprise), the same result as
:func:`spatial.indicators.enterprise_sums` on the rows read into memory. The span shown and the
span it is compared with (year on year) come from one scan."""
from __future__ import annotations

import io

import pandas as pd

from geodata.storage import pg

FLOWS = ("revenue_cny", "tax_cny", "rd_cny")
COLUMNS = ("enterprise_id", "revenue_cny", "tax_cny", "rd_cny", "patents", "employees")
_NOW = "year BETWEEN %(first)s AND %(last)s"
_BEFORE = "year BETWEEN %(prev_first)s AND %(prev_last)s"
_SQL = f"""
SELECT enterprise_id,
       sum(revenue_cny) FILTER (WHERE {_NOW}), sum(tax_cny) FILTER (WHERE {_NOW}),
       sum(rd_cny) FILTER (WHERE {_NOW}), sum(patents) FILTER (WHERE {_NOW})::float8,
       avg(employees) FILTER (WHERE {_NOW})::float8,
       sum(revenue_cny) FILTER (WHERE {_BEFORE}), sum(tax_cny) FILTER (WHERE {_BEFORE}),
       sum(rd_cny) FILTER (WHERE {_BEFORE}), sum(patents) FILTER (WHERE {_BEFORE})::float8,
       avg(employees) FILTER (WHERE {_BEFORE})::float8,
       bool_or({_NOW}), bool_or({_BEFORE})
FROM enterprise_years
WHERE year BETWEEN %(low)s AND %(high)s
GROUP BY enterprise_id
"""


_ONE_YEAR = "COPY (SELECT {columns} FROM enterprise_years WHERE year = {year}) TO STDOUT WITH (FORMAT csv)"
_CAST = {"patents": "patents::float8", "employees": "employees::float8"}



def _frame(rows: list[tuple], names: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=names) if rows else pd.DataFrame(columns=names)
    frame["enterprise_id"] = frame["enterprise_id"].astype(object)
    for name in names[1:]:
        if name not in ("now", "before"):
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    return frame


def _one_year(url: str, year: int, columns=COLUMNS) -> pd.DataFrame:
    """One year: an enterprise has one row a year (a unique index says so), so its sums are its row.
    Read as CSV through COPY and parsed in C."""
    buffer = io.BytesIO()
    query = _ONE_YEAR.format(columns=", ".join(_CAST.get(c, c) for c in columns), year=int(year))
    with pg.query(url) as con, con.cursor().copy(query) as copy:
        for block in copy:
            buffer.write(block)
    buffer.seek(0)
    if not buffer.getbuffer().nbytes:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "enterprise_id" else float) for c in columns})
    frame = pd.read_csv(buffer, names=list(columns), header=None, dtype={"enterprise_id": object},
                        keep_default_na=False, na_values=[""])
    frame["enterprise_id"] = frame["enterprise_id"].astype(object)
    for name in columns[1:]:
        frame[name] = frame[name].astype(float)
    return frame


def enterprise_sums_in_database(url: str, *, first: int, last: int,
                                prev: tuple[int, int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Per enterprise with a row in ``[first, last]`` (and, apart, in ``prev``): flows summed (NaN when
    none known), employees averaged over the years that state them. One scan for both spans."""
    p_first, p_last = prev if prev is not None else (first, last)
    if first == last and p_first == p_last:  # the usual case: a year, compared with the year before
        if prev is None:
            return _one_year(url, first), None
        return _one_year(url, first), _one_year(url, p_first)
    params = {"first": int(first), "last": int(last), "prev_first": int(p_first), "prev_last": int(p_last),
              "low": int(min(first, p_first)), "high": int(max(last, p_last))}
    with pg.query(url) as con, con.transaction():
        con.execute("SET LOCAL work_mem = '128MB'")  # the per-enterprise hash table stays in memory
        rows = con.execute(_SQL, params).fetchall()
    frame = _frame(rows, [*COLUMNS, *(f"prev_{c}" for c in COLUMNS[1:]), "now", "before"])
    now = frame.loc[frame["now"].astype(bool), list(COLUMNS)].reset_index(drop=True)
    if prev is None:
        return now, None
    before = frame.loc[frame["before"].astype(bool), ["enterprise_id", *(f"prev_{c}" for c in COLUMNS[1:])]]
    return now, before.rename(columns=lambda c: c.removeprefix("prev_")).reset_index(drop=True)


def years_in_database(url: str) -> list[int]:
    """The years the enterprise figures cover, ascending."""
    with pg.query(url) as con:
        return [int(r[0]) for r in con.execute("SELECT DISTINCT year FROM enterprise_years ORDER BY year")]
