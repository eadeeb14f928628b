"""A throw-away PostgreSQL + PostGIS cluster on loopback, for the tests and benchmarks.

Uses Debian's ``postgresql`` and ``postgresql-postgis`` packages (``scripts/system_deps.sh
postgis`` installs them). The cluster lives in a temporary folder, listens on 127.0.0.1 on
a free port (and a Unix socket in the same folder), trusts local connections and is stopped
and deleted by :meth:`Cluster.stop`. When run as root the server runs as the ``postgres``
user (PostgreSQL refuses to run as root).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "spacemap"


def bin_dir() -> Path:
    """The newest installed PostgreSQL server's bin folder."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL server not installed: run `bash scripts/system_deps.sh postgis`")
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """One PostgreSQL server in a temporary folder (``durable=False``: fsync off, for tests)."""

    def __init__(self, root: Path | None = None, *, durable: bool = False):
        self.root = Path(root or tempfile.mkdtemp(prefix="spacemap-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.durable = durable
        self.bin = bin_dir()

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, text=True)

    def start(self) -> "Cluster":
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        options = [f"-p {self.port}", "-c listen_addresses=127.0.0.1", f"-k {self.root}",
                   "-c max_connections=200", "-c shared_buffers=256MB", "-c work_mem=64MB",
                   "-c max_parallel_workers_per_gather=2", "-c jit=off"]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                  "-o", " ".join(options), "start")
        return self

    def url(self, db: str = "postgres") -> str:
        """A connection URL for database ``db``."""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{db}"

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create a database (optionally a copy of ``template``) and return its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)
