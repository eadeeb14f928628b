"""The demand pool and the planners' goals: every change written with its audit entry (who =
the account), undoable; the CLI records --by but refuses names with control or markup."""
import json

import pytest

from geodata.stewardship import goals, pool
from geodata.storage import open_store
from spatial.errors import SpaceMapError
from spatial.need import Need
from tests.helpers import fingerprint
from tests.test_cli import run_cli


def _audit(location):
    return open_store(location).read_layer("audit_log")


def test_pool__save_delete_undo_each_audited_with_who(store_copy):
    first = pool.save_need("企业甲", Need(industry="biomed", area_min=500.0), who="staff-li", location=store_copy)
    second = pool.save_need("企业乙", Need(), who="staff-li", location=store_copy)
    pool.delete_needs([first], who="staff-wang", location=store_copy)
    assert list(pool.pool_needs(store_copy)["id"]) == [second]
    undone = pool.undo_pool_change(who="staff-zhao", location=store_copy)
    assert undone["restored"] == 1 and set(pool.pool_needs(store_copy)["id"]) == {first, second}
    restored = pool.pool_needs(store_copy).set_index("id").loc[first]
    assert restored["name"] == "企业甲" and json.loads(restored["need_json"])["industry"] == "biomed"
    audit = _audit(store_copy)
    assert list(zip(audit["who"], audit["action"])) == [
        ("staff-li", "pool-add"), ("staff-li", "pool-add"), ("staff-wang", "pool-delete"), ("staff-zhao", "undo")]
    assert audit["undone_by"].iloc[2] == audit["id"].iloc[3]


def test_pool__delete_of_an_unknown_id_changes_nothing(store_copy):
    before = fingerprint(store_copy)
    with pytest.raises(SpaceMapError, match="no demand_pool entry need-x"):
        pool.delete_needs(["need-x"], who="staff-li", location=store_copy)
    assert fingerprint(store_copy) == before


def test_pool__save_without_a_valid_who_is_refused(store_copy):
    before = fingerprint(store_copy)
    for who in ("", "<img src=x>", "li\u202e"):
        with pytest.raises(SpaceMapError):
            pool.save_need("企业甲", Need(), who=who, location=store_copy)
    assert fingerprint(store_copy) == before


def test_goals__set_then_undo_brings_the_earlier_goal_back(store_copy):
    goals.set_goal(2_000_000.0, 2030, set_by="editor-li", reason="new plan", path=store_copy)
    goals.set_goal(3_000_000.0, 2035, set_by="editor-li", reason="even newer", path=store_copy)
    goals.undo_goal(who="editor-wang", path=store_copy)
    kept = open_store(store_copy).read_layer("progress_goals")
    assert list(kept["goal_m2"]) == [2_000_000.0]
    audit = _audit(store_copy)
    assert list(zip(audit["who"], audit["action"], audit["reason"])) == [
        ("editor-li", "goal", "new plan"), ("editor-li", "goal", "even newer"),
        ("editor-wang", "undo", f"undo of {audit['id'].iloc[1]}")]


def test_goals__nothing_to_undo(store_copy):
    with pytest.raises(SpaceMapError, match="nothing to undo"):
        goals.undo_goal(who="editor-li", path=store_copy)


def test_cli__by_with_markup_or_control_refused_and_store_unchanged(store_copy):
    before = fingerprint(store_copy)
    for by in ("<b>li</b>", "li\x1b[31m", "[x](http://evil)"):
        out = run_cli("progress", "--set-goal", "2000000", "--goal-year", "2030", "--reason", "r", "--by", by,
                      store=store_copy)
        assert out.returncode == 2 and "control, bidi or markup" in out.stderr
    assert fingerprint(store_copy) == before


def test_cli__user_add_list_disable_and_pool_delete_undo(store_copy):
    add = run_cli("user", "add", "li", "--role", "staff", "--password-stdin", "--by", "admin-wu", "--json",
                  store=store_copy, stdin="a long enough secret\n")
    assert add.returncode == 0, add.stderr
    listed = json.loads(run_cli("user", "list", "--json", store=store_copy).stdout)["accounts"]
    assert [(a["name"], a["role"], a["disabled"]) for a in listed] == [("li", "staff", False)]
    assert "hash" not in json.dumps(listed)
    assert run_cli("user", "disable", "li", "--by", "admin-wu", store=store_copy).returncode == 0
    assert json.loads(run_cli("user", "list", "--json", store=store_copy).stdout)["accounts"][0]["disabled"]
    need = pool.save_need("企业甲", Need(), who="li", location=store_copy)
    assert run_cli("pool", "--delete", need, "--by", "li", store=store_copy).returncode == 0
    assert run_cli("pool", "--undo", "--by", "li", store=store_copy).returncode == 0
    assert list(pool.pool_needs(store_copy)["id"]) == [need]
