"""Enterprise figures summed per enterprise in the database (the heavy part of the indicators:
a million enterprise-years become one row per enterprise), the same result as
:func:`spatial.indicators.enterprise_sums` on the rows read into memory."""
from __future__ import annotations

import numpy as np
import pandas as pd

from geodata.storage import pg

_SQL = """
SELECT enterprise_id,
       sum(revenue_cny) AS revenue_cny, sum(tax_cny) AS tax_cny, sum(rd_cny) AS rd_cny,
       sum(patents)::float8 AS patents, avg(employees)::float8 AS employees
FROM enterprise_years
WHERE year BETWEEN %s AND %s
GROUP BY enterprise_id
ORDER BY enterprise_id
"""
COLUMNS = ("enterprise_id", "revenue_cny", "tax_cny", "rd_cny", "patents", "employees")


def enterprise_sums_in_database(url: str, *, first: int, last: int) -> pd.DataFrame:
    """Per enterprise with a row in ``[first, last]``: flows summed (NULL when none known), employees averaged."""
    with pg.query(url) as con:
        cur = con.cursor()
        cur.execute(_SQL, (int(first), int(last)))
        rows = cur.fetchall()
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "enterprise_id" else float) for c in COLUMNS})
    ids, *values = zip(*rows)
    frame = pd.DataFrame({"enterprise_id": np.array(ids, dtype=object)})
    for name, column in zip(COLUMNS[1:], values):
        frame[name] = np.array([np.nan if v is None else float(v) for v in column], dtype=float)
    return frame


def years_in_database(url: str) -> list[int]:
    """The years the enterprise figures cover, ascending."""
    with pg.query(url) as con:
        return [int(r[0]) for r in con.execute("SELECT DISTINCT year FROM enterprise_years ORDER BY year")]
