"""The market's whole loop in Debian Chromium with no internet, on a store copy with three available
units of two real carriers and a staff account: an anonymous enterprise matches on the Match page and
sends an enquiry with consent (it gets its reference); a staff member logs in in the sidebar, finds the
reference on the Enquiries page and moves it through every stage to a signed lease (units, area,
rent, dates); the units are let (the Units list and the store say so), the funnel counts the
signature and the Progress page shows the lease's area as settled through the platform; and a new
visitor sees nothing of the enterprise on any public page, nor any staff page. Screenshots of the
key steps go to ``artifacts/``. The staff navigate by clicking links: a reload is a new session
(logged out)."""
from __future__ import annotations

import json
import re
import shutil
from datetime import date

import pandas as pd
import pytest

from geodata.stewardship.accounts import add_account
from geodata.stewardship.audit import audit_row
from geodata.storage import open_store, read_layer
from layers.catalogue import LAYERS
from layers.vocab import ENQUIRY_STAGES, UNIT_STATUSES
from messages import t
from tests.e2e.server import nav_link
from tests.e2e.test_public_portal import _heading, _nav_links, _page_text

pytestmark = pytest.mark.e2e

STAFF, PASSWORD = "staff-wu", "a long enough secret"
ENTERPRISE = "青禾量子生物测试有限公司"
CONTACT = "测试联系人孙七"
PHONE = "13912345678"
EMAIL = "qinghe-e2e@example.com"
UNITS = (  # id, carrier, building, floor, unit, area (m²), asking rent
    ("e2e-unit-1", "inc-boji", "A座", "3F", "301", 180.0, 98.0),
    ("e2e-unit-2", "inc-boji", "A座", "3F", "302", 276.0, 98.0),
    ("e2e-unit-3", "sp-biomed", "1栋", "5F", "501", 420.0, 120.0),
)
LEASED = ("e2e-unit-1", "e2e-unit-2")
AREA, RENT, START, END = 456.0, 95.0, date(2027, 1, 1), date(2029, 12, 31)
REF = re.compile(r"FT-\d{8}-[0-9A-Z]{8}")
NOTES = {"screened": "资料齐全", "shortlisted": "推荐两套单元", "visit_arranged": "约看：周三上午十点",
         "visited": "已现场看房", "offer": "报价 95 元", "signed": "合同已签"}
PUBLIC = ("map", "match", "tally", "progress", "overview")
STAFF_PATHS = ("enquiries", "funnel", "units")  # the market's (test_public_portal: the workspace, the data page)
IDLE = ("() => document.querySelector(\"[data-testid='stApp']\")"
        "?.getAttribute('data-test-script-state') === 'notRunning'")


def _zh(key: str, **values) -> str:
    return t(key, "zh", **values)


def _stage(code: str) -> str:
    return ENQUIRY_STAGES[code].label("zh")


def _idle(page) -> None:
    """Wait until the script run an action started is over (Streamlit's own run state) and drawn."""
    page.wait_for_timeout(150)  # a widget's rerun is requested at once: the state leaves notRunning
    page.wait_for_function(IDLE, timeout=60_000)
    page.wait_for_timeout(100)


def _units_frame() -> pd.DataFrame:
    today = date.today().isoformat()
    rows = [{"id": uid, "carrier_id": carrier, "building": building, "floor": floor, "unit_label": unit,
             "area_m2": area, "area_basis": "gross", "use": "office", "fit_out": "basic",
             "rent_asked_cny_m2_month": rent, "rent_includes": "物业管理费", "available_from": today,
             "floor_load_kn_m2": None, "ceiling_height_m": None, "status": "available",
             "source": "e2e test (carrier's list)", "verified_on": today, "notes": None, "synthetic": False}
            for uid, carrier, building, floor, unit, area, rent in UNITS]
    return pd.DataFrame(rows)[list(LAYERS["units"].field_names)]


@pytest.fixture
def market_app(store, tmp_path):
    """A copy of the bundled store with three available units (an audited insert) and a staff account."""
    copy = tmp_path / "s" / "spacemap.gpkg"
    copy.parent.mkdir()
    shutil.copy(store, copy)
    target = open_store(copy)
    units = _units_frame()
    audit = audit_row(target.read_layer("audit_log"), who="e2e-setup", action="import", layer="units",
                      reason="three units for the market loop", added=len(units), updated=0,
                      changes=json.dumps({"ids": list(units["id"])}))
    target.change_rows({"units": (units, [])}, tables={"audit_log": audit})
    add_account(STAFF, PASSWORD, "staff", by="e2e-setup", location=copy)
    from tests.e2e.server import start_app, stop_app

    proc, url, _ = start_app(copy)
    yield url, copy
    stop_app(proc)


# ---- the steps -------------------------------------------------------------------------------------------

def _enquire(view, url: str) -> str:
    """The enterprise: match (biomedicine), enquire with consent; its reference."""
    page = view.page
    page.goto(f"{url}/match")
    page.get_by_role("button", name=_zh("m_submit"), exact=True).wait_for(timeout=60_000)
    page.get_by_role("combobox", name=_zh("m_industry"), exact=True).click()
    page.get_by_role("option", name="生物医药", exact=True).click()
    page.get_by_role("button", name=_zh("m_submit"), exact=True).click()
    page.get_by_text(_zh("pt_enq_title")).first.wait_for(timeout=60_000)
    _idle(page)
    assert page.get_by_role("radio", name=_zh("un_level_unit"), exact=True).is_checked()  # by unit, first
    picks = page.locator("[data-testid='stForm']").filter(has_text=_zh("pt_enq_pick")).first.inner_text()
    assert "A座 3F 301" in picks and "A座 3F 302" in picks, picks  # the best units, picked by default
    page.get_by_label(_zh("pt_enq_enterprise"), exact=True).fill(ENTERPRISE)
    page.get_by_label(_zh("pt_enq_contact"), exact=True).fill(CONTACT)
    page.get_by_label(_zh("pt_enq_phone"), exact=True).fill(PHONE)
    page.get_by_label(_zh("pt_enq_email"), exact=True).fill(EMAIL)
    page.get_by_text(_zh("pt_enq_consent_box"), exact=True).click()
    view.screenshot("market_loop_1_enquiry_form.png")
    page.get_by_role("button", name=_zh("pt_enq_submit"), exact=True).click()
    sent = page.locator(".sm-enq-sent")
    sent.wait_for(timeout=60_000)
    _idle(page)
    sent.scroll_into_view_if_needed()
    view.screenshot("market_loop_2_reference.png")
    found = REF.search(sent.inner_text())
    assert found, sent.inner_text()
    assert page.get_by_label(_zh("pt_enq_enterprise"), exact=True).input_value() == ""  # the form is empty again
    return found.group(0)


def _log_in(page, url: str) -> None:
    page.goto(f"{url}/match")  # a light page to land on (the Match form)
    page.get_by_role("link", name=_zh("page_overview")).wait_for(timeout=60_000)
    assert page.get_by_role("link", name=_zh("page_enquiries")).count() == 0
    page.get_by_text(_zh("login_title")).click()
    page.get_by_label(_zh("login_name")).fill(STAFF)
    page.get_by_label(_zh("login_password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=_zh("login_button"), exact=True).click()
    page.get_by_text(f"已登录：{STAFF}").wait_for(timeout=30_000)


def _go(page, title: str) -> None:
    """Open a page by its navigation link (same session) and wait until it is drawn."""
    nav_link(page, title).click()
    _heading(page, title).first.wait_for(timeout=60_000)
    _idle(page)


def _kpi(page, label: str) -> str:
    card = page.locator(".sm-kpi").filter(has=page.locator(".l", has_text=re.compile(rf"^{re.escape(label)}$"))).first
    return card.locator(".v").inner_text().strip()


def _choose(page, label: str, pattern: str) -> None:
    """Pick the option matching ``pattern`` in the multiselect labelled ``label``; wait for the rerun."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=re.compile(pattern)).first.click()
    page.keyboard.press("Escape")
    _idle(page)


def _type(page, label: str, value: str) -> None:
    """Type into the text or number input labelled ``label`` and leave it (Streamlit reruns)."""
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Tab")
    _idle(page)


def _fill_date(page, label: str, day: date) -> None:
    """Type ``day`` into the date field labelled ``label`` (segments: year, month, day)."""
    segments = page.get_by_role("group", name=label, exact=True).get_by_role("spinbutton")
    segments.first.focus()  # a click opens the calendar over the field
    page.keyboard.type(day.strftime("%Y%m%d"))
    page.keyboard.press("Escape")
    _idle(page)


def _units_chosen(page) -> str:
    return page.locator("[data-testid='stMultiSelect']").filter(has_text=_zh("e_units")).first.inner_text()


def _move(page, ref: str, to: str) -> None:
    """Move the open enquiry to ``to`` with a note (and the inputs the step needs); wait for the record."""
    _type(page, _zh("e_note"), NOTES[to])
    if to == "shortlisted":
        for uid in LEASED:
            unit = next(u for u in UNITS if u[0] == uid)
            _choose(page, _zh("e_units"), rf"{unit[2]} {unit[3]} {unit[4]}")
    if to == "signed":
        _type(page, _zh("e_lease_area"), f"{AREA:g}")
        _type(page, _zh("e_lease_rent"), f"{RENT:g}")
        _fill_date(page, _zh("e_lease_start"), START)
        _fill_date(page, _zh("e_lease_end"), END)
    if to in ("shortlisted", "offer", "signed"):  # offer, sign: the shortlisted units come as the default
        chosen = _units_chosen(page)
        assert "3F 301" in chosen and "3F 302" in chosen and "5F 501" not in chosen, chosen
    page.get_by_role("button", name=_zh("e_move_button", stage=_stage(to)), exact=True).click()
    page.get_by_text(_zh("e_moved", ref=ref, stage=_stage(to))).wait_for(timeout=60_000)
    _idle(page)


def _work_the_enquiry(view, url: str, ref: str) -> None:
    """The staff member: log in, see the funnel before, find the reference, move it to a signed lease."""
    page = view.page
    _log_in(page, url)
    _go(page, _zh("page_funnel"))
    assert (_kpi(page, _zh("fn_kpi_total")), _kpi(page, _zh("fn_kpi_signed"))) == ("1", "0")
    _go(page, _zh("page_enquiries"))
    page.get_by_role("radio", name=re.compile(re.escape(_zh("e_list_all")))).check(force=True)
    _idle(page)
    search = page.get_by_label(_zh("e_search"), exact=True)
    search.fill(ref)
    search.press("Enter")
    title = page.get_by_text(f"{ref} · {ENTERPRISE}")
    title.first.wait_for(timeout=60_000)
    _idle(page)
    detail = page.locator(".carrier-detail").first.inner_text()
    assert CONTACT in detail and PHONE in detail and EMAIL in detail and _stage("received") in detail
    view.screenshot("market_loop_3_staff_found.png")
    for to in ("screened", "shortlisted", "visit_arranged", "visited", "offer", "signed"):
        _move(page, ref, to)
        if to in ("shortlisted", "signed"):
            view.screenshot(f"market_loop_4_{to}.png")
    history = page.locator(".sm-table").filter(has_text=NOTES["visited"]).first.inner_text()
    assert all(note in history for note in NOTES.values()) and history.count(STAFF) == 6
    lease = page.locator(".carrier-detail").filter(has_text=_zh("e_lease_area")).last.inner_text()
    assert "456.0" in lease and "95.0" in lease and "2027-01-01 – 2029-12-31" in lease and STAFF in lease


def _after_signing(view, ref: str) -> None:
    """The staff member: the units are let in the Units list; the funnel counts the signature."""
    page = view.page
    _go(page, _zh("page_units"))
    search = page.get_by_label(_zh("u_search"), exact=True)
    search.fill("e2e-unit")
    search.press("Enter")
    page.locator(".sm-table tr").filter(has_text="e2e-unit-3").first.wait_for(timeout=60_000)
    _idle(page)
    rows = {uid: page.locator(".sm-table tr").filter(has_text=uid).first.inner_text() for uid, *_ in UNITS}
    assert all(UNIT_STATUSES["let"].label("zh") in rows[u] for u in LEASED), rows
    assert UNIT_STATUSES["available"].label("zh") in rows["e2e-unit-3"], rows
    view.screenshot("market_loop_5_units_let.png")
    _go(page, _zh("page_funnel"))
    assert (_kpi(page, _zh("fn_kpi_total")), _kpi(page, _zh("fn_kpi_signed"))) == ("1", "1")
    stages = page.locator(".sm-table").filter(has_text=_stage("visit_arranged")).first
    counts = {row.split("\t")[0].strip(): row.split("\t")[1].strip()
              for row in stages.locator("tbody tr").evaluate_all("rs => rs.map(r => r.innerText)")}
    assert {s: counts[_stage(s)] for s in ("received", "offer", "signed", "moved_in")} == \
        {"received": "1", "offer": "1", "signed": "1", "moved_in": "0"}, counts
    view.screenshot("market_loop_6_funnel.png")


def _stored(location, ref: str) -> None:
    """The store agrees: units let, the lease recorded, every step audited with the account."""
    units = read_layer("units", location).set_index("id")
    assert units.loc[list(LEASED), "status"].tolist() == ["let", "let"]
    assert units.loc["e2e-unit-3", "status"] == "available"
    leases = read_layer("leases", location)
    mine = leases.loc[leases["enquiry_id"] == ref].iloc[0]
    assert (mine["carrier_id"], sorted(str(mine["unit_ids"]).split(";")), float(mine["area_m2"]),
            float(mine["rent_cny_m2_month"]), str(mine["start"])[:10], str(mine["end"])[:10], mine["signed_by"]) == \
        ("inc-boji", sorted(LEASED), AREA, RENT, START.isoformat(), END.isoformat(), STAFF)
    events = read_layer("enquiry_events", location)
    steps = events.loc[events["enquiry_id"] == ref].sort_values(["at", "id"])
    assert steps["to_stage"].tolist() == ["received", "screened", "shortlisted", "visit_arranged", "visited",
                                          "offer", "signed"]
    assert steps["who"].tolist() == ["portal"] + [STAFF] * 6
    enquiry = read_layer("enquiries", location).set_index("id").loc[ref]
    assert (enquiry["stage"], enquiry["enterprise_name"], enquiry["contact_phone"]) == ("signed", ENTERPRISE, PHONE)
    assert set(LEASED) <= set(str(enquiry["picked"]).split(";"))
    assert enquiry["consent_version"] and enquiry["consent_at"] and enquiry["consent_text"]  # the consent, kept
    audit = read_layer("audit_log", location)
    assert (audit.loc[audit["layer"] == "enquiries", "who"] == STAFF).sum() >= 6


def _carrier_units(view, query: str, **counts) -> None:
    """Select a carrier with the Map's sidebar search; its detail panel counts its units (public)."""
    page = view.page
    search = page.get_by_label(_zh("search"), exact=True)
    search.fill(query)
    search.press("Enter")
    page.get_by_text(_zh("un_units_count", **counts)).first.wait_for(timeout=60_000)
    _idle(page)


def _new_visitor(view, url: str, ref: str) -> None:
    """A new visitor: every public page (a match run too), the staff pages' addresses; nothing private."""
    private = (ENTERPRISE, CONTACT, PHONE, EMAIL, ref, STAFF, *NOTES.values())
    received: list = []
    view.page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: received.append(frame)))
    found = {}
    for name in (*PUBLIC, *STAFF_PATHS):
        page = view.page
        page.goto(url if name == "map" else f"{url}/{name}")  # a new page load each: a new session
        shown = name if name in PUBLIC else "map"  # a staff page is not there: the default page is
        _heading(page, _zh(f"page_{shown}")).first.wait_for(timeout=60_000)
        if shown == "map":
            view.map_frame().locator(".leaflet-container").wait_for(timeout=60_000)
        if name == "match":  # the same need as the enterprise's
            page.get_by_role("combobox", name=_zh("m_industry"), exact=True).click()
            page.get_by_role("option", name="生物医药", exact=True).click()
            page.get_by_role("button", name=_zh("m_submit"), exact=True).click()
            page.get_by_text(_zh("pt_enq_title")).first.wait_for(timeout=60_000)
        _idle(page)
        links = _nav_links(page)
        assert not [h for _, h in links if h.rstrip("/").endswith(STAFF_PATHS)], name
        assert not page.get_by_text("已登录").count(), name
        if name in STAFF_PATHS:  # not served: the default page (the map) instead
            assert not page.url.split("?")[0].rstrip("/").endswith(name), name
            assert _heading(page, _zh(f"page_{name}")).count() == 0, name
        if name == "map":  # the carrier's units, found by the sidebar search: both let now
            _carrier_units(view, "博济", available=0, let=2, total=2)
            view.screenshot("market_loop_7_map_units_let.png")
            _carrier_units(view, "国际生物医药产业园", available=1, let=0, total=1)
        if name == "match":
            assert page.locator(".sm-enq-sent").count() == 0  # the enterprise's reference is its session's only
        if name == "progress":  # the signed lease's area, settled through the platform: public, a total
            card = page.locator(".sm-kpi").filter(has_text=_zh("pt_settled_total")).first
            assert _kpi(page, _zh("pt_settled_total")) == _zh("value_m2", value=f"{AREA:,.0f}")
            assert _zh("pt_settled_leases", n=1) in card.inner_text()
            card.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            view.screenshot("market_loop_8_progress_settled.png")
        text = _page_text(page)  # the page and the map's frame, with what the page drew for this visitor
        found[name] = [p for p in private if p in text]
    frames = [f if isinstance(f, str) else f.decode("utf-8", "replace") for f in received]
    found["websocket"] = sorted({p for f in frames for p in private if p in f})
    assert {k: v for k, v in found.items() if v} == {}
    assert len(received) > 20


def test_market_loop__enquiry_to_signed_lease_in_the_browser(browser, market_app):
    from tests.e2e.conftest import OfflinePage

    url, location = market_app
    views = [OfflinePage(browser) for _ in range(3)]
    enterprise, staff, visitor = views
    try:
        ref = _enquire(enterprise, url)
        _work_the_enquiry(staff, url, ref)
        _after_signing(staff, ref)
        _stored(location, ref)
        _new_visitor(visitor, url, ref)
        for view in views:
            assert view.errors == [] and view.dialogs == []
            assert [u for u in view.blocked if "127.0.0.1" in u] == []
    except Exception:
        for who, view in zip(("enterprise", "staff", "visitor"), views):
            view.screenshot(f"market_loop_failed_{who}.png")  # where it stopped, for the report
        raise
    finally:
        for view in views:
            view.close()
