"""The Match page's enquiry form under AppTest: an anonymous visitor enquires about the shortlisted
spaces with explicit consent; refusals in the visitor's language; limits per session and per
address; nothing of one visitor's enquiry reaches another."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geodata.storage import read_layer
from messages import t
from messages.market import CONSENT_VERSION
from views import portal_data
from views.match_page import ENQUIRY_FIELDS, GENERATION_KEY, enquiry_key

pytestmark = pytest.mark.gpkg_only  # the pages do not know the backend; their data path runs on both in tests/geodata

APP = str(Path(__file__).resolve().parents[2] / "app.py")
VISITOR = {"enterprise_name": "深圳测试生物科技有限公司", "contact_name": "王小明", "contact_phone": "13800138000",
           "contact_email": "", "credit_code": "91440300708461136T"}
MESSAGE = "想了解 500 ㎡ 左右的湿实验室"


def _matched(lang: str = "zh") -> AppTest:
    """A fresh anonymous session on the Match page after a biomedicine match."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("views/match_page.py").run()
    assert not [b for b in at.button if str(b.key).startswith("FormSubmitter:enq_form")]  # no form before a match
    at.selectbox(key="m_industry").set_value("biomed")
    at.button(key=f"FormSubmitter:need_form-{t('m_submit', lang)}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _key(at: AppTest, field: str) -> str:
    """The key of an enquiry field in this session's current form."""
    return enquiry_key(field, at.session_state[GENERATION_KEY])


def _send(at: AppTest, lang: str = "zh", *, consent: bool = True, **fields) -> AppTest:
    values = {**VISITOR, **fields}
    for field, value in values.items():
        at.text_input(key=_key(at, field)).input(value)
    at.text_area(key=_key(at, "message")).input(MESSAGE)
    if consent:
        at.checkbox(key=_key(at, "consent")).check()
    at.button(key=f"FormSubmitter:enq_form-{t('pt_enq_submit', lang)}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error).replace("\\", "")


def _html(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def _enquiries(location):
    return read_layer("enquiries", location)


def test_enquiry_form__shows_after_a_match_with_the_consent_unticked(store):
    at = _matched()
    assert "向这些空间发起咨询" in [s.value for s in at.subheader]
    picks = [m for m in at.multiselect if str(m.key).startswith("enq_picked_")][0]
    assert picks.value == ["inc-boji", "rp-medtech-pilot-base", "sp-biomed"]  # the top three
    assert at.checkbox(key=_key(at, "consent")).value is False
    assert t("enq_consent_text", "zh") in [c.value for c in at.caption]  # the full consent text
    assert at.text_input(key=_key(at, "enterprise_name")).proto.max_chars == 100


def test_enquiry_form__refused_without_consent(store_copy):
    at = _send(_matched(), consent=False)
    assert "请先阅读并勾选同意书" in _errors(at)
    assert len(_enquiries(store_copy)) == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("field,value,expected", [
    ("contact_phone", "12345", {"zh": "联系电话格式不正确", "en": "The phone number is not valid"}),
    ("contact_email", "not-an-address", {"zh": "电子邮箱格式不正确", "en": "The email address is not valid"}),
    ("credit_code", "91440300708461136X", {"zh": "统一社会信用代码有误：校验码为 X，应为 T",
                                          "en": "The unified social credit code is wrong: check digit is X, "
                                                "expected T"}),
    ("contact_name", "", {"zh": "请填写“联系人”", "en": "Fill in \"Contact name\""}),
    ("enterprise_name", "坏\u202e公司", {"zh": "“企业名称”含有控制字符", "en": "\"Enterprise name\" contains a control"}),
])
def test_enquiry_form__a_bad_field_is_refused_in_the_visitors_language(store_copy, lang, field, value, expected):
    extra = {"contact_email": "wang@example.com"} if field == "contact_phone" else {}
    at = _send(_matched(lang), lang, **{field: value, **extra})
    assert expected[lang] in _errors(at)
    assert "not a phone" not in _errors(at)  # never the domain's English reason
    assert len(_enquiries(store_copy)) == 0
    kept = value if field == "enterprise_name" else VISITOR["enterprise_name"]
    assert at.text_input(key=_key(at, "enterprise_name")).value == kept  # kept to correct


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_enquiry_form__sent_shows_the_reference_stored_with_its_consent(store_copy, lang):
    before = time.time()
    at = _send(_matched(lang), lang)
    assert not at.error
    stored = _enquiries(store_copy)
    assert len(stored) == 1
    row = stored.iloc[0]
    assert row["id"] in _html(at)  # the reference, prominent
    assert t("pt_enq_sent_title", lang) in _html(at)
    assert ("3 天内" if lang == "zh" else "within 3 days") in _html(at)
    assert row["consent_text"] == t("enq_consent_text", lang) and row["consent_version"] == CONSENT_VERSION
    assert abs(pd_time(row["consent_at"]) - before) < 120
    assert (row["channel"], row["stage"], row["contact_phone"]) == ("portal", "received", "13800138000")
    assert row["picked"] == "inc-boji;rp-medtech-pilot-base;sp-biomed" and row["message"] == MESSAGE
    assert row["credit_code"] == "91440300708461136T"
    assert at.session_state[GENERATION_KEY] == 1  # a new, empty form: the browser draws new fields
    for field in ENQUIRY_FIELDS:
        assert enquiry_key(field, 0) not in at.session_state  # the contact left the session
        assert at.session_state[enquiry_key(field, 1)] in ("", False)
    assert VISITOR["contact_name"] not in _html(at) + " ".join(m.value for m in at.markdown)


def pd_time(text) -> float:
    from datetime import datetime

    return datetime.fromisoformat(str(text)).timestamp()


def test_enquiry_form__a_session_sends_at_most_three_an_hour(store_copy):
    at = _matched()
    for n in range(3):
        _send(at, contact_phone=f"1380013800{n}")
        assert not at.error
    _send(at, contact_phone="13800138009")
    assert "一小时内已发送 3 条咨询" in _errors(at) and "分钟后再试" in _errors(at)
    assert len(_enquiries(store_copy)) == 3


def test_enquiry_form__an_address_sends_five_then_waits(store_copy, monkeypatch):
    monkeypatch.setattr(portal_data, "client_address", lambda: "203.0.113.7")
    first = _matched()
    for n in range(3):
        _send(first, contact_phone=f"1380013800{n}")
        assert not first.error
    second = _matched("en")  # another session from the same address
    for n in range(2):
        _send(second, "en", contact_phone=f"1390013900{n}")
        assert not second.error
    _send(second, "en", contact_phone="13900139009")
    assert "Too many enquiries have come from your network address" in _errors(second)
    assert "about 60 minutes" in _errors(second)
    assert len(_enquiries(store_copy)) == 5
    monkeypatch.setattr(portal_data, "client_address", lambda: "198.51.100.1")  # another address is not held up
    third = _send(_matched())
    assert not third.error and len(_enquiries(store_copy)) == 6


def test_enquiry_form__another_visitor_sees_nothing_of_the_first(store_copy):
    from tests.views.test_english_pages import page_texts

    first = _send(_matched())
    ref = _enquiries(store_copy)["id"].iloc[0]
    assert ref in _html(first)
    other = _matched()
    texts = " ".join(text for _, text in page_texts(other))
    for secret in (ref, *[v for v in VISITOR.values() if v], MESSAGE):
        assert secret not in texts
    assert portal_data.SENT_KEY not in other.session_state


@pytest.mark.parametrize("reason,key,field", [
    ("the enquiry needs your consent to the processing of the contact's personal data", "pt_err_consent", None),
    ("enterprise name is missing", "pt_err_required", "enterprise"),
    ("message has at most 1000 characters, got 1200", "pt_err_too_long", "message"),
    ("contact name contains a control character", "pt_err_control", "contact"),
    ("enterprise name contains a line break, a tab or an invisible character", "pt_err_control", "enterprise"),
    ("picked units or carriers: at most 20, got 25", "pt_err_picks", "picked"),
    ("not a phone number: '12'", "pt_err_phone", "phone"),
    ("unified social credit code 91440300708461136X: check digit is X, expected T", "pt_err_credit", "credit_code"),
    ("no unit or carrier sp-gone", "pt_err_unknown_pick", "picked"),
    ("consent text is missing", "pt_err_generic", None),  # not the visitor's doing: no field named
    ("something new the domain says", "pt_err_generic", None),
])
def test_refusal__the_domains_english_reasons_become_catalogue_messages(reason, key, field):
    refused = portal_data.refusal(reason)
    assert (refused.key, refused.field) == (key, field)
    for lang in ("zh", "en"):
        text = refused.text(lang)
        assert text and "'" not in text and "sp-gone" not in text  # never what was typed, never the English


def test_address_wait__five_free_then_one_an_hour_after_the_last():
    assert [portal_data.address_wait(n, 1000.0, 1000.0) for n in range(5)] == [0.0] * 5
    assert portal_data.address_wait(5, 1000.0, 1000.0) == 3600.0
    assert portal_data.address_wait(5, 1000.0, 4600.0) == 0.0  # an hour later: one more
    assert portal_data.address_wait(9, 1000.0, 2800.0) == 1800.0
