"""The economy on the pages under AppTest, on a store copy with imported enterprise figures: the Tally
page's economy tab and the Map's indicator circles and carrier panel withhold small cells from the
public and never name an enterprise; staff see every figure; the bundled store (no figures) says so and
how to import them; the placement review is an editor's page, and a confirmation is written, audited."""
from __future__ import annotations

import json

import pytest

from geodata.stewardship.commits import commit_import
from geodata.stewardship.economy import plan_economy_import
from geodata.storage import read_layer, replace_layers
from spatial.credit_code import make_credit_code
from tests.geodata.test_units import TODAY, add_people
from tests.helpers import open_as, open_tab, page_html
from tests.views import test_english_pages as english

pytestmark = pytest.mark.gpkg_only  # the pages do not know the backend; the reports run on both in tests/geodata

TALLY, MAP, REVIEW = "views/tally_page.py", "views/map_page.py", "views/placements_page.py"
CODES = [make_credit_code(f"9144030{n:010d}") for n in range(1, 8)]
HEADER = "统一社会信用代码,企业名称,注册地址,年度,营业收入（万元）,纳税总额(万元),研发投入（万元）,从业人员,有效专利"
NAME = "测试企业"
INTL, BIOMED, QUANTUM = "sp-sz-hk-intl", "sp-biomed", "sp-quantum"
PLACED = {0: INTL, 1: INTL, 2: INTL, 3: INTL, 4: BIOMED}
"""Four enterprises in one park (published), one alone in another (withheld from the public), one to
review (candidates: the quantum institute, then the biomedicine park), one not placed."""
data_values = english.data_values  # the fixture: every Chinese text of the store's layers (data, in any language)
LONE_REVENUE = "7,654.3"
"""The lone enterprise's revenue (万元) as staff see it in the table; the public never sees it."""


def _rows(year: int) -> list[str]:
    revenue = [100, 200, 300, 400, 7654.3, 50, 60]
    return [f"{CODES[i]},{NAME}{i}有限公司,深圳市福田区某路{i}号,{year},{revenue[i]},{revenue[i] / 10},{i + 1},{20 + i},{i}"
            for i in range(7)]


def economy_tab(at, lang: str = "zh"):
    """The Tally page's economy tab opened (only the open tab runs)."""
    from views import tally_page

    return open_tab(at, tally_page, "ec_tab_economy", lang)


def _place(location) -> None:
    """Put the enterprises where the tests need them, whatever the address matching made of them."""
    rows = read_layer("placements", location).sort_values("id").reset_index(drop=True)
    by_code = {str(e): i for i, e in enumerate(f"ent-{c}" for c in CODES)}
    for pos, eid in enumerate(rows["enterprise_id"].astype(str)):
        i = by_code[eid]
        carrier = PLACED.get(i)
        review = i == 5
        rows.loc[pos, ["carrier_id", "status", "method", "confidence", "candidates"]] = [
            carrier, "placed" if carrier else ("review" if review else "unplaced"),
            "address" if carrier or review else "none", 0.95 if carrier else (0.6 if review else None),
            json.dumps([{"carrier_id": QUANTUM, "score": 0.6}, {"carrier_id": BIOMED, "score": 0.4}]) if review else None]
    replace_layers({"placements": rows}, location)


def fill_economy(location, folder):
    """Accounts ``ed`` (editor), ``st`` (staff), ``op``; seven enterprises' figures for 2024 and 2025 imported
    by ``ed`` through the importer, then placed as :data:`PLACED` says."""
    add_people(location)
    path = folder / "years.csv"
    path.write_text(HEADER + "\n" + "\n".join(_rows(2024) + _rows(2025)) + "\n", encoding="utf-8")
    plan = plan_economy_import(path, by="ed", location=location)
    assert plan.rejected == [], plan.rejected
    commit_import(plan, who="ed", path=location)
    _place(location)
    return location


@pytest.fixture
def economy(store_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("SPACEMAP_TODAY", TODAY)
    return fill_economy(store_copy, tmp_path)


def _text(at) -> str:
    """Everything the run shows, the map component's HTML and the tables included, decoded."""
    return "\n".join(text for _, text in english.page_texts(at))


def test_tally_economy__public_sees_withheld_cells_and_no_enterprise_name(economy):
    at = economy_tab(open_as(None, economy, TALLY))
    assert at.radio(key="ec_level").value == "carrier"
    html, text = page_html(at), _text(at)
    table = html[html.index("sm-indicators"):]
    table = table[:table.index("</table>")]
    assert "保密" in table and "国际生物医药产业园" in table  # the lone enterprise's park: withheld
    assert "1,000.0" in table  # the four enterprises' park: published (revenue in 万元)
    assert LONE_REVENUE not in text and NAME not in text and CODES[4] not in text
    assert "少于 3 家" in text and "80%" in text  # the rule, with its thresholds
    assert "（未落位企业）" in table and "1,503" in html and "2,000" in html  # not placed; reported, apart
    at.radio(key="ec_level").set_value("subdistrict").run()
    assert not at.exception and NAME not in _text(at)


def test_map_indicator__public_circles_and_panel_withhold_the_lone_enterprise(economy):
    at = open_as(None, economy, MAP)
    at.sidebar.selectbox(key="map_indicator").set_value("revenue_cny").run()
    at.selectbox(key="map_pick").set_value(BIOMED).run()
    assert not at.exception, [e.value for e in at.exception]
    html, text = page_html(at), _text(at)
    assert "indicator-legend" in html and "万元" in html  # the legend's reference circles, in real units
    panel = html[html.index("sm-economy"):]
    assert "保密" in panel[:panel.index("</table>")]
    assert "<b>国际生物医药产业园（国际生物医药基地）</b><br>营业收入(万元)：保密" in text  # the hollow circle's tooltip
    assert "7,654" not in text and NAME not in text


def test_tally_economy__staff_see_every_figure(economy):
    at = economy_tab(open_as("staff", economy, TALLY))
    html = page_html(at)
    assert LONE_REVENUE in html and "工作人员视图" in " ".join(c.value for c in at.caption)
    assert NAME not in html  # staff see figures, still no enterprise on this page


def test_tally_economy__english(economy, data_values):
    import time

    from streamlit.testing.v1 import AppTest

    from tests.helpers import APP

    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["account"] = {"name": "ed", "role": "editor"}
    at.session_state["account_seen"] = time.time()
    at.run()
    at.switch_page(TALLY).run()
    economy_tab(at, "en")
    assert "withheld" not in page_html(at) and LONE_REVENUE in page_html(at)  # an editor: every figure
    english.assert_english(at, data_values)


def test_economy__bundled_store_says_there_is_no_data_and_how_to_import(store):
    at = economy_tab(open_as(None, store, TALLY))
    assert any("还没有企业经济数据" in i.value for i in at.info)
    assert any("--layer enterprise_years" in c.value for c in at.code)
    assert "sm-indicators" not in page_html(at)  # no empty table, no zeros
    at = open_as(None, store, MAP)
    assert any("暂无企业经济数据" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize("role", [None, "staff"])
def test_placements__not_in_the_navigation_below_editor(economy, role):
    at = open_as(role, economy)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(REVIEW)


def test_placements__editor_confirms_a_candidate_audited(economy):
    at = open_as("editor", economy, REVIEW)
    html = page_html(at)
    assert f"{NAME}5有限公司" in html and "深圳国际量子研究院（国际量子研究中心）（0.60）" in html
    eid = f"ent-{CODES[5]}"
    choice = at.selectbox(key=f"w_pl_{eid}_choice")
    assert choice.value == QUANTUM  # the best candidate first
    choice.set_value(BIOMED)
    at.button(key=f"FormSubmitter:w_pl_{eid}_form-确认落位").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "已确认" in at.success[0].value and "undo" in at.success[0].value
    row = read_layer("placements", economy).set_index("id").loc[eid]
    assert (row["status"], row["carrier_id"], row["placed_by"]) == ("confirmed", BIOMED, "editor-test")
    assert read_layer("audit_log", economy)[["who", "layer"]].iloc[-1].tolist() == ["editor-test", "placements"]
    assert any("没有待核实" in i.value for i in at.info)  # the one to review is settled
