"""Cached access to the store for the pages (the only place pages get data from)."""
from __future__ import annotations


import threading
import weakref

import streamlit as st

from geodata.reports.overview import layer_overview
from geodata.reports.inventory import store_snapshot
from geodata.storage import store_version
from geodata.ingest.validate import validate_frames


def _store_version() -> tuple[str, int]:
    return store_version()


def frames():
    """Every layer from the store: the process's one copy (shared by every session, read-only), brought
    up to date when the store's revision changes by reading only the rows written since
    (:func:`geodata.reports.inventory.store_snapshot`)."""
    return store_snapshot(*_store_version())[0]


@st.cache_data(show_spinner=False, max_entries=4)
def _overview(path: str, mtime: int):
    data = store_snapshot(path, mtime)[0]
    return layer_overview(data), [p.as_dict() for p in validate_frames(data)]


def overview() -> tuple[list[dict], list[dict]]:
    """The per-layer overview rows and the validation problems (as dicts)."""
    return _overview(*_store_version())


def store():
    """The store's location for writing (a file path or a database URL)."""
    from geodata.storage import as_location

    return as_location(_store_version()[0])


def keeps_backups() -> bool:
    """True when every commit first copies the store aside (a file); a database keeps its own backups."""
    from geodata.storage import open_store

    return open_store(store()).keeps_backups


def store_kind() -> str:
    """``gpkg`` or ``postgis``, for saying what kind of store it is (never its path)."""
    from geodata.storage import open_store

    return open_store(store()).kind


def store_location() -> str:
    """The store's location, for display (a database URL without its password)."""
    from geodata.storage import describe_store

    return describe_store(store())


_HELD_PER_SCOPE = 8
_scoped: dict = {}
_scoped_lock = threading.Lock()


def _per_scope(what: str, path: str, scope: str, source, build):
    """One ``what`` per store and scope in the process, built from ``source`` (the snapshot's carriers
    or the scope's: a new object only when the store changed) and rebuilt only when it is a new one.
    The source is held weakly and its value dropped with it: an old copy never outlives the snapshot
    it came from. A few stores at most (tests open many)."""
    key = (what, path, scope)
    with _scoped_lock:
        held = _scoped.get(key)
        if held is None or held[0]() is not source:
            _scoped.pop(key, None)

            def forget_with(ref, key=key, scoped=_scoped):  # bound now: at interpreter exit globals are gone
                if scoped.get(key, (None,))[0] is ref:
                    scoped.pop(key, None)

            _scoped[key] = held = (weakref.ref(source, forget_with), build())
            for old in list(_scoped)[:-_HELD_PER_SCOPE]:
                _scoped.pop(old, None)
        return held[1]


def _carriers(path: str, mtime: int, scope: str):
    from spatial.scope import in_scope

    frames, every = store_snapshot(path, mtime)
    if scope == "shenzhen":
        return every
    return _per_scope("carriers", path, scope, every, lambda: every.loc[in_scope(every, frames["district"], scope)
                                                                        ].reset_index(drop=True))


def scope() -> str:
    """The session's scope: 'futian' or 'shenzhen' (the sidebar switch)."""
    from views.chrome import current_scope

    return current_scope()


def carriers():
    """The carriers of the session's scope in one frame with subdistrict / cluster / Hetao membership:
    one shared, read-only frame per scope in the process, made again only when the store changed."""
    return _carriers(*_store_version(), scope())


def candidates():
    """The carriers of the session's scope as matching arrays (one shared, read-only object per scope,
    made again only when the store changed)."""
    from spatial.match import candidate_arrays

    path, revision = _store_version()
    mine = _carriers(path, revision, scope())
    return _per_scope("candidates", path, scope(), mine, lambda: candidate_arrays(mine))


def today():
    """The date "now" means on the pages: ``$SPACEMAP_TODAY`` (YYYY-MM-DD, for reproducible
    screenshots and tests) or the real date."""
    import settings

    return settings.today()


@st.cache_data(show_spinner=False, max_entries=16)
def _progress(path: str, mtime: int, today_iso: str, what_if: tuple[str, ...] | None, external: bool = True):
    from datetime import date

    from geodata.reports.planning import progress_report
    from spatial.progress import counted_at, cumulative_chart_data

    frames, carriers = store_snapshot(path, mtime)
    day = date.fromisoformat(today_iso)
    summary, ledger = progress_report(frames, carriers, today=day, what_if=None if what_if is None else list(what_if),
                                      external=external)
    tables = {k: frames[k] for k in ("incubation_reports", "targets", "planned_additions")}
    chart = cumulative_chart_data(summary, ledger, tables["incubation_reports"], tables["targets"], today=day)
    return {"summary": summary, "ledger": ledger.assign(counting_now_m2=counted_at(ledger)), "chart": chart,
            **tables}


def progress(what_if: tuple[str, ...] | None = None, external: bool = True) -> dict:
    """What the progress page shows, cached: ``summary`` and ``ledger`` (see
    geodata.reports.planning.progress_report; the ledger with ``counting_now_m2``), ``chart`` (the
    chart's long table) and the ``incubation_reports``, ``targets`` and ``planned_additions`` tables."""
    return _progress(*_store_version(), today().isoformat(), what_if, external)


@st.cache_data(show_spinner=False, max_entries=64)
def _tally(path: str, mtime: int, kind: str, land: str, stated: str, scope: str, external: bool = True):
    from geodata.reports.planning import tally_report
    from geodata.storage import as_location

    frames, carriers = store_snapshot(path, mtime)
    return tally_report(kind, carriers, frames, land=land, stated=stated, scope=scope, location=as_location(path),
                        external=external)


def tally(kind: str, *, land: str = "apportion", stated: str = "centroid", external: bool = True) -> dict:
    """The tally of the session's scope by ``kind`` (see geodata.reports.planning.tally_report; on PostGIS
    the spatial kinds run in the database; ``external`` false: seed documents' figures only), cached."""
    return _tally(*_store_version(), kind, land, stated, scope(), external)


def forget() -> None:
    """Drop cached data after the store changed (the cache keys on the file's mtime as well)."""
    st.cache_data.clear()


# ---- stewardship: the pages write only through these (bound to the session's store) -----------

def _changed(result):
    """After a write: drop this process's cached reads, so the page shows the change at once
    (other processes see it on their next run: their caches key on the store's revision)."""
    forget()
    return result


IDLE_TIMEOUT_S = 30 * 60
"""Seconds without a page run after which a logged-in session ends (as accounts.IDLE_TIMEOUT_S)."""


def allows(role: str | None, needed: str) -> bool:
    """Whether ``role`` (None: anonymous) may do what role ``needed`` may."""
    from geodata.stewardship.accounts import allows as check

    return check(role, needed)


def login(name: str, password: str):
    """Check a login against the store's accounts (a :class:`geodata.stewardship.accounts.LoginResult`;
    failures slow further tries for that name, across processes and restarts). The editors of an
    older editors file or ``[editors]`` secrets are copied into the store first (once, logged)."""
    import settings
    from geodata.stewardship.accounts import login as check, migrate_editors_file

    if store() not in _migrated:  # the older editors file: copied once per process and store
        if migrate_editors_file(store(), settings.secret_editors()):
            _accounts.clear()
        _migrated.add(store())
    result = check(name, password, location=store())
    if result.account:
        _accounts.clear()  # a legacy hash may have been replaced: read the accounts again (only them: the
        # other cached pages key on the store's revision, which a rehash changes anyway)
    return result


_migrated: set = set()


@st.cache_data(show_spinner=False, max_entries=4)
def _accounts(path: str, mtime: int) -> list[dict]:
    from geodata.stewardship.accounts import list_accounts
    from geodata.storage import as_location

    return list_accounts(as_location(path))


def account(name: str) -> dict | None:
    """The enabled account called ``name`` (name, role), or None; cached per store revision."""
    for a in _accounts(*_store_version()):
        if a["name"] == name and not a["disabled"]:
            return {"name": a["name"], "role": a["role"], "epoch": a["epoch"], "carriers": a.get("carriers", [])}
    return None


def accounts() -> list[dict]:
    """Every account without its hash (admins only: the page decides who sees it)."""
    return _accounts(*_store_version())


def change_account(action: str, name: str, *, who: str, role: str | None = None, password: str | None = None,
                   carriers=None) -> dict:
    """``add`` (with role, password and, for an operator, its carriers), ``disable``, ``enable``, ``role``,
    ``carriers`` or ``password`` an account, audited."""
    from geodata.stewardship import accounts as acc

    location = store()
    if action == "add":
        return _changed(acc.add_account(name, password, role, by=who, location=location,
                                        carriers=carriers if role == "operator" else None))
    if action == "carriers":
        return _changed(acc.set_carriers(name, carriers or [], by=who, location=location))
    if action in ("disable", "enable"):
        return _changed(acc.set_disabled(name, action == "disable", by=who, location=location))
    if action == "role":
        return _changed(acc.set_role(name, role, by=who, location=location))
    return _changed(acc.set_password(name, password, by=who, location=location))


def carrier_names(lang: str) -> dict[str, str]:
    """Every carrier's id → name in ``lang`` (for picking an operator's carriers)."""
    from messages import name_column

    frame = carriers()
    return dict(zip(frame["id"].astype(str), frame[name_column(lang)]))


def crs_choices() -> tuple[str, ...]:
    """The coordinate systems an uploaded file may be in."""
    from geodata.ingest.importer import CRS_CHOICES

    return tuple(CRS_CHOICES)


def plan_upload(name: str, content: bytes, layer: str, *, crs: str, by: str | None = None):
    """Check an uploaded file against the store: an :class:`geodata.ingest.importer.ImportPlan`
    (nothing written). The upload is copied to a private temporary folder for the readers and
    removed when the plan is made, also when it fails: the plan keeps what the commit needs
    (the file's name and SHA-256, the rows)."""
    import tempfile
    from pathlib import Path

    from geodata.ingest.importer import plan_import as plan
    from geodata.ingest.readers import ImportReadError, check_file_name

    check_file_name(name)
    with tempfile.TemporaryDirectory(prefix="spacemap-upload-") as folder:
        path = Path(folder) / Path(name).name
        try:
            path.write_bytes(content)
        except OSError as exc:  # e.g. a name within the limit in characters but too long in bytes
            raise ImportReadError(f"{path.name[:40]}: cannot keep the upload for checking: {exc.strerror}") from exc
        if layer == "enterprise_years":  # an editor's account imports them; enterprises placed in the plan
            from geodata.stewardship.economy import plan_economy_import

            return plan_economy_import(path, by=by, location=store(), crs=crs)
        return plan(path, layer, frames(), crs=crs)


def commit_import(plan, *, who: str) -> dict:
    """Write a plan's accepted rows (backup, audit, all or nothing)."""
    from geodata.stewardship.commits import commit_import as commit

    return _changed(commit(plan, who=who, path=store()))


def edit_fields(carrier_id: str, values: dict, *, reason: str, who: str, expected_version: int | None) -> dict:
    """Correct fields of one carrier with a reason (audited, undoable; conflicts refused)."""
    from geodata.stewardship.commits import edit_fields as edit

    return _changed(edit(carrier_id, values, reason=reason, who=who, path=store(), expected_version=expected_version))


def undo_last(*, who: str) -> dict:
    """Reverse the most recent import or edit not yet undone."""
    from geodata.stewardship.commits import undo_last as undo

    return _changed(undo(who=who, path=store()))


def audit_entries() -> list[dict]:
    """The audit log, newest last (staff only: the page decides who sees it)."""
    from geodata.stewardship.commits import audit_entries as entries

    return entries(store())


def set_goal(goal_m2: float, year: int, *, who: str, reason: str) -> dict:
    """Record a planners' goal (kept with who, when and why; history kept; audited)."""
    from geodata.stewardship.goals import set_goal as record

    return _changed(record(goal_m2, year, set_by=who, reason=reason, path=store()))


def undo_goal(*, who: str) -> dict:
    """Withdraw the latest goal change (audited)."""
    from geodata.stewardship.goals import undo_goal as undo

    return _changed(undo(who=who, path=store()))


def save_need(name: str, need, *, who: str, source: str | None = None) -> str:
    """Save a need to the demand pool (``source``: where it was entered; audited); its id."""
    from geodata.stewardship.pool import save_need as save

    return _changed(save(name, need, who=who, location=store(), source=source))


def delete_needs(ids, *, who: str) -> dict:
    """Remove needs from the demand pool (audited, undoable)."""
    from geodata.stewardship.pool import delete_needs as delete

    return _changed(delete(ids, who=who, location=store()))


def undo_pool_change(*, who: str) -> dict:
    """Reverse the latest change to the demand pool (audited)."""
    from geodata.stewardship.pool import undo_pool_change as undo

    return _changed(undo(who=who, location=store()))


def pool_needs():
    """The demand pool's saved needs."""
    from geodata.stewardship.pool import pool_needs as needs

    return needs(store())


# ---- the city map (issue 12): a cache key for what a page builds from the store's data ----------

def revision() -> tuple[str, int]:
    """The store's location and revision: changes whenever the data do (a cache key for drawings
    built from :func:`carriers`, such as the city map's deck)."""
    return _store_version()
