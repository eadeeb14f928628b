"""The Match page under AppTest."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

from geodata.storage import read_layer
from tests.helpers import open_as

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _match_page(role=None, location=None):
    if role is not None:
        return open_as(role, location, "views/match_page.py")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/match_page.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _html(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def _biomed_match(at):
    at.selectbox(key="m_industry").set_value("biomed")
    at.selectbox(key="m_stage").set_value("startup")
    at.selectbox(key="m_near").set_value("lm:lm-huanggang-port")
    at.number_input(key="m_within").set_value(4.0)
    at.multiselect(key="m_facilities").set_value(["wet_lab"])
    at.button[0].click().run()
    assert not at.exception
    html = _html(at)
    assert html.index("博济生物医药研发公共服务平台配套孵化器") < html.index("国际生物医药产业园")
    assert "有可能是湿实验室的设施" in html  # flags in the interface language
    assert any("个结果" in m.value for m in at.markdown)
    return at


def test_match_page__visitor_gets_the_shortlist_but_no_demand_pool(store):
    at = _biomed_match(_match_page())
    assert not at.get("text_input") or "m_pool_name" not in [w.key for w in at.text_input]
    assert "反向匹配" not in _html(at) and not [b for b in at.button if b.key == "m_pool_save"]


def test_match_page__staff_save_the_need_audited_and_reverse_match_it(store_copy):
    at = _biomed_match(_match_page("staff", store_copy))
    at.text_input(key="m_pool_name").set_value("生物医药初创 A").run()
    at.button(key="m_pool_save").click().run()
    assert not at.exception
    pool = read_layer("demand_pool", store_copy)
    assert pool["name"].tolist() == ["生物医药初创 A"]
    audit = read_layer("audit_log", store_copy)
    assert (audit["who"].iloc[-1], audit["action"].iloc[-1]) == ("staff-test", "pool-add")
    work = open_as("staff", store_copy, "views/workspace_page.py")
    work.selectbox(key="w_reverse_pick").set_value("sp-biomed").run()
    assert "生物医药初创 A" in _html(work)


def test_match_page__nothing_fits_shows_near_misses(store):
    at = _match_page()
    at.selectbox(key="m_industry").set_value("quantum")
    at.selectbox(key="m_near").set_value("lm:lm-seg-plaza")
    at.number_input(key="m_within").set_value(0.5)
    at.button[0].click().run()
    assert not at.exception
    assert any("可增加" in i.value for i in at.info)


def test_match_page__without_units_matches_carriers_as_before(store):
    """The bundled store lists no unit: no choice of level, the carrier shortlist as it always was."""
    from messages import t

    at = _biomed_match(_match_page())
    assert not [r for r in at.radio if r.key == "m_level"]
    html = _html(at)
    headers = [t(k, "zh") for k in ("m_rank", "col_name", "layer_col", "m_score", "m_distance", "m_flags")]
    assert "<thead><tr>" + "".join(f"<th>{h}</th>" for h in headers) + "</tr></thead>" in html
    assert t("un_col_unit", "zh") not in html and t("un_level_note", "zh", units=0, carriers=0, bare=0)[:6] not in html
