"""Every setting of the application, read in one place.

Each setting is a function that reads the environment (or the secrets file) when it is
called, so a test or a deployment that changes a variable is seen at once. Nothing else in
the code base reads ``os.environ`` or Streamlit secrets. An empty variable counts as unset.

=========================  ===============================================================
variable                   meaning (default)
=========================  ===============================================================
``SPACEMAP_DB_URL``        ``postgresql://user@host:port/database``: the store is that
                           PostGIS database (unset: the GeoPackage below)
``SPACEMAP_STORE``         path of the embedded GeoPackage store (``data/spacemap.gpkg``)
``SPACEMAP_EDITORS``       editor accounts file, salted hashes
                           (``~/.config/spacemap/editors.json``)
``SPACEMAP_TODAY``         the date "now" means on the pages, ``YYYY-MM-DD`` (today)
``SPACEMAP_DEBUG``         ``1``: the CLI shows tracebacks instead of one-line errors
``SPACEMAP_PAGE_SLOTS``    page runs one app process works on at once; more visitors wait
                           in line with a notice, staff first (2)
``TIANDITU_KEY``           Tianditu base-map key (also in secrets; unset: no Tianditu)
``PORT``                   port of ``scripts/start.sh`` (8501)
=========================  ===============================================================

Secrets (``TIANDITU_KEY``, an ``[editors]`` table of hashes) are read from Streamlit's
``.streamlit/secrets.toml`` in the working directory and ``~/.streamlit/secrets.toml``
(the working directory's wins), the files Streamlit itself reads; they are never committed.
"""
from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent
DEFAULT_STORE = REPO_ROOT / "data" / "spacemap.gpkg"
"""The embedded store when ``SPACEMAP_STORE`` is unset (git-ignored)."""
DEFAULT_EDITORS = "~/.config/spacemap/editors.json"
DEFAULT_PORT = 8501
DB_SCHEMES = ("postgresql://", "postgres://")


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def db_url() -> str | None:
    """``SPACEMAP_DB_URL``: the PostGIS store's URL, or None for the embedded GeoPackage.

    Raises
    ------
    ValueError
        If it is set but not a ``postgresql://`` URL.
    """
    url = _env("SPACEMAP_DB_URL")
    if url is not None and not url.startswith(DB_SCHEMES):
        raise ValueError("SPACEMAP_DB_URL must be a postgresql:// URL")
    return url


def store_file() -> Path:
    """``SPACEMAP_STORE``: the GeoPackage store's path (default :data:`DEFAULT_STORE`)."""
    value = _env("SPACEMAP_STORE")
    return Path(value).expanduser() if value else DEFAULT_STORE


def editors_file() -> Path:
    """``SPACEMAP_EDITORS``: where editor hashes are kept when not in the secrets."""
    return Path(_env("SPACEMAP_EDITORS") or DEFAULT_EDITORS).expanduser()


def today() -> date:
    """``SPACEMAP_TODAY`` (``YYYY-MM-DD``, for reproducible screenshots and tests) or the real date.

    Raises
    ------
    ValueError
        If it is set but not a date.
    """
    fixed = _env("SPACEMAP_TODAY")
    return date.fromisoformat(fixed) if fixed else date.today()


def debug() -> bool:
    """``SPACEMAP_DEBUG``: show tracebacks in the CLI instead of one-line errors (unset, ``0``,
    ``false``, ``no`` or ``off``: one-line errors)."""
    return (_env("SPACEMAP_DEBUG") or "0").lower() not in ("0", "false", "no", "off")


def behind_proxy() -> bool:
    """``SPACEMAP_BEHIND_PROXY``: the app is reached only through our nginx (``scripts/serve_many.sh``
    sets it), which writes the visitor's address in ``X-Real-IP``; only then is that header believed
    (per-address limits of public enquiries). Unset: the websocket's own peer address."""
    return (_env("SPACEMAP_BEHIND_PROXY") or "0").lower() not in ("0", "false", "no", "off")


DEFAULT_PAGE_SLOTS = 2


def page_slots() -> int:
    """``SPACEMAP_PAGE_SLOTS``: how many page runs one app process works on at once (default 2); more
    visitors wait in line (views.admission). Not a positive whole number: the default."""
    value = _env("SPACEMAP_PAGE_SLOTS") or ""
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_PAGE_SLOTS


def port() -> int:
    """``PORT``: the app's port for ``scripts/start.sh`` and ``cli.py serve`` (default 8501).

    Raises
    ------
    ValueError
        If it is set but not a port number.
    """
    value = _env("PORT")
    if not value:
        return DEFAULT_PORT
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ValueError(f"PORT must be a port number (1-65535), got {value!r}")
    return int(value)


def secrets() -> dict:
    """Streamlit's secrets files merged (the working directory's over the user's); {} when
    there are none or they cannot be read (browsing must never break on a bad secrets file)."""
    merged: dict = {}
    for path in (Path("~/.streamlit/secrets.toml").expanduser(), Path.cwd() / ".streamlit" / "secrets.toml"):
        try:
            with path.open("rb") as handle:
                merged.update(tomllib.load(handle))
        except (OSError, tomllib.TOMLDecodeError):
            continue
    return merged


def tianditu_key() -> str | None:
    """``TIANDITU_KEY`` from the secrets, else the environment; None when neither has one."""
    key = secrets().get("TIANDITU_KEY")
    return str(key).strip() if key and str(key).strip() else _env("TIANDITU_KEY")


def secret_editors() -> dict[str, str]:
    """The ``[editors]`` table of the secrets (name → hash), or {}."""
    table = secrets().get("editors", {})
    return {str(k): str(v) for k, v in table.items()} if isinstance(table, dict) else {}


def disclosure_rule() -> tuple[int, float]:
    """The public indicators' disclosure rule: ``SPACEMAP_DISCLOSURE_MIN_ENTERPRISES`` (default 3: a cell
    built from fewer is suppressed) and ``SPACEMAP_DISCLOSURE_DOMINANCE`` (default 0.8: a cell in which one
    enterprise holds more than this share of the total is suppressed).

    Raises
    ------
    ValueError
        A value that is not a number, a minimum below 1 or a share outside (0, 1].
    """
    minimum = int(_env("SPACEMAP_DISCLOSURE_MIN_ENTERPRISES") or "3")
    share = float(_env("SPACEMAP_DISCLOSURE_DOMINANCE") or "0.8")
    if minimum < 1 or not 0 < share <= 1:
        raise ValueError(f"disclosure rule out of range: at least {minimum} enterprises, dominance {share}")
    return minimum, share
