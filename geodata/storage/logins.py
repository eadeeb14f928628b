"""Failed-login counts, kept with the store so they survive restarts and hold across app
processes, but outside the store's revision: counting a failed login never rewrites the
inventory nor empties the pages' caches (an attacker's guesses cost the other visitors nothing).

A GeoPackage keeps them in a small SQLite file beside it (``<store>.logins``, owner-only), a
PostGIS store in the table :data:`TABLE`. Each row: a name key, the failures in a row, the time
(seconds since the epoch) of the last one. A success deletes the row.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from spatial.errors import StoreError

TABLE = "spacemap_login_failures"
FORGET_AFTER_S = 24 * 3600
"""Counts older than a day are dropped when a failure is counted (guessed names cannot pile up)."""
DDL = f"CREATE TABLE IF NOT EXISTS {TABLE} (name_key text PRIMARY KEY, failures integer NOT NULL, last_at double precision NOT NULL)"


def sidecar(store_file: Path) -> Path:
    """The file beside a GeoPackage store that holds its failed-login counts."""
    store_file = Path(store_file)
    return store_file.with_name(store_file.name + ".logins")


@contextlib.contextmanager
def _sqlite(store_file: Path):
    path = sidecar(store_file)
    fresh = not path.exists()
    try:
        con = sqlite3.connect(path, timeout=10)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the login records beside the store: {exc}") from exc
    try:
        if fresh:
            os.chmod(path, 0o600)
        with con:
            con.execute(DDL)
            yield con
    except sqlite3.Error as exc:
        raise StoreError(f"cannot use the login records beside the store: {exc}") from exc
    finally:
        con.close()


def file_failures(store_file: Path, key: str) -> tuple[int, float]:
    """``(failures in a row, time of the last)`` for ``key`` beside a GeoPackage store."""
    if not sidecar(store_file).exists():
        return 0, 0.0
    with _sqlite(store_file) as con:
        row = con.execute(f"SELECT failures, last_at FROM {TABLE} WHERE name_key = ?", (key,)).fetchone()
    return (int(row[0]), float(row[1])) if row else (0, 0.0)


def file_note(store_file: Path, key: str, ok: bool, at: float) -> None:
    """Record a login attempt for ``key`` beside a GeoPackage store."""
    with _sqlite(store_file) as con:
        if ok:
            con.execute(f"DELETE FROM {TABLE} WHERE name_key = ?", (key,))
        else:
            con.execute(f"DELETE FROM {TABLE} WHERE last_at < ?", (at - FORGET_AFTER_S,))
            con.execute(f"INSERT INTO {TABLE} (name_key, failures, last_at) VALUES (?, 1, ?) ON CONFLICT(name_key) "
                        "DO UPDATE SET failures = failures + 1, last_at = excluded.last_at", (key, at))


def db_failures(url: str, key: str) -> tuple[int, float]:
    """``(failures in a row, time of the last)`` for ``key`` in a PostGIS store."""
    from psycopg import sql

    from geodata.storage import pg

    with pg.query(url) as con:
        row = con.execute(sql.SQL("SELECT failures, last_at FROM {} WHERE name_key = %s").format(
            sql.Identifier(TABLE)), (key,)).fetchone()
    return (int(row[0]), float(row[1])) if row else (0, 0.0)


def db_note(url: str, key: str, ok: bool, at: float) -> None:
    """Record a login attempt for ``key`` in a PostGIS store (one statement, no revision bump)."""
    from psycopg import sql

    from geodata.storage import pg

    with pg.transaction(url) as con:
        if ok:
            con.execute(sql.SQL("DELETE FROM {} WHERE name_key = %s").format(sql.Identifier(TABLE)), (key,))
        else:
            con.execute(sql.SQL("DELETE FROM {} WHERE last_at < %s").format(sql.Identifier(TABLE)),
                        (at - FORGET_AFTER_S,))
            con.execute(sql.SQL("INSERT INTO {} (name_key, failures, last_at) VALUES (%s, 1, %s) ON CONFLICT "
                                "(name_key) DO UPDATE SET failures = {}.failures + 1, last_at = EXCLUDED.last_at")
                        .format(sql.Identifier(TABLE), sql.Identifier(TABLE)), (key, at))
