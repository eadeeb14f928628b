"""Editor accounts: salted PBKDF2-SHA256 hashes in Streamlit secrets (``[editors]`` table:
name = "hash") or a JSON file outside git (``$SPACEMAP_EDITORS``, default
``~/.config/spacemap/editors.json``). There is no default account or password; repeated
failures for a name slow further attempts down."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from pathlib import Path

import settings
from spatial.errors import SpaceMapError

ITERATIONS = 240_000
MIN_PASSWORD = 10
BASE_DELAY_S = 1.0
MAX_DELAY_S = 60.0

_failures: dict[str, tuple[int, float]] = {}  # name -> (consecutive failures, time of the last)
_lock = threading.Lock()


def editors_file() -> Path:
    """Where editor hashes are kept when not in Streamlit secrets (:func:`settings.editors_file`)."""
    return settings.editors_file()


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """``pbkdf2_sha256$iterations$salt$hash`` (base64), never the password itself."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return "$".join(["pbkdf2_sha256", str(iterations), base64.b64encode(salt).decode(),
                     base64.b64encode(digest).decode()])


def verify_password(password: str, stored: str) -> bool:
    """Compare in constant time; a malformed hash never matches."""
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), base64.b64decode(salt), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(expected, actual)


def load_editors(secrets_editors: dict | None = None) -> dict[str, str]:
    """Name → hash from secrets (when given) merged over the editors file."""
    editors: dict[str, str] = {}
    path = editors_file()
    if path.is_file():
        try:
            editors.update({str(k): str(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()})
        except (OSError, ValueError, AttributeError) as exc:
            raise SpaceMapError(f"cannot read the editors file {path}: {exc}") from exc
    editors.update({str(k): str(v) for k, v in (secrets_editors or {}).items()})
    return editors


def add_editor(name: str, password: str) -> Path:
    """Add or replace an editor in the editors file (created with owner-only permissions)."""
    if not name.strip():
        raise SpaceMapError("an editor needs a name")
    if len(password) < MIN_PASSWORD:
        raise SpaceMapError(f"the password needs at least {MIN_PASSWORD} characters")
    path = editors_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    current = load_editors()
    current[name.strip()] = hash_password(password)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(current, indent=2), encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def wait_before_next_try(name: str, *, now: float | None = None) -> float:
    """Seconds ``name`` must still wait after earlier failures (0 when it may try)."""
    now = time.monotonic() if now is None else now
    with _lock:
        count, last = _failures.get(name, (0, 0.0))
    if count < 3:
        return 0.0
    delay = min(BASE_DELAY_S * 2 ** (count - 3), MAX_DELAY_S)
    return max(0.0, last + delay - now)


def check_login(name: str, password: str, editors: dict[str, str], *, now: float | None = None) -> bool:
    """True for a known editor with the right password. After three failures in a row a
    name must wait 1 s, then 2, 4, … up to 60 s between tries (refused while waiting)."""
    now = time.monotonic() if now is None else now
    if wait_before_next_try(name, now=now) > 0:
        return False
    stored = editors.get(name)
    ok = stored is not None and verify_password(password, stored)
    if stored is None:
        verify_password(password, hash_password("timing-equaliser", iterations=ITERATIONS))
    with _lock:
        if ok:
            _failures.pop(name, None)
        else:
            count, _ = _failures.get(name, (0, 0.0))
            _failures[name] = (count + 1, now)
    return ok
