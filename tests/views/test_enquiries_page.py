"""The Enquiries page under AppTest, on a store copy with synthetic market rows: who sees it, the
lists, a step audited with the account, a stale version refused with the conflict message and
nothing changed, undo, shortlisting and signing, erasure by admins only, and English."""
from __future__ import annotations

import time
from datetime import date, datetime, timezone

import pytest
from streamlit.testing.v1 import AppTest

from geodata.stewardship.accounts import add_account
from geodata.stewardship.market import advance, list_enquiries
from geodata.storage import open_store, read_layer
from tests.helpers import APP, ROLE_PASSWORD, open_as, page_html

pytestmark = pytest.mark.gpkg_only  # the pages do not know the backend; their data path runs on both in tests/geodata

PAGE = "views/enquiries_page.py"
MARKET_PAGES = ("views/enquiries_page.py", "views/funnel_page.py", "views/units_page.py")
DEMO = "synthetic seed 7 (test)"


def fill_market(location, *, enquiries: int = 40, units_per_carrier: int = 3, seed: int = 7):
    """Put synthetic units, enterprises, enquiries (with histories and leases) and the demo
    screening rules into the store at ``location`` (as ``build_demo_store`` does), marked demo."""
    from geodata.synthetic_market import (screening_rules_demo, synthetic_enterprises, synthetic_pipeline,
                                          synthetic_units)
    from layers.catalogue import CARRIER_LAYERS
    from spatial.carriers import combine_carriers

    now = datetime.now(timezone.utc)
    store = open_store(location)
    carriers = combine_carriers(store.read_all(), CARRIER_LAYERS)
    units = synthetic_units(carriers.loc[carriers["status"] == "operating"], units_per_carrier, seed=seed,
                            today=now.date())
    ents = synthetic_enterprises(20, seed=seed + 1, today=now.date())
    rules = screening_rules_demo()
    market = synthetic_pipeline(ents, units, carriers, enquiries, seed=seed + 2, now=now, rules=rules)
    store.replace_layers({**market, "enterprises": ents, "screening_rules": rules})
    store.write_meta({"demo": DEMO})
    return location


def operator(location, name: str, carriers: list[str]) -> dict:
    """An operator account running ``carriers``, made in the store; the session's account."""
    add_account(name, ROLE_PASSWORD, "operator", by="test-setup", location=location, carriers=carriers)
    return {"name": name, "role": "operator"}


def open_account(account: dict, page: str | None = None, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["account"] = account
    at.session_state["account_seen"] = time.time()
    at.session_state["lang"] = lang
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def market(store_copy):
    return fill_market(store_copy)


def _one(location, stage: str) -> dict:
    table = list_enquiries(location)
    return table.loc[table["stage"] == stage].iloc[0].to_dict()


def _pick(at: AppTest, ref: str) -> AppTest:
    at.radio(key="w_enq_list").set_value("all").run()
    at.text_input(key="w_enq_search").input(ref).run()
    at.selectbox(key="w_enq_pick").set_value(ref).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _events(location, ref: str):
    events = read_layer("enquiry_events", location)
    return events.loc[events["enquiry_id"] == ref].sort_values(["at", "id"])


# ---- who sees it --------------------------------------------------------------------------------------

def test_navigation__market_pages_for_staff_units_alone_for_an_operator(market):
    anonymous = open_as(None, market)
    for page in (*MARKET_PAGES, "views/workspace_page.py", "views/data_page.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            anonymous.switch_page(page)
    at = open_account(operator(market, "op-one", ["sp-xinyidai"]))
    for page in ("views/enquiries_page.py", "views/funnel_page.py", "views/workspace_page.py", "views/data_page.py",
                 "views/accounts_page.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    at.switch_page("views/units_page.py").run()
    assert not at.exception and at.header[0].value == "我的单元"
    staff = open_as("staff", market)
    for page in MARKET_PAGES:
        staff.switch_page(page).run()
        assert not staff.exception, (page, [e.value for e in staff.exception])


def test_page__opened_without_the_role_says_so(market):
    at = AppTest.from_string("from views.enquiries_page import render\nrender()", default_timeout=60)
    at.run()
    assert at.info and "工作人员" in at.info[0].value and not at.get("html")


# ---- the lists --------------------------------------------------------------------------------------------

def test_lists__staff_see_theirs_the_overdue_and_every_open_one(market):
    received = _one(market, "received")
    advance(received["id"], "screened", by="staff-test", location=market)  # now assigned to staff-test
    at = open_as("staff", market, PAGE)
    assert at.radio(key="w_enq_list").value == "mine"
    assert received["id"] in page_html(at)
    table = list_enquiries(market)
    at.radio(key="w_enq_list").set_value("overdue").run()
    overdue = table.loc[table["overdue"] & ~table["stage"].isin(["moved_in", "closed"]), "id"]
    html = page_html(at)
    assert all(ref in html for ref in overdue.head(10)) and "已逾期" in html
    at.radio(key="w_enq_list").set_value("open").run()
    open_ = table.loc[~table["stage"].isin(["moved_in", "closed"])]
    assert any(f"共 {len(open_):,} 条" in c.value for c in at.caption)
    closed = table.loc[table["stage"] == "closed", "id"].iloc[0]
    assert closed not in at.selectbox(key="w_enq_pick").options


def test_detail__need_in_words_contact_screening_history_no_raw_keys(market):
    ref = _one(market, "shortlisted")["id"]
    at = _pick(open_as("staff", market, PAGE), ref)
    html = page_html(at)
    assert "产业：" in html and "area_min" not in html and "need_json" not in html
    assert "demo" in html and "@example.com" in html  # consent version; the contact, for staff
    assert "初审结果" in html and "已推荐房源" in html and "staff-demo" in html


# ---- steps ------------------------------------------------------------------------------------------------------

def test_advance__moves_and_is_audited_with_the_account(market):
    ref = _one(market, "received")["id"]
    at = _pick(open_as("staff", market, PAGE), ref)
    assert at.selectbox(key=f"w_enq_f_to_{ref}").options == ["已初审", "已关闭"]  # only the allowed moves
    at.text_input(key=f"w_enq_f_note_{ref}").input("called back")
    at.button(key="w_enq_move").click().run()
    assert not at.exception and at.success and ref in at.success[0].value
    row = list_enquiries(market).set_index("id").loc[ref]
    assert (row["stage"], row["assigned_to"]) == ("screened", "staff-test")
    event = _events(market, ref).iloc[-1]
    assert (event["who"], event["to_stage"], event["note"]) == ("staff-test", "screened", "called back")
    audit = read_layer("audit_log", market)
    assert (audit["who"].iloc[-1], audit["action"].iloc[-1]) == ("staff-test", "enquiry-screened")


def test_advance__a_stale_version_shows_the_conflict_and_changes_nothing(market):
    ref = _one(market, "received")["id"]
    at = _pick(open_as("staff", market, PAGE), ref)  # the page remembers version 1
    advance(ref, "screened", by="other-staff", note="mine first", location=market)
    before = (list_enquiries(market).set_index("id").loc[ref].to_dict(), len(_events(market, ref)),
              len(read_layer("audit_log", market)))
    at.button(key="w_enq_move").click().run()
    assert not at.exception
    assert any("其他人已更改了需求" in e.value and "没有覆盖" in e.value for e in at.error)
    after = (list_enquiries(market).set_index("id").loc[ref].to_dict(), len(_events(market, ref)),
             len(read_layer("audit_log", market)))
    before[0].pop("overdue"), after[0].pop("overdue")
    assert after == before
    assert at.selectbox(key=f"w_enq_f_to_{ref}").options == ["已推荐房源", "已关闭"]  # reloaded: what is there now


def test_undo__restores_the_stage_before_the_last_step(market):
    ref = _one(market, "received")["id"]
    at = _pick(open_as("staff", market, PAGE), ref)
    at.selectbox(key=f"w_enq_f_to_{ref}").set_value("closed").run()
    at.selectbox(key=f"w_enq_f_reason_{ref}").set_value("no_response").run()
    at.button(key="w_enq_move").click().run()
    row = list_enquiries(market).set_index("id").loc[ref]
    assert (row["stage"], row["close_reason"]) == ("closed", "no_response")
    at.button(key="w_enq_undo").click().run()
    assert not at.exception and at.success
    row = list_enquiries(market).set_index("id").loc[ref]
    assert row["stage"] == "received" and row["close_reason"] is None
    assert read_layer("audit_log", market)["action"].iloc[-1] == "enquiry-undo"


def test_offer_and_sign__units_reserved_then_let_the_area_defaults_to_their_sum(market):
    ref = _one(market, "visited")["id"]
    at = _pick(open_as("staff", market, PAGE), ref)
    at.selectbox(key=f"w_enq_f_to_{ref}").set_value("offer").run()
    units = read_layer("units", market).set_index("id")
    widget = at.multiselect(key=f"w_enq_f_units_{ref}_offer")
    one = next(u for u in units.index[units["status"] == "available"] if widget.format_func(u) in widget.options)
    widget.set_value([one]).run()
    at.button(key="w_enq_move").click().run()
    assert not at.exception and at.success, [e.value for e in at.error]
    assert read_layer("units", market).set_index("id").loc[one, "status"] == "reserved"
    at.selectbox(key=f"w_enq_f_to_{ref}").set_value("signed").run()
    assert at.multiselect(key=f"w_enq_f_units_{ref}_signed").value == [one]  # the offer's units
    at.number_input(key=f"w_enq_f_rent_{ref}").set_value(88.0).run()
    at.button(key="w_enq_move").click().run()  # no start date: a contract date is typed, never assumed
    assert read_layer("units", market).set_index("id").loc[one, "status"] == "reserved" and at.error
    at.date_input(key=f"w_enq_f_start_{ref}").set_value(date(2027, 1, 1)).run()
    at.button(key="w_enq_move").click().run()  # the area left blank: the units' sum
    assert not at.exception and at.success, [e.value for e in at.error]
    lease = read_layer("leases", market).set_index("enquiry_id").loc[ref]
    assert lease["area_m2"] == pytest.approx(units.loc[one, "area_m2"]) and lease["rent_cny_m2_month"] == 88.0
    assert lease["signed_by"] == "staff-test" and lease["carrier_id"] == units.loc[one, "carrier_id"]
    assert lease["start"] == "2027-01-01"
    assert read_layer("units", market).set_index("id").loc[one, "status"] == "let"
    assert "签约面积" in page_html(at) and "88.0" in page_html(at)


def test_shortlist__needs_a_unit_the_refusal_is_shown(market):
    ref = _one(market, "screened")["id"]
    at = _pick(open_as("staff", market, PAGE), ref)
    at.multiselect(key=f"w_enq_f_units_{ref}_shortlisted").set_value([]).run()
    at.button(key="w_enq_move").click().run()
    assert not at.exception and any("未完成" in e.value for e in at.error)
    assert list_enquiries(market).set_index("id").loc[ref, "stage"] == "screened"


def test_erase__admins_only_with_a_confirmation(market):
    ref = _one(market, "screened")["id"]
    staff = _pick(open_as("staff", market, PAGE), ref)
    assert not [b for b in staff.button if b.key == "w_enq_erase"]
    at = _pick(open_as("admin", market, PAGE), ref)
    assert at.button(key="w_enq_erase").disabled
    at.checkbox(key=f"w_enq_f_erase_ok_{ref}").check().run()
    at.button(key="w_enq_erase").click().run()
    assert not at.exception
    row = read_layer("enquiries", market).set_index("id").loc[ref]
    assert row["contact_name"] is None and row["contact_phone"] is None and row["erased_at"]
    assert "应要求删除" in page_html(at)
    assert read_layer("audit_log", market)[["who", "action"]].iloc[-1].tolist() == ["admin-test", "enquiry-erase"]


# ---- English ---------------------------------------------------------------------------------------------------

@pytest.mark.gpkg_only
def test_english__no_chinese_only_text(market):
    from tests.helpers import as_role
    from tests.views.test_english_pages import assert_english

    ref = _one(market, "signed")["id"]
    at = open_account(as_role("admin", market), PAGE, "en")
    assert at.header[0].value == "Enquiries"
    assert_english(at, data_texts(market))
    _pick(at, ref)
    assert "Lease" in page_html(at) and "Leased area (m²)" in page_html(at)
    assert_english(at, data_texts(market))
    at.radio(key="w_enq_list").set_value("fits").run()
    assert_english(at, data_texts(market))


def data_texts(location) -> list[str]:
    """Every text in the store with Chinese in it (names, notes, addresses…): data, shown as it is."""
    import re

    from geodata.storage import read_all

    cjk = re.compile(r"[\u4e00-\u9fff]")
    values = set()
    for frame in read_all(location).values():
        for column in frame.columns:
            if frame[column].dtype == object:
                values.update(v for v in frame[column].dropna() if isinstance(v, str) and cjk.search(v))
    return sorted(values, key=len, reverse=True)
