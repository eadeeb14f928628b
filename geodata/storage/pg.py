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


IDLE_HELD = 4
"""Idle read connections kept per database by a process (more are opened while more threads read at once)."""
_idle: dict[str, list] = {}
_idle_lock = threading.Lock()


def _take(url: str):
    """An idle read connection to ``url`` from the process's pool, else a new one (autocommit).

    Pooled per process, not per thread: the app runs every page in a new thread (Streamlit), so a
    connection per thread meant a new database session per page run — about 6 ms of the server's CPU
    each, a third of a page run's cost on PostGIS (issue 20)."""
    with _idle_lock:
        pool = _idle.get(url) or []
        while pool:
            con = pool.pop()
            if not con.closed and not con.broken:
                return con
    return connect(url, autocommit=True)


def _give(url: str, con) -> None:
    """Back to the pool when healthy and idle, else closed."""
    module = psycopg()
    if not con.closed and not con.broken and con.info.transaction_status == module.pq.TransactionStatus.IDLE:
        with _idle_lock:
            pool = _idle.setdefault(url, [])
            if len(pool) < IDLE_HELD:
                pool.append(con)
                return
    con.close()


@contextlib.contextmanager
def query(url: str):
    """A read connection (autocommit) for the block, taken from the process's pool and given back after
    it; a database error becomes :class:`StoreError` (and that connection is closed)."""
    module = psycopg()
    con = _take(url)
    try:
        yield con
    except module.Error as exc:
        con.close()
        raise StoreError(f"database error on {describe(url)}: {_first_line(exc)}") from exc
    except BaseException:
        con.close()  # left mid-way (e.g. a result not read to its end): never handed to another reader
        raise
    _give(url, con)


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
    """Close the process's idle read connections (to ``url``, or all)."""
    with _idle_lock:
        taken = [con for key in [k for k in _idle if url is None or k == url] for con in _idle.pop(key)]
    for con in taken:
        if not con.closed:
            con.close()
