"""An editor logs in through the sidebar and imports a CSV on the Data page in Debian Chromium,
with no internet."""
import shutil

import pytest

from geodata.stewardship.accounts import add_account
from tests.e2e.server import nav_link, start_app, stop_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def data_app(store, tmp_path):
    copy = tmp_path / "s" / "spacemap.gpkg"
    copy.parent.mkdir()
    shutil.copy(store, copy)
    add_account("steward", "a long enough secret", "editor", by="test", location=copy)  # audit-00001
    proc, url, _ = start_app(copy)
    yield url, copy
    stop_app(proc)


def test_data_page__editor_imports_a_csv(offline_page, data_app, tmp_path):
    url, store_path = data_app
    csv = tmp_path / "新空间.csv"
    csv.write_text("编号,名称,英文名称,建筑面积,经度,纬度\n"
                   "e2e-1,浏览器导入空间,Browser space,900,114.085,22.545\n"
                   "e2e-2,坐标反了,Swapped,500,22.545,114.085\n", encoding="gbk")
    page = offline_page.page
    page.goto(url)
    page.get_by_role("link", name="数据总览").wait_for(timeout=30_000)  # the navigation is drawn
    assert page.get_by_role("link", name="数据管理").count() == 0  # not for anonymous visitors
    page.get_by_text("工作人员登录").click()  # the sidebar's login expander
    page.get_by_label("用户名").fill("steward")
    page.get_by_label("密码", exact=True).fill("a long enough secret")
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text("已登录：steward").wait_for(timeout=30_000)
    nav_link(page, "数据管理").click()  # same session: a new page load would log out
    page.get_by_text("变更记录").first.wait_for(timeout=30_000)  # the Data page is drawn
    page.locator("input[type=file]").set_input_files(str(csv))
    page.get_by_role("combobox", name="图层", exact=True).click()
    page.get_by_role("option", name="孵化器与众创空间", exact=True).click()
    page.get_by_role("button", name="检查（不写入）").click()
    page.get_by_text("可导入 1 行").wait_for(timeout=30_000)
    page.get_by_text("longitude and latitude look swapped").first.wait_for(timeout=30_000)
    offline_page.screenshot("data_import_preview.png")
    page.get_by_role("button", name="写入 1 行").click()
    page.get_by_text("已写入：新增 1").wait_for(timeout=30_000)
    page.get_by_text("audit-00002").first.wait_for(timeout=30_000)  # in the audit log, after the user-add
    audit = page.locator(".sm-table").filter(has_text="audit-00002").first.inner_text()
    assert "steward" in audit and "新空间.csv" in audit  # who imported which file, for staff only
    page.get_by_text("变更记录").first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    offline_page.screenshot("data_import_done.png")
    assert offline_page.errors == [] and offline_page.dialogs == []
    from geodata.storage import read_layer

    assert "e2e-1" in set(read_layer("incubators", store_path)["id"])
