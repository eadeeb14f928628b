"""Units on the public pages under AppTest, on a store copy with a few units of one carrier: the
Match page by unit (available units only, a stale one flagged, the enquiry picking a unit), the
Map's detail panel (available now from units with its basis, units available and let, the stale
flag, the units and their attachments' public list), the Tally's note on where available area
comes from; Chinese and English. The popup's rows are checked as pure functions."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pandas as pd
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from geodata.ingest.schema import coerce_frame
from geodata.stewardship.audit import audit_row
from geodata.stewardship.units import add_attachment
from geodata.storage import open_store, read_layer
from layers.catalogue import get_layer
from layers.popups import popup_html, supply_rows
from messages import t
from tests.helpers import APP, page_html
from views.match_page import GENERATION_KEY, enquiry_key

pytestmark = pytest.mark.gpkg_only  # the pages do not know the backend; their data path runs on both in tests/geodata

CARRIER = "sp-xinyidai"
UPLOADER = "uploader-kept-private"
UNITS = (  # id, label, area, basis, use, rent, status, verified days ago
    ("u-fresh", "T-501", 500.0, "gross", "office", 120.0, "available", 10),
    ("u-old", "T-802", 800.0, "gross", "lab", 90.0, "available", 200),
    ("u-let", "T-601", 600.0, "gross", "office", 100.0, "let", 5),
    ("u-gone", "T-701", 700.0, "gross", "office", 100.0, "withdrawn", 5),
    ("u-held", "T-901", 650.0, "gross", "office", 100.0, "reserved", 5),
)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 90, 200)).save(out, format="PNG")
    return out.getvalue()


def insert_units(location, rows=UNITS, carrier: str = CARRIER):
    """Put ``rows`` into the store's units (audited, as an import would) and a photo on the first."""
    today = date.today()
    frame = pd.DataFrame([{"id": i, "carrier_id": carrier, "building": "A座", "floor": label[2] + "F",
                           "unit_label": label, "area_m2": area, "area_basis": basis, "use": use,
                           "rent_asked_cny_m2_month": rent, "available_from": today.isoformat(), "status": status,
                           "source": "test", "verified_on": (today - timedelta(days=ago)).isoformat(),
                           "synthetic": True}
                          for i, label, area, basis, use, rent, status, ago in rows])
    typed, problems = coerce_frame(frame, get_layer("units"))
    assert not problems, problems
    store = open_store(location)
    audit = audit_row(store.read_layer("audit_log"), who="test-setup", action="import", layer="units",
                      added=len(typed), changes='{"layer": "units", "ids": [], "before": {}}')
    store.change_rows({"units": (typed, [])}, tables={"audit_log": audit})
    add_attachment(rows[0][0], "floor plan.png", _png(), who=UPLOADER, location=location)
    return location


@pytest.fixture
def with_units(store_copy):
    return insert_units(store_copy)


def _open(page: str, lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _matched(lang: str, level: str | None = None) -> AppTest:
    """The Match page after a match near the carrier with units (within 0.5 km)."""
    at = _open("views/match_page.py", lang)
    if level is not None:
        at.radio(key="m_level").set_value(level).run()
    at.selectbox(key="m_near").set_value(f"c:{CARRIER}")
    at.number_input(key="m_within").set_value(0.5)
    at.slider(key="m_top").set_value(20)
    at.button(key=f"FormSubmitter:need_form-{t('m_submit', lang)}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shortlist(at: AppTest) -> str:
    html = page_html(at)
    start = html.index(t("un_col_unit", at.session_state["lang"]))
    return html[start:html.index("</table>", start)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_match_page__by_unit_lists_available_units_with_a_stale_flag(with_units, lang):
    at = _matched(lang)
    assert at.radio(key="m_level").value == "unit"  # by unit, first, where the store has available units
    assert any(("2 个可租单元（属于 1 个载体）" if lang == "zh" else "2 available unit(s) of 1 carrier(s)") in c.value
               for c in at.caption)
    table = _shortlist(at)
    rows = {label: table[table.index(label):table.index("</tr>", table.index(label))] for label in ("T-501", "T-802")}
    assert "500 m²" in rows["T-501"] and ("建筑面积" if lang == "zh" else "gross floor area") in rows["T-501"]
    assert t("flag_unit_stale", lang) in rows["T-802"] and t("flag_unit_stale", lang) not in rows["T-501"]
    assert "⚠" in rows["T-802"] and "⚠" not in rows["T-501"]
    assert ("实验室" if lang == "zh" else "Laboratory") in rows["T-802"] and "90" in rows["T-802"]  # use, rent
    for not_offered in ("T-601", "T-701", "T-901"):  # let, withdrawn, reserved
        assert not_offered not in page_html(at)
    assert t("un_no_unit", lang) in table  # carriers listing no unit, by their stated figures


def test_match_page__by_carrier_stays_a_carrier_list(with_units):
    at = _matched("en", level="carrier")
    html = page_html(at)
    assert t("un_col_unit", "en") not in html and "T-501" not in html
    assert "Shenzhen New-Generation Information Technology Industrial Park" in html
    at.radio(key="m_level").set_value("unit").run()  # the same need, now by unit, and back
    assert not at.exception, [e.value for e in at.exception]
    assert "T-501" in _shortlist(at)
    at.radio(key="m_level").set_value("carrier").run()
    assert not at.exception and "T-501" not in page_html(at)


def test_match_page__the_enquiry_picks_a_unit_by_its_id(with_units):
    at = _matched("zh")
    picks = [m for m in at.multiselect if str(m.key).startswith("enq_picked_")][0]
    labels = " ".join(picks.options)  # "rank. carrier · building floor unit"
    assert "A座 5F T-501" in labels and "A座 8F T-802" in labels and not {"T-601", "T-701", "T-901"} & set(labels.split())
    assert "u-fresh" in picks.value  # the top three by their ids: units by unit id
    picks.set_value(["u-old"])
    gen = at.session_state[GENERATION_KEY]
    for field, value in {"enterprise_name": "深圳测试单元科技有限公司", "contact_name": "李四",
                         "contact_phone": "13800138000"}.items():
        at.text_input(key=enquiry_key(field, gen)).input(value)
    at.checkbox(key=enquiry_key("consent", gen)).check()
    at.button(key=f"FormSubmitter:enq_form-{t('pt_enq_submit', 'zh')}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    stored = read_layer("enquiries", with_units)
    assert stored["picked"].tolist() == ["u-old"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_detail_panel__available_now_from_units_with_basis_and_stale_flag(with_units, lang):
    at = _open("", lang)
    at.sidebar.text_input(key="map_search").set_value(CARRIER).run()
    assert not at.exception, [e.value for e in at.exception]
    html = page_html(at)
    panel = html[html.index("carrier-detail"):]
    basis = "建筑面积" if lang == "zh" else "gross floor area"
    assert t("un_available_now", lang) in panel and "1,300 m²" in panel  # 500 + 800 available, gross
    assert t("un_from_units", lang, n=2, basis=basis) in panel
    assert t("un_units_count", lang, available=2, let=1, total=5) in panel
    assert t("un_stale_units", lang, n=1) in panel  # u-old; the withdrawn unit does not count
    assert any(t("un_units_title", lang, n=2, name="").lstrip(":：") in m.value.replace("\\", "") for m in at.markdown)
    units = html[html.index("sm-units"):html.index("</table>", html.index("sm-units"))]
    assert "T-501" in units and "T-802" in units and "T-601" not in units and "T-701" not in units
    assert t("un_stale_mark", lang) in units
    files = html[html.index("sm-files"):html.index("</table>", html.index("sm-files"))]
    assert "floor plan.png" in files and "<td>PNG</td>" in files and "KB" in files
    assert UPLOADER not in html  # who added a file is not public


def test_map_detail_panel__a_carrier_without_units_says_its_figure_is_as_stated(with_units):
    at = _open("", "en")
    at.sidebar.text_input(key="map_search").set_value("inc-boji").run()
    html = page_html(at)
    panel = html[html.index("carrier-detail"):html.index("</table>", html.index("carrier-detail"))]
    assert t("un_available_now", "en") in panel
    assert t("un_stated_basis", "en") in panel or t("un_unknown_basis", "en") in panel
    assert "sm-units" not in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tally_page__says_which_carriers_have_available_area_from_units(with_units, lang):
    at = _open("views/tally_page.py", lang)
    expected = "1 个载体来自其登记的单元" if lang == "zh" else "from units for 1 carrier(s)"
    assert [c.value for c in at.caption if expected in c.value]


def test_public_pages__without_units_stay_as_they_were(store):
    match = _open("views/match_page.py", "zh")
    assert not [r for r in match.radio if r.key == "m_level"]
    tally = _open("views/tally_page.py", "zh")
    assert not any("登记的单元" in c.value for c in tally.caption)


# ---- the popup's rows (pure) ------------------------------------------------------------------------

CARRIER_ROW = {"id": "c1", "layer": "science_parks", "name_zh": "园", "name_en": "Park", "status": "operating",
               "available_area_m2": 5000.0, "available_area_source": "a source"}


def test_supply_rows__none_without_supply_columns():
    assert supply_rows(CARRIER_ROW, "en") == []
    assert "Available now" not in popup_html(CARRIER_ROW, "en")


def test_supply_rows__units_and_stated_shown_apart_never_added():
    row = {**CARRIER_ROW, "units": 4, "units_available": 2, "units_let": 1, "available_units_m2": 300.0,
           "available_units_basis": "usable", "available_now_m2": 300.0, "available_basis": "units",
           "occupancy": 0.25, "stale_units": 0}
    html = popup_html(row, "en")
    assert "5,000 m²" in html and "300 m²" in html and "5,300" not in html
    assert "from 2 available units (usable area)" in html and "25%" in html and "not verified" not in html


def test_supply_rows__mixed_bases_are_not_added():
    row = {**CARRIER_ROW, "units": 2, "units_available": 2, "units_let": 0, "available_units_basis": "mixed",
           "available_gross_m2": 200.0, "available_usable_m2": 100.0, "available_now_m2": float("nan"),
           "available_basis": "units", "occupancy": float("nan"), "stale_units": 2}
    rows = {r[0]: r for r in supply_rows(row, "zh")}
    now = rows[t("un_available_now", "zh")]
    assert "200 m²（建筑面积）" in now[1] and "100 m²（使用面积）" in now[1] and "300" not in now[1]
    assert now[2] == t("un_from_units_mixed", "zh", n=2)
    assert t("un_occupancy", "zh") not in rows  # unknown occupancy: no row, never 0
    assert t("un_stale_units", "zh", n=2) in rows[t("un_units", "zh")][1]


def test_supply_rows__unknown_and_stated_say_so():
    stated = {r[0]: r for r in supply_rows({**CARRIER_ROW, "units": 0, "available_now_m2": 5000.0,
                                            "available_basis": "stated"}, "en")}
    assert stated["Available now"][1:] == ("5,000 m²", t("un_stated_basis", "en"))
    assert "Units" not in stated
    unknown = supply_rows({**CARRIER_ROW, "available_area_m2": None, "units": 0, "available_now_m2": None,
                           "available_basis": None}, "en")
    assert unknown == [("Available now", "unknown", t("un_unknown_basis", "en"))]


def test_popup__unit_text_from_the_data_is_escaped():
    row = {**CARRIER_ROW, "name_en": "<b>x</b>", "units": 1, "units_available": 1, "units_let": 0,
           "available_units_basis": "<script>", "available_now_m2": 10.0, "available_basis": "units",
           "occupancy": float("nan"), "stale_units": 0}
    html = popup_html(row, "en")
    assert "<script>" not in html and "<b>x</b>" not in html


def test_map_detail_panel__a_carrier_whose_units_are_all_let_offers_none_now(store_copy):
    insert_units(store_copy, rows=(("b-let", "B-101", 300.0, "usable", "lab", None, "let", 3),), carrier="inc-boji")
    at = _open("", "en")
    at.sidebar.text_input(key="map_search").set_value("inc-boji").run()
    assert not at.exception, [e.value for e in at.exception]
    html = page_html(at)
    panel = html[html.index("carrier-detail"):html.index("</table>", html.index("carrier-detail"))]
    assert t("un_from_no_units", "en") in panel and "<td>0 m²</td>" in panel  # a known zero
    assert t("un_units_count", "en", available=0, let=1, total=1) in panel
    assert t("un_none_available", "en") in [c.value for c in at.caption]
    assert "sm-units" not in html and "sm-files" not in html and "floor plan.png" not in html
