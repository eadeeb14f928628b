"""Every page in English under AppTest: no Chinese-only interface text.

Each page is rendered with the session's language set to English (and exercised: a carrier
selected on the Map, a default and a detailed match, another tally unit, an editor's import
preview with rejected rows). Every text the page sends — headers, captions, Markdown, widget
labels, options, placeholders and help, HTML blocks (their SVG charts decoded), dataframe and
chart data, the map component's HTML — is collected; names and citations from the store's
layers (legitimately Chinese data) are taken out; what remains must hold no CJK character.
"""
from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pytest
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from layers.popups import provenance
from spatial.provenance import readable_source
from tests.helpers import as_role


pytestmark = pytest.mark.gpkg_only  # the pages do not know the backend; one is enough here

APP = str(Path(__file__).resolve().parents[2] / "app.py")
CJK = re.compile(r"[\u4e00-\u9fff]+")
LANGUAGE_SWITCH = "lang_switch"
"""Names both languages on purpose ("语言 / Language", "中文 | English"): the way back to Chinese."""
SVG_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")
JSON_UNICODE = re.compile(r"\\u([0-9a-fA-F]{4})")
IMPORT_CSV = (b"name_zh,name_en,lon,lat,floor_area_m2,colour\n"
              b"Test Park A,Test Park A,114.0560,22.5405,1200,red\n"
              b"Test Park B,Test Park B,22.5405,114.0560,,blue\n"
              b"Test Park C,Test Park C,114.0560,22.5405,abc,green\n")


# ---- collecting the text of a page ---------------------------------------------------------------

def _decoded(text: str) -> str:
    """A string as the user reads it: JSON escapes and backslashes undone, entities decoded,
    inline SVG charts decoded."""
    text = SVG_URI.sub(lambda m: base64.b64decode(m.group(1)).decode("utf-8", "replace"), text)
    for _ in range(3):  # folium's JavaScript nests JSON in JSON
        text = JSON_UNICODE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return html.unescape(text.replace("\\", ""))


def _frame_texts(arrow: bytes):
    frame = dataframe_util.convert_arrow_bytes_to_pandas_df(arrow)
    yield from (str(c) for c in frame.columns)
    for column in frame.columns:
        yield from (v for v in frame[column].tolist() if isinstance(v, str))


def _proto_texts(message):
    """Every string in a protobuf message, with the tables (Arrow) inside it decoded."""
    for field, value in message.ListFields():
        scalar = isinstance(value, (str, bytes)) or hasattr(value, "ListFields")
        repeated = hasattr(value, "__len__") and not scalar
        values = list(value) if repeated else [value]
        for v in values:
            if field.message_type is not None and field.message_type.name == "Arrow":
                if v.data:
                    yield from _frame_texts(v.data)
            elif field.message_type is not None:
                if hasattr(v, "ListFields"):
                    yield from _proto_texts(v)
            elif isinstance(v, str):
                yield v


def _elements(node):
    children = getattr(node, "children", None)
    if children:
        for child in children.values():
            yield from _elements(child)
    else:
        yield node


def page_texts(at: AppTest) -> list[tuple[str, str]]:
    """(element type, text) for every text of the page as rendered (the language switch left out)."""
    out = []
    for element in _elements(at._tree):
        proto = getattr(element, "proto", None)
        if proto is None or getattr(element, "key", None) == LANGUAGE_SWITCH:
            continue
        out += [(element.type, _decoded(s)) for s in _proto_texts(proto) if s]
    return out


def chinese_left(at: AppTest, data_values: list[str]) -> list[str]:
    """Snippets of the page's text still holding CJK after the data values are taken out."""
    found = []
    for kind, text in page_texts(at):
        for value in data_values:
            if value in text:
                text = text.replace(value, " ")
        for m in CJK.finditer(text):
            found.append(f"{kind}: …{text[max(0, m.start() - 40):m.end() + 40]}…")
    return sorted(set(found))


def assert_english(at: AppTest, data_values: list[str]) -> None:
    assert not at.exception, [e.value for e in at.exception]
    left = chinese_left(at, data_values)
    assert not left, "Chinese-only interface text on an English page:\n" + "\n".join(left)


# ---- fixtures ---------------------------------------------------------------------------------------

def _citations_read(value: str, registry: dict) -> set[str]:
    """A source column as an English page reads it: the whole column and each of its "; "-joined
    citations, the document's file name replaced by its English title ("“title” section: quote"),
    "[ext]" by "external:". The section and quote stay as the source gives them: data."""
    return {readable_source(piece, registry, "en") for piece in {value, *value.split("; ")}}


@pytest.fixture(scope="module")
def data_values(frames) -> list[str]:
    """Every text in the store's layers with Chinese in it (names, addresses, citations — also as
    read in English —, measures…), longest first: data, shown as it is in either language."""
    registry = provenance(frames).registry
    values = set()
    for frame in frames.values():
        for column in frame.columns:
            if frame[column].dtype == object:
                texts = [v for v in frame[column].dropna() if isinstance(v, str) and CJK.search(v)]
                values.update(texts)
                values.update(read for v in texts for read in _citations_read(v, registry) if CJK.search(read))
    return sorted(values, key=len, reverse=True)


def _english(page: str | None = None, account: dict | None = None) -> AppTest:
    import time

    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "en"
    if account:
        at.session_state["account"] = account
        at.session_state["account_seen"] = time.time()
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ---- the pages ----------------------------------------------------------------------------------------

def test_map_page__english_has_no_chinese_only_text(store, data_values):
    at = _english()
    assert at.header[0].value == "Map"
    assert_english(at, data_values)
    at.selectbox(key="map_pick").set_value("sp-biomed").run()  # the detail panel
    at.sidebar.selectbox(key="map_choropleth").set_value("ch_cl_incubation").run()  # legend with "unknown"
    at.sidebar.text_input(key="map_search").set_value("hua").run()  # search results
    assert "Carrier details" in [s.value for s in at.subheader]
    assert_english(at, data_values)


def test_match_page__english_has_no_chinese_only_text(store, data_values):
    at = _english("views/match_page.py")
    assert_english(at, data_values)
    at.button[0].click().run()  # the default match
    assert any("results" in m.value for m in at.markdown)
    assert_english(at, data_values)
    at.selectbox(key="m_industry").set_value("biomed")
    at.selectbox(key="m_stage").set_value("startup")
    at.selectbox(key="m_near").set_value("lm:lm-huanggang-port")
    at.number_input(key="m_within").set_value(4.0)
    at.number_input(key="m_max_rent").set_value(80.0)
    at.multiselect(key="m_facilities").set_value(["wet_lab"])
    at.button[0].click().run()  # flags, exclusion reasons, near misses
    assert "has a facility that may be a wet lab" in "\n".join(h.proto.body for h in at.get("html"))
    assert_english(at, data_values)


def test_tally_page__english_has_no_chinese_only_text(store, data_values):
    at = _english("views/tally_page.py")
    assert at.header[0].value == "Tally"
    assert_english(at, data_values)
    at.radio(key="tl_kind").set_value("hetao").run()  # the special rows (inside / outside Hetao)
    assert_english(at, data_values)


def test_progress_page__english_has_no_chinese_only_text(store, data_values, monkeypatch):
    monkeypatch.setenv("SPACEMAP_TODAY", "2026-11-22")
    at = _english("views/progress_page.py")
    assert at.header[0].value == "Progress"
    chart = "".join(_decoded(m.group(0)) for h in at.get("html") for m in SVG_URI.finditer(h.proto.body))
    assert "760k" in chart and "万" not in chart  # the chart's figures, in English
    assert_english(at, data_values)


def test_overview_page__english_has_no_chinese_only_text(store, data_values):
    at = _english("views/overview.py")
    assert at.header[0].value == "Data overview"
    assert_english(at, data_values)


def test_data_page__english_has_no_chinese_only_text(store_copy, data_values):
    assert_english(_english(), data_values)  # the sidebar's login box
    at = _english("views/data_page.py", as_role("staff", store_copy))
    assert_english(at, data_values)  # staff: problems and the audit log, no editing
    at = _english("views/data_page.py", as_role("editor", store_copy))
    at.get("file_uploader")[0].set_value(("parks.csv", IMPORT_CSV, "text/csv")).run()
    at.button(key="d_check").click().run()  # preview: notes, rejected rows with reasons
    assert any("Rejected rows" in m.value for m in at.markdown)
    assert_english(at, data_values)


def test_staff_pages__english_has_no_chinese_only_text(store_copy, data_values):
    from geodata.stewardship.pool import save_need
    from spatial.need import Need

    save_need("Biotech start-up", Need(industry="biomed", area_min=300.0), who="staff-test", location=store_copy)
    admin = as_role("admin", store_copy)
    for page in ("views/workspace_page.py", "views/accounts_page.py"):
        at = _english(page, admin)
        assert at.header[0].value in ("Workspace", "Accounts")
        assert_english(at, data_values)
