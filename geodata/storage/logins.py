"""Failed-login counts, kept with the store so they survive restarts and hold across app
processes, but outside the store's revision: counting a failed login never rewrites the
inventory nor empties the pages' caches (an attacker's guesses cost the other visitors nothing).

A GeoPackage keeps them in a small SQLite file beside it (``<store>.logins``, owner-only), a
PostGIS store in the table :data:`TABLE`. Each row: a name key, the failures in a row, the time
(seconds since the epoch) of the last one. A try is *reserved* before the password is checked —
the count is read, the wait decided and the count raised in one transaction — so parallel
guesses cannot all slip through before any is counted; a success deletes the row.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from spatial.errors import StoreError

TABLE = "spacemap_login_failures"
MAX_COUNT = 1000
"""Counts stop here (the wait has long reached its ceiling)."""
FORGET_AFTER_S = 24 * 3600
"""Counts older than a day are dropped when a try is reserved (guessed names cannot pile up)."""
DDL = (f"CREATE TABLE IF NOT EXISTS {TABLE} (name_key text PRIMARY KEY, failures integer NOT NULL, "
       "last_at double precision NOT NULL)")
WaitRule = Callable[[int, float, float], float]
"""``(failures, time of the last, now) -> seconds still to wait``."""


def sidecar(store_file: Path) -> Path:
    """The file beside a GeoPackage store that holds its failed-login counts."""
    store_file = Path(store_file)
    return store_file.with_name(store_file.name + ".logins")


@contextlib.contextmanager
def _sqlite(store_file: Path):
    path = sidecar(store_file)
    fresh = not path.exists()
    try:
        con = sqlite3.connect(path, timeout=10, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the login records beside the store: {exc}") from exc
    try:
        if fresh:
            os.chmod(path, 0o600)
        con.execute(DDL)
        con.execute("BEGIN IMMEDIATE")  # one writer at a time: the read and the raise are one step
        yield con
        con.execute("COMMIT")
    except sqlite3.Error as exc:
        raise StoreError(f"cannot use the login records beside the store: {exc}") from exc
    finally:
        con.close()


def _decide(row, key: str, at: float, wait_for: WaitRule) -> tuple[float, tuple | None]:
    """The wait, and the (failures, last_at) to store when the try is reserved (None: refused)."""
    count, last = (int(row[0]), float(row[1])) if row else (0, 0.0)
    wait = wait_for(count, last, at)
    return (wait, None) if wait > 0 else (0.0, (min(count + 1, MAX_COUNT), at))


def file_reserve(store_file: Path, key: str, at: float, wait_for: WaitRule) -> float:
    """Reserve a try for ``key`` beside a GeoPackage store: the seconds to wait (nothing counted),
    or 0 with the try counted as a failure until :func:`file_clear` says it succeeded."""
    with _sqlite(store_file) as con:
        con.execute(f"DELETE FROM {TABLE} WHERE last_at < ?", (at - FORGET_AFTER_S,))
        row = con.execute(f"SELECT failures, last_at FROM {TABLE} WHERE name_key = ?", (key,)).fetchone()
        wait, new = _decide(row, key, at, wait_for)
        if new is not None:
            con.execute(f"INSERT INTO {TABLE} (name_key, failures, last_at) VALUES (?, ?, ?) ON CONFLICT(name_key) "
                        "DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at", (key, *new))
    return wait


def file_failures(store_file: Path, key: str) -> tuple[int, float]:
    """``(failures in a row, time of the last)`` for ``key`` beside a GeoPackage store."""
    if not sidecar(store_file).exists():
        return 0, 0.0
    with _sqlite(store_file) as con:
        row = con.execute(f"SELECT failures, last_at FROM {TABLE} WHERE name_key = ?", (key,)).fetchone()
    return (int(row[0]), float(row[1])) if row else (0, 0.0)


def file_clear(store_file: Path, key: str) -> None:
    """A successful login: ``key`` starts again from no failures."""
    with _sqlite(store_file) as con:
        con.execute(f"DELETE FROM {TABLE} WHERE name_key = ?", (key,))


def db_reserve(url: str, key: str, at: float, wait_for: WaitRule) -> float:
    """As :func:`file_reserve` in a PostGIS store: one transaction holding a lock on the key."""
    from psycopg import sql

    from geodata.storage import pg

    table = sql.Identifier(TABLE)
    with pg.transaction(url) as con:
        con.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ("spacemap-login:" + key,))
        con.execute(sql.SQL("DELETE FROM {} WHERE last_at < %s").format(table), (at - FORGET_AFTER_S,))
        row = con.execute(sql.SQL("SELECT failures, last_at FROM {} WHERE name_key = %s").format(table),
                          (key,)).fetchone()
        wait, new = _decide(row, key, at, wait_for)
        if new is not None:
            con.execute(sql.SQL("INSERT INTO {} (name_key, failures, last_at) VALUES (%s, %s, %s) ON CONFLICT "
                                "(name_key) DO UPDATE SET failures = EXCLUDED.failures, last_at = EXCLUDED.last_at")
                        .format(table), (key, *new))
    return wait


def db_failures(url: str, key: str) -> tuple[int, float]:
    """``(failures in a row, time of the last)`` for ``key`` in a PostGIS store."""
    from psycopg import sql

    from geodata.storage import pg

    with pg.query(url) as con:
        row = con.execute(sql.SQL("SELECT failures, last_at FROM {} WHERE name_key = %s").format(
            sql.Identifier(TABLE)), (key,)).fetchone()
    return (int(row[0]), float(row[1])) if row else (0, 0.0)


def db_clear(url: str, key: str) -> None:
    """A successful login in a PostGIS store."""
    from psycopg import sql

    from geodata.storage import pg

    with pg.transaction(url) as con:
        con.execute(sql.SQL("DELETE FROM {} WHERE name_key = %s").format(sql.Identifier(TABLE)), (key,))
