"""The Data page under AppTest: staff read the problems and the audit log; editors import and correct."""
import pytest

from tests.helpers import as_role, open_as, page_html


@pytest.fixture
def page(store_copy):
    return lambda role="editor": open_as(role, store_copy, "views/data_page.py")


def test_data_page__staff_read_only(page):
    at = page("staff")
    assert at.header[0].value == "数据管理"
    assert any("数据编辑角色" in i.value for i in at.info)
    assert not at.get("file_uploader") and not [w for w in at.text_input if w.key.startswith("d_")]


def test_data_page__not_for_visitors_even_when_opened_directly(store_copy):
    from streamlit.testing.v1 import AppTest

    from tests.helpers import APP

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/data_page.py")
    # the page itself refuses too when run without the role (e.g. a stale navigation)
    as_role("staff", store_copy)
    at.session_state["account"] = {"name": "nobody", "role": "admin"}  # not an account in the store
    at.run()
    assert "account" not in at.session_state


def _logged_in(page):
    """The Data page with the editor ``editor-test`` logged in."""
    at = page("editor")
    assert at.get("file_uploader")  # import is open
    return at


def test_data_page__correction_is_logged(page):
    at = _logged_in(page)
    at.selectbox(key="d_fix_id").set_value("lc-fintech-city")
    at.selectbox(key="d_fix_field").set_value("notes")
    at.text_input(key="d_fix_value").input("checked on site")
    at.text_input(key="d_fix_reason").input("site visit")
    at.button(key="FormSubmitter:d_correct_form-保存更正").click().run()
    assert not at.exception
    assert "已更正并记录" in at.success[0].value
    assert "site visit" in page_html(at)


def test_data_page__correction_over_somebody_elses_change_is_a_conflict(page, store_copy):
    from geodata.stewardship.commits import edit_fields
    from geodata.storage import read_layer

    at = _logged_in(page)
    at.selectbox(key="d_fix_id").set_value("lc-fintech-city")
    at.selectbox(key="d_fix_field").set_value("notes").run()  # the editor sees the current value and version
    assert any("版本" in c.value for c in at.caption)
    edit_fields("lc-fintech-city", {"notes": "changed by li"}, reason="meanwhile", who="li", path=store_copy)
    at.text_input(key="d_fix_value").input("checked on site")
    at.text_input(key="d_fix_reason").input("site visit")
    at.button(key="FormSubmitter:d_correct_form-保存更正").click().run()
    assert not at.exception
    assert "冲突" in at.error[0].value
    notes = read_layer("lowcost_spaces", store_copy).set_index("id").loc["lc-fintech-city", "notes"]
    assert notes == "changed by li"  # the other editor's change was not overwritten


GOOD_CSV = b"name_zh,lon,lat\nTest Park,114.0560,22.5405\n"


@pytest.mark.parametrize("name,content,refused", [
    ("parks.csv", GOOD_CSV, False), ("parks.csv", b"", True),
    ("空" * 100 + ".csv", GOOD_CSV, True),  # 104 characters, but 304 bytes: more than a file name can hold
])
def test_data_page__uploaded_copy_removed_after_preview(page, tmp_path, monkeypatch, name, content, refused):
    import tempfile

    uploads = tmp_path / "tmp"
    uploads.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(uploads))
    at = _logged_in(page)
    at.get("file_uploader")[0].set_value((name, content, "text/csv")).run()
    at.button(key="d_check").click().run()
    assert not at.exception
    assert bool(at.error) == refused  # a file that cannot be read is refused with a message
    assert list(uploads.rglob("*")) == []  # no copy of the upload is left behind, also on failure


def test_audit_table__counts_are_whole_numbers_and_missing_ones_blank():
    from views.data_page import audit_table

    table = audit_table([{"id": "audit-00001", "action": "import", "accepted": 1, "rejected": 0},
                         {"id": "audit-00002", "action": "goal", "accepted": None, "rejected": None}], "en")
    assert table.iloc[1][["Accepted", "Rejected"]].tolist() == ["1", "0"]  # newest first
    assert table.iloc[0][["Accepted", "Rejected"]].tolist() == ["", ""]


def test_data_page__enterprise_years_previewed_with_placements_then_committed(page, store_copy):
    """An editor uploads enterprise figures: the preview says how many enterprises it creates and where
    they are placed; the commit writes them (audited)."""
    from geodata.storage import open_store
    from spatial.credit_code import make_credit_code

    code = make_credit_code("91440300000000042")
    content = (f"统一社会信用代码,企业名称,注册地址,年度,营业收入（万元）\n{code},预览测试公司,福田保税区槟榔道6号,2024,120\n"
               ).encode("utf-8")
    at = _logged_in(page)
    at.selectbox(key="d_layer").set_value("enterprise_years").run()
    at.get("file_uploader")[0].set_value(("years.csv", content, "text/csv")).run()
    at.button(key="d_check").click().run()
    assert not at.exception and not at.error
    text = " ".join(m.value for m in at.markdown)
    assert "新建企业 1 家" in text and "已落位 1" in text
    at.button(key="d_commit").click().run()
    assert not at.exception and not at.error
    years = open_store(store_copy).read_layer("enterprise_years")
    assert years["revenue_cny"].tolist() == [1_200_000.0]
