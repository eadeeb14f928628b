"""The Match page under AppTest."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

from geodata.storage import read_layer

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _match_page():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/match_page.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _html(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def test_match_page__biomed_startup_shortlist_and_save(store_copy):
    own = store_copy
    at = _match_page()
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
    at.text_input(key="m_pool_name").set_value("生物医药初创 A").run()
    at.button(key="m_pool_save").click().run()
    assert not at.exception
    pool = read_layer("demand_pool", own)
    assert pool["name"].tolist() == ["生物医药初创 A"]
    at.selectbox(key="m_reverse_pick").set_value("sp-biomed").run()
    assert "生物医药初创 A" in _html(at)


def test_match_page__nothing_fits_shows_near_misses(store):
    at = _match_page()
    at.selectbox(key="m_industry").set_value("quantum")
    at.selectbox(key="m_near").set_value("lm:lm-seg-plaza")
    at.number_input(key="m_within").set_value(0.5)
    at.button[0].click().run()
    assert not at.exception
    assert any("可增加" in i.value for i in at.info)
