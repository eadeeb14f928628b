"""The market's CLI contracts, through ``cli.main`` against a copy of the store (both backends):
``enquiry submit|list|show|advance|undo|erase``, ``funnel`` and ``progress``'s settled area, their
JSON shapes and exit codes (0 done, 2 bad input or an impossible move, 4 a conflict), and what an
attacker can do with them."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

import cli
from geodata.stewardship import market
from spatial.pipeline import STAGES
from tests.geodata.test_market import CONTACT, PHONE, REF_RE, T0, add_units, submit, unit, walk
from tests.helpers import fingerprint

STEP_KEYS = {"ref", "from", "to", "event", "row_version", "lease"}
LIST_KEYS = {"id", "submitted_at", "enterprise_name", "stage", "stage_at", "assigned_to", "due_at", "overdue",
             "eligible", "synthetic"}


@pytest.fixture(autouse=True)
def _plain_errors(monkeypatch):
    monkeypatch.delenv("SPACEMAP_DEBUG", raising=False)  # errors as users see them: one line, an exit code


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as exc:  # the argument parser's own refusals (exit 2)
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def ok_json(capsys, *args) -> dict:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def fails(capsys, location, code: int, *args, match: str = "") -> str:
    """The command exits ``code`` with a one-line error containing ``match`` and writes nothing."""
    before = fingerprint(location)
    got, out, err = run(capsys, *args)
    assert got == code, (out, err)
    assert match in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert fingerprint(location) == before
    return err


@pytest.fixture
def need_file(tmp_path):
    path = tmp_path / "need.json"
    path.write_text(json.dumps({"industry": "ai", "area_min": 100, "area_max": 300}), encoding="utf-8")
    return path


def cli_submit(capsys, need_file, *extra) -> str:
    data = ok_json(capsys, "enquiry", "submit", "--need", need_file, "--contact-name", CONTACT, "--contact-phone",
                   PHONE, "--consent", *extra)
    assert set(data) >= {"ref"} and REF_RE.match(data["ref"])
    return data["ref"]


def test_enquiry__submit_list_show_json_shapes(store_copy, capsys, need_file):
    ref = cli_submit(capsys, need_file, "--enterprise", "深圳示例科技有限公司", "--note", "想看 3 楼")
    other = cli_submit(capsys, need_file)
    assert ref != other
    rows = ok_json(capsys, "enquiry", "list")["enquiries"]
    assert {r["id"] for r in rows} == {ref, other} and all(set(r) == LIST_KEYS for r in rows)  # no contact data
    assert {r["stage"] for r in rows} == {"received"} and not any(r["overdue"] for r in rows)
    shown = ok_json(capsys, "enquiry", "show", ref)
    assert (shown["enterprise_name"], shown["contact_name"], shown["contact_phone"], shown["message"]) == (
        "深圳示例科技有限公司", CONTACT, PHONE, "想看 3 楼")
    assert (shown["channel"], shown["stage"], shown["row_version"], shown["leases"]) == ("cli", "received", 1, [])
    assert [(h["from_stage"], h["to_stage"]) for h in shown["history"]] == [(None, "received")]
    assert json.loads(shown["need_json"])["area_max"] == 300
    assert ok_json(capsys, "enquiry", "list", "--stage", "screened")["enquiries"] == []


def test_enquiry__submit_refusals_exit_2_with_one_line_and_write_nothing(store_copy, capsys, need_file, tmp_path):
    base = ("enquiry", "submit", "--need", need_file, "--contact-name", CONTACT, "--json")
    fails(capsys, store_copy, 2, *base, "--contact-phone", PHONE, match="consent")
    fails(capsys, store_copy, 2, *base, "--consent", match="phone number or an email")
    fails(capsys, store_copy, 2, *base, "--consent", "--contact-phone", "call me", match="not a phone number")
    fails(capsys, store_copy, 2, *base, "--consent", "--contact-phone", PHONE, "--credit-code", "91440300708461136X",
          match="credit code")
    fails(capsys, store_copy, 2, *base, "--consent", "--contact-phone", PHONE, "--units", "u-none", match="no unit")
    fails(capsys, store_copy, 2, "enquiry", "submit", "--contact-name", CONTACT, "--contact-phone", PHONE,
          "--consent", match="--need")
    for content, match in [("[1, 2]", "a need is a JSON object"), ('"ai"', "a need is a JSON object"),
                           ("null", "a need is a JSON object"), ("{not json", "cannot read the need"),
                           ('{"zones": 5}', "not a need"), ('{"colour": "red", "near": 3}', "not a need")]:
        bad = tmp_path / "bad.json"
        bad.write_text(content, encoding="utf-8")
        fails(capsys, store_copy, 2, "enquiry", "submit", "--need", bad, "--contact-name", CONTACT, "--contact-phone",
              PHONE, "--consent", match=match)
    fails(capsys, store_copy, 2, "enquiry", "submit", "--need", tmp_path / "missing.json", "--contact-name", CONTACT,
          "--contact-phone", PHONE, "--consent", match="cannot read the need")


def test_enquiry__advance_walks_to_moved_in_with_the_lease_undo_and_erase(store_copy, capsys, need_file):
    add_units(store_copy, unit("u-1", area=120.0), unit("u-2", area=80.0))
    ref = cli_submit(capsys, need_file)
    for i, to in enumerate(STAGES[1:6], start=1):
        units = ("--units", "u-1,u-2") if to in ("shortlisted", "offer") else ()
        data = ok_json(capsys, "enquiry", "advance", ref, "--to", to, "--by", "staff-li", *units)
        assert set(data) == STEP_KEYS and (data["from"], data["to"], data["row_version"]) == (STAGES[i - 1], to, i + 1)
    signed = ok_json(capsys, "enquiry", "advance", ref, "--to", "signed", "--by", "staff-li", "--units", "u-1;u-2",
                     "--rent", "95", "--start", "2026-04-01", "--end", "2028-03-31")
    assert signed["lease"] == f"lease-{ref}"
    ok_json(capsys, "enquiry", "advance", ref, "--to", "moved_in", "--by", "staff-li", "--expect-stage", "signed",
            "--expect-version", "7")
    shown = ok_json(capsys, "enquiry", "show", ref)
    [lease] = shown["leases"]
    assert (lease["area_m2"], lease["rent_cny_m2_month"], lease["start"], lease["end"], lease["unit_ids"]) == (
        200.0, 95.0, "2026-04-01", "2028-03-31", "u-1;u-2")  # the area defaults to the units' sum
    assert shown["stage"] == "moved_in" and lease["moved_in_at"] and lease["carrier_id"] == "inc-boji"
    undone = ok_json(capsys, "enquiry", "undo", ref, "--by", "staff-wang")
    assert set(undone) == {"ref", "undone", "stage", "row_version"} and undone["stage"] == "signed"
    erased = ok_json(capsys, "enquiry", "erase", ref, "--by", "staff-dpo")
    assert set(erased) == {"ref", "erased_at"}
    shown = ok_json(capsys, "enquiry", "show", ref)
    assert (shown["contact_name"], shown["contact_phone"], shown["stage"]) == (None, None, "signed")


def test_enquiry__impossible_moves_exit_2_conflicts_exit_4_nothing_written(store_copy, capsys, need_file):
    add_units(store_copy, unit("u-1"))
    ref = cli_submit(capsys, need_file)
    advance = ("enquiry", "advance", ref, "--by", "staff-wang")
    fails(capsys, store_copy, 2, *advance, "--to", "signed", "--units", "u-1", "--start", "2026-04-01",
          match="cannot move to signed")
    fails(capsys, store_copy, 2, *advance, "--to", "closed", match="reason")
    fails(capsys, store_copy, 2, *advance, "--to", "nowhere", match="invalid choice")
    fails(capsys, store_copy, 2, *advance, match="--to")
    fails(capsys, store_copy, 2, "enquiry", "advance", "--to", "screened", "--by", "li", match="REF")
    fails(capsys, store_copy, 2, "enquiry", "advance", "FT-20260302-ZZZZZZZZ", "--to", "screened", "--by", "li",
          match="no enquiry")
    fails(capsys, store_copy, 2, *advance, "--to", "screened", "--by", "<b>x</b>", match="markup")
    ok_json(capsys, "enquiry", "advance", ref, "--to", "screened", "--by", "staff-li", "--expect-version", "1")
    fails(capsys, store_copy, 4, *advance, "--to", "closed", "--reason", "price", "--expect-stage", "received",
          match="conflict")
    fails(capsys, store_copy, 4, *advance, "--to", "closed", "--reason", "price", "--expect-version", "1",
          match="conflict")
    fails(capsys, store_copy, 2, *advance, "--to", "shortlisted", match="at least one unit")
    walk(store_copy, ref, "offer", units=("u-1",))
    fails(capsys, store_copy, 2, *advance, "--to", "signed", "--units", "u-1", match="start date")
    fails(capsys, store_copy, 2, *advance, "--to", "signed", "--units", "u-1", "--start", "1 April",
          match="YYYY-MM-DD")
    fails(capsys, store_copy, 2, *advance, "--to", "signed", "--units", "u-1", "--start", "2026-04-01", "--end",
          "2026-03-01", match="before or when it starts")
    fails(capsys, store_copy, 2, *advance, "--to", "signed", "--units", "u-1", "--start", "2026-04-01", "--area",
          "nan", match="finite area")
    fails(capsys, store_copy, 2, "enquiry", "undo", "FT-20260302-ZZZZZZZZ", "--by", "li", match="no enquiry")
    fails(capsys, store_copy, 2, "enquiry", "show", "FT-20260302-ZZZZZZZZ", "--json", match="no enquiry")


def test_funnel__json_stages_with_count_conversion_and_median_days(store_copy, capsys):
    first = submit(store_copy, now=T0)
    submit(store_copy, now=datetime(2026, 5, 1, tzinfo=timezone.utc))
    market.advance(first, "screened", by="li", location=store_copy, now=datetime(2026, 3, 4, 9, tzinfo=timezone.utc))
    data = ok_json(capsys, "funnel")
    assert {"total", "stages", "closed", "from", "to", "by"} <= set(data) and data["total"] == 2
    assert [s["name"] for s in data["stages"]] == list(STAGES)
    assert all({"name", "count", "conversion", "median_days"} <= set(s) for s in data["stages"])
    first_two = [(s["count"], s["conversion"], s["median_days"]) for s in data["stages"][:3]]
    assert first_two == [(2, None, 2.0), (1, 0.5, None), (0, 0.0, None)]  # screened 2 days after it came in
    window = ok_json(capsys, "funnel", "--from", "2026-04-01", "--to", "2026-12-31")
    assert (window["total"], window["from"], window["to"]) == (1, "2026-04-01", "2026-12-31")
    groups = ok_json(capsys, "funnel", "--by", "industry")["groups"]
    assert [(g["group"], g["total"]) for g in groups] == [("ai", 2)] and data["synthetic"] is False
    clusters = ok_json(capsys, "funnel", "--by", "cluster")["groups"]
    assert [(g["group"], g["total"], g["stages"][1]["count"]) for g in clusters] == [("(none)", 2, 1)]  # no picks
    fails(capsys, store_copy, 2, "funnel", "--from", "2026-05-01", "--to", "2026-04-01", match="before")
    fails(capsys, store_copy, 2, "funnel", "--from", "May", match="YYYY-MM-DD")
    fails(capsys, store_copy, 2, "funnel", "--by", "contact_phone", match="invalid choice")


def test_progress__settled_via_platform_is_zero_on_the_bundled_store(store, capsys):
    data = ok_json(capsys, "progress", "--today", "2026-11-22")
    assert data["settled_via_platform_m2"] == 0.0  # the platform knows it has settled nothing
    assert data["settled"]["leases"] == 0 and data["settled"]["by_quarter"] == []


def test_progress__settled_via_platform_after_a_signed_lease_apart_from_the_other_figures(store_copy, capsys,
                                                                                          need_file):
    before = ok_json(capsys, "progress", "--today", "2026-11-22")
    add_units(store_copy, unit("u-1", area=120.0), unit("u-2", area=80.0))
    ref = cli_submit(capsys, need_file)
    walk(store_copy, ref, "offer")
    ok_json(capsys, "enquiry", "advance", ref, "--to", "signed", "--by", "li", "--units", "u-1,u-2", "--start",
            "2026-04-01")
    after = ok_json(capsys, "progress", "--today", "2026-11-22")
    assert after["settled_via_platform_m2"] == 200.0 and after["settled"]["in_incubation_carriers_m2"] == 200.0
    for key in ("ledger_total_m2", "latest_reported", "pct_of_goal_reported", "what_if"):
        assert after[key] == before[key], key  # a measure of its own, never added to the others
    code, out, _ = run(capsys, "progress", "--today", "2026-11-22")
    assert code == 0 and "settled through the platform: 200 m² in 1 signed leases" in out


# ---- an attacker at the command line -----------------------------------------------------------------

def test_probe__list_and_show_print_markup_as_given_and_list_shows_no_contact(store_copy, capsys, need_file):
    ref = cli_submit(capsys, need_file, "--enterprise", "<script>alert(1)</script>", "--note", "<b>hi</b>",
                     "--contact-email", "li@example.com")
    code, out, _ = run(capsys, "enquiry", "list")
    assert code == 0 and f"{ref}  received       <script>alert(1)</script>" in out
    assert PHONE not in out and CONTACT not in out and "li@example.com" not in out
    assert ok_json(capsys, "enquiry", "show", ref)["message"] == "<b>hi</b>"


def test_bug__erase_leaves_no_trace_of_the_contact_name(store_copy, capsys, need_file):
    ref = cli_submit(capsys, need_file)
    ok_json(capsys, "enquiry", "erase", ref, "--by", "staff-dpo")
    assert CONTACT not in json.dumps(ok_json(capsys, "enquiry", "show", ref), ensure_ascii=False)


def test_bug__an_enterprise_name_cannot_forge_a_line_of_the_list(store_copy, capsys, need_file):
    fake = "甲\nFT-20260101-AAAAAAAA  signed         乙"
    code, _, _ = run(capsys, "enquiry", "submit", "--need", need_file, "--enterprise", fake, "--contact-name",
                     CONTACT, "--contact-phone", PHONE, "--consent")
    _, out, _ = run(capsys, "enquiry", "list")
    assert code == 2 or len(out.strip().splitlines()) == 1


def test_bug__submit_by_with_markup_exits_2(store_copy, capsys, need_file):
    fails(capsys, store_copy, 2, "enquiry", "submit", "--need", need_file, "--contact-name", CONTACT,
          "--contact-phone", PHONE, "--consent", "--by", "<img src=x onerror=alert(1)>", match="markup")
