"""Accounts in the store (both backends): argon2id hashes, roles, audited changes, failed-login
slow-down kept in the store, the older editors file migrated once, and ``--by`` checked."""
import json

import pytest

from geodata.stewardship import accounts
from geodata.stewardship.audit import check_who
from geodata.storage import open_store
from spatial.errors import SpaceMapError

SECRET = "a long enough secret"


def _who(result) -> dict | None:
    """The name and role of a login's account (None when refused)."""
    return None if result.account is None else {k: result.account[k] for k in ("name", "role")}


def _audit(location):
    return open_store(location).read_layer("audit_log")


def test_add_account__argon2id_hash_never_the_password_and_audited(store_copy):
    accounts.add_account("li", SECRET, "staff", by="admin-wu", location=store_copy)
    stored = open_store(store_copy).read_layer("accounts")
    assert stored["password_hash"].iloc[0].startswith("$argon2id$") and SECRET not in stored.to_csv()
    listed = accounts.list_accounts(store_copy)
    assert listed == [{"name": "li", "role": "staff", "disabled": False, "created_at": listed[0]["created_at"],
                       "created_by": "admin-wu", "changed_at": None, "changed_by": None, "epoch": listed[0]["epoch"],
                       "carriers": []}]
    assert len(listed[0]["epoch"]) == 16 and listed[0]["epoch"] not in stored["password_hash"].iloc[0]
    entry = _audit(store_copy).iloc[-1]
    assert (entry["who"], entry["action"], entry["layer"]) == ("admin-wu", "user-add", "accounts")
    assert "argon2" not in entry["changes"] and json.loads(entry["changes"])["after"]["role"] == "staff"


@pytest.mark.parametrize("name, password, role, message", [
    ("", SECRET, "staff", "account name"), ("has space", SECRET, "staff", "account name"),
    ("<b>x</b>", SECRET, "staff", "account name"), ("li", "short", "staff", "10 to 1024"),
    ("li", SECRET, "root", "role must be one of"),
])
def test_add_account__invalid_values_refused_and_nothing_written(store_copy, name, password, role, message):
    with pytest.raises(SpaceMapError, match=message):
        accounts.add_account(name, password, role, by="admin", location=store_copy)
    assert accounts.list_accounts(store_copy) == []


def test_add_account__existing_name_refused(store_copy):
    accounts.add_account("li", SECRET, "staff", by="admin", location=store_copy)
    with pytest.raises(SpaceMapError, match="exists"):
        accounts.add_account("li", "another long secret", "admin", by="admin", location=store_copy)
    assert accounts.list_accounts(store_copy)[0]["role"] == "staff"


def test_login__right_password_only_and_not_when_disabled(store_copy):
    accounts.add_account("li", SECRET, "editor", by="admin", location=store_copy)
    assert _who(accounts.login("li", SECRET, location=store_copy)) == {"name": "li", "role": "editor"}
    assert accounts.login("li", "wrong password", location=store_copy).account is None
    accounts.set_disabled("li", True, by="admin", location=store_copy)
    assert accounts.login("li", SECRET, location=store_copy).account is None
    assert accounts.account("li", store_copy) is None
    accounts.set_disabled("li", False, by="admin", location=store_copy)
    accounts.set_role("li", "admin", by="admin", location=store_copy)
    assert _who(accounts.login("li", SECRET, location=store_copy)) == {"name": "li", "role": "admin"}
    assert [a for a in _audit(store_copy)["action"]] == ["user-add", "user-disable", "user-enable", "user-role"]


def test_login__known_and_unknown_names_do_the_same_work(store_copy, monkeypatch):
    accounts.add_account("li", SECRET, "staff", by="admin", location=store_copy)
    calls = []
    real = accounts._hasher

    class Spy:
        def verify(self, stored, password):
            calls.append(stored)
            return real.verify(stored, password)
    monkeypatch.setattr(accounts, "_hasher", Spy())
    known = accounts.login("li", "wrong password", location=store_copy)
    unknown = accounts.login("nobody", "wrong password", location=store_copy)
    assert known == unknown == accounts.LoginResult(None, 0.0)
    assert len(calls) == 2 and all(h.startswith("$argon2id$") for h in calls)


def test_login__slow_down_after_three_failures_kept_in_the_store(store_copy):
    accounts.add_account("li", SECRET, "staff", by="admin", location=store_copy)
    revision = open_store(store_copy).revision()
    for i in range(3):
        result = accounts.login("li", "wrong password", location=store_copy, now=1000.0 + i)
    assert result.wait_s == pytest.approx(1.0)
    # a restart (a new store object, another process) sees the same count; the revision is untouched
    assert accounts.wait_before_next_try("li", location=store_copy, now=1002.5) == pytest.approx(0.5)
    assert open_store(store_copy).revision() == revision
    refused = accounts.login("li", SECRET, location=store_copy, now=1002.5)
    assert refused.account is None and refused.wait_s == pytest.approx(0.5)
    # never locked out for longer than announced: the right password works once the wait is over
    assert accounts.login("li", SECRET, location=store_copy, now=1003.0).account is not None
    assert accounts.wait_before_next_try("li", location=store_copy, now=1003.0) == 0


def test_login__unknown_names_slow_down_the_same_way(store_copy):
    for i in range(4):
        result = accounts.login("Nobody ", "x", location=store_copy, now=2000.0 + i)
    assert result.wait_s == pytest.approx(2.0)
    assert accounts.wait_before_next_try("nobody", location=store_copy, now=2003.0) == pytest.approx(2.0)


def test_set_password__old_one_stops_working(store_copy):
    accounts.add_account("li", SECRET, "staff", by="admin", location=store_copy)
    accounts.set_password("li", "a brand new secret", by="admin", location=store_copy)
    assert accounts.login("li", SECRET, location=store_copy).account is None
    assert accounts.login("li", "a brand new secret", location=store_copy).account is not None
    assert "argon2" not in _audit(store_copy)["changes"].iloc[-1]


def test_migrate_editors_file__copied_once_and_still_logs_in(store_copy, tmp_path, monkeypatch):
    import base64
    import hashlib

    salt = b"0123456789abcdef"
    digest = hashlib.pbkdf2_hmac("sha256", SECRET.encode(), salt, 1000)
    legacy = "$".join(["pbkdf2_sha256", "1000", base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])
    (tmp_path / "editors.json").write_text(json.dumps({"old-editor": legacy}))
    monkeypatch.setenv("SPACEMAP_EDITORS", str(tmp_path / "editors.json"))
    notes = accounts.migrate_editors_file(store_copy)
    assert len(notes) == 1 and "old-editor" in notes[0]
    assert accounts.migrate_editors_file(store_copy) == []
    assert _who(accounts.login("old-editor", SECRET, location=store_copy)) == {"name": "old-editor", "role": "editor"}


def test_allows__roles_nest():
    assert accounts.allows("admin", "staff") and accounts.allows("editor", "editor")
    assert not accounts.allows("staff", "editor") and not accounts.allows(None, "staff")
    assert not accounts.allows("root", "staff")


@pytest.mark.parametrize("who", ["", "x" * 81, "li\x00", "li\u202e", "<b>li</b>", "[li](http://x)", "li\nzhao",
                                 "`li`"])
def test_check_who__refuses_control_and_markup(who):
    with pytest.raises(SpaceMapError):
        check_who(who)


@pytest.mark.parametrize("who", ["li", "李 明", "li.zhao@futian", "planner-2"])
def test_check_who__accepts_plain_names(who):
    assert check_who(f" {who} ") == who


def test_login_failures__old_counts_are_forgotten(store_copy):
    accounts.login("guess-1", "x", location=store_copy, now=10_000.0)
    accounts.login("guess-2", "x", location=store_copy, now=10_000.0 + 2 * 24 * 3600)
    store = open_store(store_copy)
    assert store.login_failures("guess-1") == (0, 0.0) and store.login_failures("guess-2")[0] == 1


def test_login__a_huge_failure_count_never_locks_the_right_password_out(store_copy):
    accounts.add_account("li", SECRET, "staff", by="admin", location=store_copy)
    store = open_store(store_copy)
    for _ in range(3):  # the count is capped and the wait stays at its ceiling
        store.reserve_login("li", 0.0, lambda *_: 0.0)
    assert accounts.wait_after(5000, 100.0, 100.0) == accounts.MAX_DELAY_S
    assert accounts.login("li", SECRET, location=store_copy, now=10_000.0).account is not None


def test_login__parallel_guesses_are_all_counted(store_copy):
    import threading

    accounts.add_account("li", SECRET, "staff", by="admin", location=store_copy)
    results = []
    threads = [threading.Thread(target=lambda: results.append(accounts.login("li", "wrong password",
                                                                              location=store_copy, now=5000.0)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = [r for r in results if r.wait_s == 0 or r.account is not None]
    refused = [r for r in results if r.account is None]
    assert len(refused) == 8
    assert open_store(store_copy).login_failures("li")[0] <= accounts.FREE_TRIES + 1  # no crowd slipped through
    assert accounts.login("li", SECRET, location=store_copy, now=5000.5).account is None  # still waiting
    assert len(checked) <= accounts.FREE_TRIES + 1


def test_login__an_older_editors_hash_is_replaced_by_argon2id(store_copy, tmp_path, monkeypatch):
    import base64
    import hashlib

    salt = b"0123456789abcdef"
    digest = hashlib.pbkdf2_hmac("sha256", SECRET.encode(), salt, 1000)
    legacy = "$".join(["pbkdf2_sha256", "1000", base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])
    (tmp_path / "editors.json").write_text(json.dumps({"old-editor": legacy}))
    monkeypatch.setenv("SPACEMAP_EDITORS", str(tmp_path / "editors.json"))
    accounts.migrate_editors_file(store_copy)
    assert accounts.login("old-editor", SECRET, location=store_copy).account is not None
    stored = open_store(store_copy).read_layer("accounts").set_index("id").loc["old-editor", "password_hash"]
    assert stored.startswith("$argon2id$")
    assert accounts.login("old-editor", SECRET, location=store_copy).account is not None
