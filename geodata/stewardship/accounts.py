"""Accounts: staff, editors and admins, kept in the store (the same on both backends).

Passwords are hashed with argon2id (``argon2-cffi``). Roles nest: an ``editor`` may do what
``staff`` may, an ``admin`` what an editor may. Every change to an account is written with an
audit entry (never the hash). Failed logins slow further tries for that name: after
:data:`FREE_TRIES` failures in a row it must wait 1 s, 2, 4 … up to 60 s; the counts live in
the store (see :mod:`geodata.storage.logins`), so they survive restarts and hold across app
processes, and unknown names are treated exactly like known ones. The editors of the older
editors file (or Streamlit secrets) are copied into the store once, as editors, with a note.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

import settings
from geodata.ingest.schema import is_blank
from geodata.stewardship.audit import audit_row, check_who
from geodata.storage import open_store
from spatial.errors import SpaceMapError

log = logging.getLogger("spacemap.accounts")

ROLES = ("staff", "editor", "admin")
"""The staff roles, each allowed what the ones before it are."""
OPERATOR = "operator"
"""A carrier operator: edits the units of its own carriers (the account's ``carriers``), nothing else."""
ALL_ROLES = (*ROLES, OPERATOR)
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
FREE_TRIES = 3
BASE_DELAY_S = 1.0
MAX_DELAY_S = 60.0
IDLE_TIMEOUT_S = 30 * 60
"""A logged-in session ends after this many seconds without a page run."""
NAME_RE = re.compile(r"^[\w.@-]{1,40}$")
_hasher = PasswordHasher()  # argon2id, the library's current RFC 9106 low-memory profile
PARALLEL_CHECKS = 2
_checks = threading.BoundedSemaphore(PARALLEL_CHECKS)
_DUMMY_HASH = _hasher.hash("timing-equaliser: verified for unknown names")


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login: the account (name, role) when it succeeded, else the seconds the
    name must still wait before the next try (0 when a try is allowed)."""

    account: dict | None
    wait_s: float = 0.0


def allows(role: str | None, needed: str) -> bool:
    """True when ``role`` may do what ``needed`` may (None: anonymous, allowed nothing). An operator
    may do what operators do (its own units); editors and admins may too, for every carrier."""
    if needed == OPERATOR:
        return role == OPERATOR or allows(role, "editor")
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def may_edit_units_of(account: dict | None, carrier_id) -> bool:
    """True when ``account`` may change the units of carrier ``carrier_id``: an editor or admin
    any, an operator only the carriers its account names."""
    if not account:
        return False
    if allows(account.get("role"), "editor"):
        return True
    return account.get("role") == OPERATOR and str(carrier_id) in set(account.get("carriers") or ())


def check_name(name) -> str:
    """An account name: 1–40 letters, digits or ``. _ - @`` (no spaces, no markup)."""
    name = str(name or "").strip()
    if not NAME_RE.match(name):
        raise SpaceMapError("an account name is 1–40 letters, digits or . _ - @ characters")
    return name


def check_role(role) -> str:
    if role not in ALL_ROLES:
        raise SpaceMapError(f"role must be one of {', '.join(ALL_ROLES)}, got {role!r}")
    return role


def carriers_list(value) -> list[str]:
    """An operator's carrier ids from ``a;b`` text or a list (blank: none)."""
    items = value if isinstance(value, (list, tuple)) else str(value or "").replace(",", ";").split(";")
    return sorted({str(i).strip() for i in items if str(i).strip()})


def check_password(password) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise SpaceMapError(f"the password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return password


def hash_password(password: str) -> str:
    """An argon2id hash (salted; the parameters are kept in the hash)."""
    return _hasher.hash(password)


def _verify_legacy(password: str, stored: str) -> bool:
    """The PBKDF2 hashes of the older editors file (``pbkdf2_sha256$iterations$salt$hash``)."""
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        actual = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), base64.b64decode(salt), int(iterations))
        return hmac.compare_digest(base64.b64decode(digest), actual)
    except (ValueError, TypeError):
        return False


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored`` (argon2id, or a migrated PBKDF2 hash); a missing or
    malformed hash never matches and costs the same time as a real check. At most
    :data:`PARALLEL_CHECKS` checks run at once (each takes 64 MiB): a crowd of guesses queues."""
    with _checks:
        if stored and stored.startswith("pbkdf2_sha256$"):
            _argon2_ok(password, _DUMMY_HASH)  # the same argon2 work as every other name
            return _verify_legacy(password, stored)
        return _argon2_ok(password, stored or _DUMMY_HASH) and bool(stored)


def _argon2_ok(password: str, stored: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def list_accounts(location=None) -> list[dict]:
    """Every account without its hash: name, role, disabled, created and changed (at, by), and the
    password ``epoch`` (a fingerprint of the hash, see :func:`_epoch`)."""
    table = open_store(location).read_layer("accounts")
    table = table.assign(epoch=[_epoch({"password_hash": h}) for h in table["password_hash"]])
    out = []
    for r in table.drop(columns=["password_hash"]).to_dict("records"):
        row = {k: (None if is_blank(v) else (v.item() if hasattr(v, "item") else v)) for k, v in r.items()}
        row["name"] = row.pop("id")
        row["disabled"] = bool(row.get("disabled"))
        row["carriers"] = carriers_list(row.get("carriers"))
        out.append(row)
    return out


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _change(name: str, *, by: str, action: str, location, update) -> dict:
    """Apply ``update(table, row_mask) -> table`` to the accounts and audit it, in one write."""
    by = check_who(by)
    store = open_store(location)
    with store.lock():
        table = store.read_layer("accounts")
        mask = table["id"].astype(str) == name
        shown = ["role", "disabled", "carriers"]
        before = table.loc[mask].reindex(columns=shown).to_dict("records")
        table = update(table, mask)
        after = table.loc[table["id"].astype(str) == name].reindex(columns=shown).to_dict("records")
        changes = {"account": name, "before": before[0] if before else None, "after": after[0] if after else None}
        audit = audit_row(store.read_layer("audit_log"), who=by, action=action, layer="accounts",
                          changes=json.dumps(changes, ensure_ascii=False, default=bool))
        store.replace_layers({"accounts": table, "audit_log": audit})
    return {"name": name, "audit_id": str(audit["id"].iloc[-1]), **(changes["after"] or {})}


def add_account(name, password, role: str, *, by: str, location=None, carriers=None) -> dict:
    """Create an account (an operator with the ids of the ``carriers`` it runs); :class:`SpaceMapError`
    when the name is taken or a value is invalid."""
    name, role, password = check_name(name), check_role(role), check_password(password)
    if name in {a["name"] for a in list_accounts(location)}:
        raise SpaceMapError(f"account {name} exists (change it with user role / user password / user enable)")
    row = {"id": name, "role": role, "password_hash": hash_password(password), "disabled": False,
           "created_at": _now(), "created_by": check_who(by),
           "carriers": ";".join(_known_carriers(carriers_list(carriers), location)) or None}

    def update(table, mask):
        if mask.any():
            raise SpaceMapError(f"account {name} exists")
        new = pd.DataFrame([row])
        return pd.concat([table, new], ignore_index=True) if len(table) else new
    return _change(name, by=by, action="user-add", location=location, update=update)


def _set(name, *, by: str, action: str, location, **values) -> dict:
    name = check_name(name)

    def update(table, mask):
        if not mask.any():
            raise SpaceMapError(f"no account {name}")
        table = table.copy()
        for column, value in {**values, "changed_at": _now(), "changed_by": check_who(by)}.items():
            table[column] = table[column].astype(object)
            table.loc[mask, column] = value
        return table
    return _change(name, by=by, action=action, location=location, update=update)


def set_disabled(name, disabled: bool, *, by: str, location=None) -> dict:
    """Disable an account (its sessions end at their next page) or enable it again."""
    return _set(name, by=by, action="user-disable" if disabled else "user-enable", location=location,
                disabled=bool(disabled))


def set_role(name, role: str, *, by: str, location=None) -> dict:
    """Give an account another role."""
    return _set(name, by=by, action="user-role", location=location, role=check_role(role))


def _known_carriers(ids: list[str], location) -> list[str]:
    """``ids`` when every one names a carrier in the store; :class:`SpaceMapError` naming those that do not."""
    if not ids:
        return ids
    from layers.catalogue import CARRIER_LAYERS
    store = open_store(location)
    found = {str(i) for k in CARRIER_LAYERS for i in store.read_layer(k, ids=ids)["id"]}
    missing = [i for i in ids if i not in found]
    if missing:
        raise SpaceMapError(f"no carrier {', '.join(missing)}")
    return ids


def set_carriers(name, carriers, *, by: str, location=None) -> dict:
    """Set the carriers an operator account runs (their ids)."""
    ids = _known_carriers(carriers_list(carriers), location)
    return _set(name, by=by, action="user-carriers", location=location, carriers=";".join(ids) or None)


def set_password(name, password, *, by: str, location=None) -> dict:
    """Set a new password (hashed; the audit entry records that it changed, never the hash)."""
    return _set(name, by=by, action="user-password", location=location, password_hash=hash_password(
        check_password(password)))


def _key(name) -> str:
    """The key failed logins are counted under: the name as typed, trimmed and case-folded."""
    return str(name or "").strip().casefold()[:200]


def wait_after(count: int, last: float, now: float) -> float:
    """Seconds still to wait after ``count`` failures in a row, the last at ``last``: none for the
    first :data:`FREE_TRIES`, then 1 s, 2, 4 … never more than :data:`MAX_DELAY_S` after the last."""
    if count < FREE_TRIES:
        return 0.0
    delay = min(BASE_DELAY_S * 2.0 ** min(count - FREE_TRIES, 16), MAX_DELAY_S)
    return max(0.0, last + delay - now)


def wait_before_next_try(name, *, location=None, now: float | None = None) -> float:
    """Seconds ``name`` must still wait after failed logins (0 when it may try)."""
    count, last = open_store(location).login_failures(_key(name))
    return wait_after(count, last, time.time() if now is None else now)


def _epoch(row) -> str:
    """A fingerprint of the account's password hash (never the hash): it changes with every new
    password, so a session that logged in before is ended, even within the same second."""
    return hashlib.sha256(str(row.get("password_hash") or "").encode()).hexdigest()[:16]


def login(name, password, *, location=None, now: float | None = None) -> LoginResult:
    """Check a login. The try is reserved first (refused without checking while the name must
    wait; counted as a failure until it succeeds, so parallel guesses are counted too); the password
    is verified against a dummy hash for unknown or disabled names (the same work, the same answer);
    a success clears the count, and a hash of the older editors file is replaced by argon2id."""
    now = time.time() if now is None else now
    store = open_store(location)
    wait = store.reserve_login(_key(name), now, wait_after)
    if wait > 0:
        return LoginResult(None, wait)
    table = store.read_layer("accounts")
    row = table.loc[table["id"].astype(str) == str(name or "").strip()]
    usable = len(row) == 1 and not bool(row["disabled"].iloc[0])
    stored = row["password_hash"].iloc[0] if usable else None
    ok = verify_password(str(password or "")[:MAX_PASSWORD], stored)
    if not ok:
        return LoginResult(None, wait_before_next_try(name, location=location, now=now))
    store.clear_login(_key(name))
    account_name = str(row["id"].iloc[0])
    if str(stored).startswith("pbkdf2_sha256$"):
        set_password(account_name, str(password), by=account_name, location=location)
        log.warning("account %s: its older PBKDF2 hash was replaced by argon2id at login", account_name)
        return login_done(account_name, location)
    return LoginResult({"name": account_name, "role": str(row["role"].iloc[0]),
                        "epoch": _epoch(row.iloc[0].to_dict()), "carriers": carriers_list(row["carriers"].iloc[0])})


def login_done(name: str, location=None) -> LoginResult:
    """The account (name, role, password epoch) of a login that succeeded."""
    current = account(name, location)
    return LoginResult(current) if current else LoginResult(None, 0.0)


def account(name, location=None) -> dict | None:
    """The enabled account called ``name`` (name, role, password epoch), or None (unknown or disabled)."""
    for a in list_accounts(location):
        if a["name"] == name and not a["disabled"]:
            return {"name": a["name"], "role": a["role"], "epoch": a["epoch"], "carriers": a["carriers"]}
    return None


def migrate_editors_file(location=None, secrets_editors: dict | None = None) -> list[str]:
    """Copy the editors of the older editors file (``$SPACEMAP_EDITORS``) and of Streamlit secrets
    into the store as editors, once (names already in the store are left alone), keeping their
    PBKDF2 hashes (they still log in). Returns one note per account copied."""
    legacy: dict[str, str] = {}
    path = settings.editors_file()
    if path.is_file():
        try:
            legacy.update({str(k): str(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()})
        except (OSError, ValueError, AttributeError) as exc:
            raise SpaceMapError(f"cannot read the editors file {path.name}: {exc}") from exc
    legacy.update({str(k): str(v) for k, v in (secrets_editors or {}).items()})
    known = {a["name"] for a in list_accounts(location)}
    notes = []
    for name, stored in legacy.items():
        if name in known or not NAME_RE.match(name):
            continue

        def update(table, mask, name=name, stored=stored):
            new = pd.DataFrame([{"id": name, "role": "editor", "password_hash": stored, "disabled": False,
                                 "created_at": _now(), "created_by": "editors-file"}])
            return pd.concat([table, new], ignore_index=True) if len(table) else new
        _change(name, by="editors-file", action="user-add", location=location, update=update)
        notes.append(f"editor {name} copied from the editors file into the store's accounts; "
                     "the file is no longer needed")
        log.warning(notes[-1])
    return notes
