"""Who sees what, per role, under AppTest: the navigation, what each page shows and refuses,
the sidebar login with its slow-down, the idle timeout, and a disabled account's session."""
import time

import pytest
from streamlit.testing.v1 import AppTest

from geodata.stewardship.accounts import set_disabled
from geodata.stewardship.goals import set_goal
from geodata.storage import read_layer
from tests.helpers import APP, ROLE_PASSWORD, as_role, open_as, page_html

PUBLIC = ["views/map_page.py", "views/match_page.py", "views/tally_page.py", "views/progress_page.py",
          "views/overview.py"]
STAFF = ["views/workspace_page.py", "views/data_page.py"]
ADMIN = ["views/accounts_page.py"]
PAGES = {None: PUBLIC, "staff": PUBLIC + STAFF, "editor": PUBLIC + STAFF, "admin": PUBLIC + STAFF + ADMIN}


def _text(at) -> str:
    """Every text an AppTest run shows: HTML bodies, Markdown, captions, alerts, tables."""
    parts = [page_html(at)]
    for kind in ("markdown", "caption", "info", "success", "warning", "error", "header", "subheader"):
        parts += [str(e.value) for e in at.get(kind)]
    parts += [e.value.to_csv() for e in at.dataframe]
    return "\n".join(parts)


@pytest.mark.parametrize("role", [None, "staff", "editor", "admin"])
def test_navigation__each_role_gets_its_pages_and_no_others(store_copy, role):
    at = open_as(role, store_copy)
    for page in PUBLIC + STAFF + ADMIN:
        if page in PAGES[role]:
            at.switch_page(page).run()
            assert not at.exception, (page, [e.value for e in at.exception])
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(page)


def test_progress__goal_form_for_editors_only_and_the_setter_for_staff_only(store_copy):
    set_goal(2_000_000.0, 2030, set_by="planner-qian", reason="secret reason", path=store_copy)
    for role, form, names in ((None, False, False), ("staff", False, True), ("editor", True, True)):
        at = open_as(role, store_copy, "views/progress_page.py")
        assert bool([n for n in at.number_input if n.key == "p_goal_m2"]) is form, role
        text = _text(at)
        assert ("qian" in text and "secret reason" in text) is names, role  # Markdown escapes the hyphen
        if not names:
            assert "规划人员于" in text


def test_progress__editor_sets_a_goal_recorded_with_the_account(store_copy):
    at = open_as("editor", store_copy, "views/progress_page.py")
    at.number_input(key="p_goal_m2").set_value(2_500_000.0)
    at.text_input(key="p_goal_reason").input("new plan")
    at.button(key="FormSubmitter:p_goal_form-保存目标").click().run()
    assert not at.exception
    goals = read_layer("progress_goals", store_copy)
    assert (goals["set_by"].iloc[-1], goals["goal_m2"].iloc[-1]) == ("editor-test", 2_500_000.0)
    assert read_layer("audit_log", store_copy)["who"].iloc[-1] == "editor-test"


def test_overview__visitors_see_public_layers_only(store_copy):
    anon, staff = (_text(open_as(r, store_copy, "views/overview.py")) for r in (None, "staff"))
    for key in ("audit_log", "demand_pool", "accounts"):
        assert key not in anon
    assert "audit_log" in staff and "accounts" not in staff


def test_data_page__staff_read_editors_write(store_copy):
    staff = open_as("staff", store_copy, "views/data_page.py")
    assert not staff.get("file_uploader") and any("数据编辑角色" in i.value for i in staff.info)
    assert "test-setup" in _text(staff) or "staff-test" in _text(staff) or "变更记录" in _text(staff)
    editor = open_as("editor", store_copy, "views/data_page.py")
    assert editor.get("file_uploader")


def test_workspace__staff_delete_a_need_and_undo_it(store_copy):
    from geodata.stewardship.pool import save_need
    from spatial.need import Need

    save_need("企业甲 13800138000", Need(), who="staff-li", location=store_copy)
    at = open_as("staff", store_copy, "views/workspace_page.py")
    assert "企业甲 13800138000" in page_html(at)
    at.multiselect(key="w_delete_ids").set_value(list(read_layer("demand_pool", store_copy)["id"])).run()
    at.button(key="w_delete").click().run()
    assert not at.exception and read_layer("demand_pool", store_copy).empty
    at.button(key="w_undo").click().run()
    assert len(read_layer("demand_pool", store_copy)) == 1
    audit = read_layer("audit_log", store_copy)
    assert list(audit["who"].iloc[-2:]) == ["staff-test", "staff-test"]


def test_accounts_page__admin_adds_an_account_audited(store_copy):
    at = open_as("admin", store_copy, "views/accounts_page.py")
    at.text_input(key="a_add_name").input("new-staff")
    at.text_input(key="a_add_pw").input(ROLE_PASSWORD)
    at.text_input(key="a_add_pw2").input(ROLE_PASSWORD)
    at.button(key="FormSubmitter:a_add_form-新建").click().run()
    assert not at.exception
    assert "new-staff" in page_html(at) and "$argon2" not in _text(at)
    audit = read_layer("audit_log", store_copy)
    assert (audit["who"].iloc[-1], audit["action"].iloc[-1]) == ("admin-test", "user-add")


def test_accounts_page__admin_adds_an_operator_with_its_carriers_then_changes_them(store_copy):
    at = open_as("admin", store_copy, "views/accounts_page.py")
    at.text_input(key="a_add_name").input("op-boji")
    at.selectbox(key="a_add_role").set_value("operator")
    at.text_input(key="a_add_pw").input(ROLE_PASSWORD)
    at.text_input(key="a_add_pw2").input(ROLE_PASSWORD)
    at.multiselect(key="a_add_carriers").set_value(["inc-boji"])
    at.button(key="FormSubmitter:a_add_form-新建").click().run()
    assert not at.exception
    accounts = read_layer("accounts", store_copy).set_index("id")
    assert (accounts.loc["op-boji", "role"], accounts.loc["op-boji", "carriers"]) == ("operator", "inc-boji")
    at.selectbox(key="a_change_name").set_value("op-boji")
    at.selectbox(key="a_change_action").set_value("carriers")
    at.multiselect(key="a_change_carriers").set_value(["inc-boji", "sp-tianan"])
    at.button(key="FormSubmitter:a_change_form-执行").click().run()
    accounts = read_layer("accounts", store_copy).set_index("id")
    assert accounts.loc["op-boji", "carriers"] == "inc-boji;sp-tianan"
    assert read_layer("audit_log", store_copy)["action"].iloc[-1] == "user-carriers"


def test_login__sidebar_form_wrong_then_right_password(store_copy):
    as_role("staff", store_copy)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.text_input(key="login_name").input("staff-test")
    at.text_input(key="login_password").input("wrong password")
    at.button(key="FormSubmitter:login-登录").click().run()
    assert any("不正确" in e.value for e in at.error) and "account" not in at.session_state
    at.text_input(key="login_password").input(ROLE_PASSWORD)
    at.button(key="FormSubmitter:login-登录").click().run()
    assert {k: at.session_state["account"][k] for k in ("name", "role")} == {"name": "staff-test", "role": "staff"}
    at.switch_page("views/workspace_page.py").run()
    assert not at.exception


def test_login__idle_for_30_minutes_or_disabled_logs_out(store_copy):
    at = open_as("staff", store_copy)
    at.session_state["account_seen"] = time.time() - 31 * 60
    at.run()
    assert "account" not in at.session_state and any("30" in i.value for i in at.sidebar.info)
    at = open_as("staff", store_copy)
    set_disabled("staff-test", True, by="admin", location=store_copy)
    at.run()
    assert "account" not in at.session_state and any("停用" in i.value for i in at.sidebar.info)


def test_login__a_password_change_ends_the_sessions_logged_in_before(store_copy):
    from geodata.stewardship.accounts import set_password

    as_role("staff", store_copy)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.text_input(key="login_name").input("staff-test")
    at.text_input(key="login_password").input(ROLE_PASSWORD)
    at.button(key="FormSubmitter:login-登录").click().run()
    assert "account" in at.session_state
    set_password("staff-test", "a brand new secret", by="admin", location=store_copy)
    at.run()
    assert "account" not in at.session_state and any("密码已更改" in i.value for i in at.sidebar.info)
