"""The Units page under AppTest, on a store copy with synthetic units: an operator sees and edits
only its own carriers' units (audited, conflicts refused, undo of its own change only), no enquiry
data; attachments checked by their content (HTML named .png refused), viewed and removed; staff
read only; editors every unit; English."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from geodata.stewardship.units import edit_unit
from geodata.storage import read_layer
from tests.helpers import open_as, page_html
from tests.views.test_enquiries_page import data_texts, fill_market, open_account, operator

pytestmark = pytest.mark.gpkg_only  # the pages do not know the backend; their data path runs on both in tests/geodata

PAGE = "views/units_page.py"


@pytest.fixture
def market(store_copy):
    return fill_market(store_copy)


def _carriers(location) -> list[str]:
    units = read_layer("units", location)
    return sorted(set(units["carrier_id"]))


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _choose(at, unit_id: str):
    at.text_input(key="w_unit_search").input(unit_id).run()
    at.selectbox(key="w_unit_pick").set_value(unit_id).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _save(at, unit_id: str, *, status: str, reason: str):
    at.selectbox(key=f"w_unit_f_status_{unit_id}").set_value(status)
    at.text_input(key=f"w_unit_f_reason_{unit_id}").input(reason)
    at.button(key=f"FormSubmitter:w_unit_f_form_{unit_id}-保存").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_operator__sees_only_its_own_units_and_no_enquiry_data(market):
    mine, other = _carriers(market)[:2]
    at = open_account(operator(market, "op-one", [mine]), PAGE)
    units = read_layer("units", market)
    html = page_html(at)
    assert all(u in html for u in units.loc[units["carrier_id"] == mine, "id"])
    assert not any(u in html for u in units.loc[units["carrier_id"] == other, "id"])
    options = at.selectbox(key="w_unit_pick").options
    assert len(options) == (units["carrier_id"] == mine).sum()
    text = html + "".join(str(e.value) for kind in ("markdown", "caption") for e in at.get(kind))
    assert "syn-enq" not in text and "演示企业" not in text and "example.com" not in text


def test_operator__edits_its_unit_audited_and_undoes_it(market):
    mine = _carriers(market)[0]
    units = read_layer("units", market)
    uid = units.loc[(units["carrier_id"] == mine) & (units["status"] != "withdrawn"), "id"].iloc[0]
    at = _choose(open_account(operator(market, "op-one", [mine]), PAGE), uid)
    _save(at, uid, status="withdrawn", reason="taken off the market")
    assert at.success and uid in at.success[0].value
    row = read_layer("units", market).set_index("id").loc[uid]
    assert row["status"] == "withdrawn" and row["row_version"] == 2
    audit = read_layer("audit_log", market)
    assert audit[["who", "action", "layer", "reason"]].iloc[-1].tolist() == ["op-one", "edit", "units",
                                                                          "taken off the market"]
    at.button(key="w_unit_undo").click().run()
    assert not at.exception and read_layer("units", market).set_index("id").loc[uid, "status"] == units.set_index(
        "id").loc[uid, "status"]


def test_operator__cannot_edit_or_undo_another_carriers_unit(market):
    mine, other = _carriers(market)[:2]
    units = read_layer("units", market)
    theirs = units.loc[units["carrier_id"] == other, "id"].iloc[0]
    operator(market, "op-two", [other])
    at = open_account(operator(market, "op-one", [mine]), PAGE)
    at.text_input(key="w_unit_search").input(theirs).run()
    assert not [s for s in at.selectbox if s.key == "w_unit_pick"]  # not listed at all
    edit_unit(theirs, {"status": "let"}, reason="signed elsewhere", who="op-two",
              account={"name": "op-two", "role": "operator", "carriers": [other]}, location=market)
    at.text_input(key="w_unit_search").input("").run()
    at.button(key="w_unit_undo").click().run()
    assert not at.exception and any("op\\-two" in e.value or "op-two" in e.value for e in at.error)
    assert read_layer("units", market).set_index("id").loc[theirs, "status"] == "let"  # their change stands


def test_edit__a_stale_version_is_a_conflict_and_changes_nothing(market):
    mine = _carriers(market)[0]
    units = read_layer("units", market)
    uid = units.loc[units["carrier_id"] == mine, "id"].iloc[0]
    at = _choose(open_as("editor", market, PAGE), uid)
    edit_unit(uid, {"notes": "checked by phone"}, reason="call", who="someone-else", location=market)
    before = read_layer("units", market).set_index("id").loc[uid].to_dict()
    _save(at, uid, status="reserved", reason="held for a visit")
    assert any("其他人已更改了单元" in e.value for e in at.error)
    assert read_layer("units", market).set_index("id").loc[uid].to_dict() == before


def test_attachments__html_named_png_refused_a_photo_kept_shown_and_removed(market):
    mine = _carriers(market)[0]
    uid = read_layer("units", market).query("carrier_id == @mine")["id"].iloc[0]
    at = _choose(open_account(operator(market, "op-one", [mine]), PAGE), uid)
    uploader = at.get("file_uploader")[0]
    uploader.set_value(("plan.png", b"<html><script>alert(1)</script></html>", "image/png")).run()
    at.button(key="w_unit_attach").click().run()
    assert not at.exception and any("HTML" in e.value for e in at.error)
    assert read_layer("unit_attachments", market).empty
    at.get("file_uploader")[0].set_value(("photo.png", _png(), "image/png")).run()
    at.button(key="w_unit_attach").click().run()
    assert not at.exception and at.success
    listed = read_layer("unit_attachments", market)
    assert listed[["file_name", "mime", "added_by"]].iloc[0].tolist() == ["photo.png", "image/png", "op-one"]
    assert at.get("image") and "photo.png" in page_html(at)
    at.button(key="w_unit_remove").click().run()
    assert not at.exception and bool(read_layer("unit_attachments", market)["removed"].iloc[0])
    assert any("还没有附件" in c.value for c in at.caption)


def test_staff__read_only_editors_edit_every_unit(market):
    staff = open_as("staff", market, PAGE)
    assert staff.header[0].value == "可租单元" and not staff.get("file_uploader")
    assert not [f for f in staff.get("form")] and any("只读" in c.value for c in staff.caption)
    units = read_layer("units", market)
    editor = open_as("editor", market, PAGE)
    assert any(f"{len(units):,} 个单元" in c.value for c in editor.caption)
    uid = units["id"].iloc[-1]
    _save(_choose(editor, uid), uid, status="let", reason="lease signed offline")
    assert read_layer("units", market).set_index("id").loc[uid, "status"] == "let"


def test_anonymous__no_units_page(market):
    at = open_as(None, market)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


@pytest.mark.gpkg_only
def test_english__no_chinese_only_text(market):
    from tests.views.test_english_pages import assert_english

    mine = _carriers(market)[0]
    at = open_account(operator(market, "op-one", [mine]), PAGE, "en")
    assert at.header[0].value == "My units"
    assert_english(at, data_texts(market))
    at.get("file_uploader")[0].set_value(("photo.png", _png(), "image/png")).run()
    at.button(key="w_unit_attach").click().run()
    assert_english(at, data_texts(market))
