"""PostgreSQL plumbing shared by the PostGIS backend and its push-down queries: connections,
read and write transactions, the store's write lock, and identifier quoting.

Every SQL identifier (table, column, index) is quoted by :class:`psycopg.sql.Identifier`:
:func:`ident` for the query texts the tally builds, ``sql.SQL(...).format(...)`` elsewhere.
"""
from __future__ import annotations

import contextlib
import threading

from geodata.storage.locking import held, wait_until
from spatial.errors import StoreError

LOCK_KEY = 0x53504D31  # 'SPM1': the store's write lock (session-level advisory lock)


def psycopg():
    """The psycopg module, or :class:`StoreError` saying how to install it."""
    try:
        import psycopg as module
    except ImportError as exc:  # pragma: no cover - psycopg is pinned in requirements.txt
        raise StoreError("SPACEMAP_DB_URL is set but psycopg is not installed (pip install -r requirements.txt)") from exc
    return module


def ident(name: str) -> str:
    """``name`` quoted as an SQL identifier by psycopg (never by hand)."""
    from psycopg import sql

    return sql.Identifier(name).as_string()


def literal(value) -> str:
    """``value`` as an SQL literal, quoted by psycopg."""
    from psycopg import sql

    return sql.Literal(value).as_string()


def describe(url: str) -> str:
    """The URL without its password, for display."""
    module = psycopg()
    try:
        p = module.conninfo.conninfo_to_dict(url)
    except module.ProgrammingError as exc:
        raise StoreError(f"bad SPACEMAP_DB_URL: {exc}") from exc
    return f"postgresql://{p.get('user', '')}@{p.get('host', '')}:{p.get('port', 5432)}/{p.get('dbname', '')}"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def connect(url: str, *, autocommit: bool = False):
    """A new connection, or :class:`StoreError` with a one-line reason."""
    module = psycopg()
    try:
        return module.connect(url, autocommit=autocommit, connect_timeout=10)
    except module.Error as exc:
        raise StoreError(f"cannot connect to the database {describe(url)}: {_first_line(exc)}") from exc


_local = threading.local()


def _reader(url: str):
    """This thread's read connection to ``url`` (autocommit; reopened when it broke)."""
    cons = getattr(_local, "cons", None)
    if cons is None:
        cons = _local.cons = {}
    con = cons.get(url)
    if con is None or con.closed or con.broken:
        con = cons[url] = connect(url, autocommit=True)
    return con


@contextlib.contextmanager
def query(url: str):
    """This thread's cached read connection (autocommit); a database error becomes :class:`StoreError`."""
    module = psycopg()
    try:
        yield _reader(url)
    except module.Error as exc:
        _local.cons.pop(url, None)
        raise StoreError(f"database error on {describe(url)}: {_first_line(exc)}") from exc


@contextlib.contextmanager
def transaction(url: str):
    """One transaction on a fresh connection; rolled back on any error."""
    module = psycopg()
    con = connect(url)
    try:
        with con.transaction():
            yield con
    except module.Error as exc:
        raise StoreError(f"cannot write to the database {describe(url)}: {_first_line(exc)}") from exc
    finally:
        con.close()


def lock(url: str, *, timeout: float):
    """The store's exclusive write lock: a session advisory lock held on its own connection (see
    :func:`geodata.storage.locking.held`); :class:`StoreBusyError` after ``timeout`` s."""
    return held(url, lambda seconds: _advisory(url, seconds), timeout=timeout)


@contextlib.contextmanager
def _advisory(url: str, seconds: float):
    con = connect(url, autocommit=True)
    try:
        wait_until(lambda: con.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0], seconds)
        try:
            yield
        finally:
            con.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
    finally:
        con.close()


def close_connections(url: str | None = None) -> None:
    """Close this thread's cached read connections (to ``url``, or all)."""
    cons = getattr(_local, "cons", {}) or {}
    for key in [k for k in cons if url is None or k == url]:
        con = cons.pop(key)
        if not con.closed:
            con.close()
