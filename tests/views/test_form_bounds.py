"""Any goal, weight or area a form accepts leaves every page rendering (hypothesis, under AppTest)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata.stewardship.goals import set_goal
from spatial.need import CRITERIA
from tests.helpers import open_as
from views.match_page import MAX_AREA_M2, MAX_RENT, MAX_WITHIN_KM

SLOW = settings(max_examples=6, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PAGES = ["views/map_page.py", "views/match_page.py", "views/tally_page.py", "views/progress_page.py",
         "views/overview.py"]


@pytest.mark.gpkg_only
@SLOW
@given(goal=st.floats(min_value=1.0, max_value=1e9), year=st.integers(min_value=2000, max_value=2100))
def test_goal__any_goal_the_form_accepts_leaves_every_page_rendering(store_copy, goal, year):
    set_goal(goal, year, set_by="editor-test", reason="hypothesis", path=store_copy)
    for role in (None, "editor"):
        at = open_as(role, store_copy)  # asserts no exception (SPACEMAP_DEBUG=1 raises any)
        for page in PAGES:
            at.switch_page(page).run()
            assert not at.exception, (page, goal, year, [e.value for e in at.exception])


@pytest.mark.gpkg_only
@SLOW
@given(area=st.tuples(st.floats(0, MAX_AREA_M2), st.floats(0, MAX_AREA_M2)), rent=st.floats(0, MAX_RENT),
       within=st.floats(0, MAX_WITHIN_KM), weights=st.lists(st.integers(0, 50), min_size=len(CRITERIA),
                                                             max_size=len(CRITERIA)))
def test_match_form__any_values_it_accepts_give_a_result_or_a_message(store, area, rent, within, weights):
    at = open_as(None, store, "views/match_page.py")
    at.number_input(key="m_area_min").set_value(area[0])
    at.number_input(key="m_area_max").set_value(area[1])
    at.number_input(key="m_max_rent").set_value(rent)
    at.selectbox(key="m_near").set_value("lm:lm-seg-plaza")
    at.number_input(key="m_within").set_value(within)
    for criterion, weight in zip(CRITERIA, weights):
        at.slider(key=f"m_w_{criterion}").set_value(weight)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [m.value for m in at.markdown] + [e.value for e in at.error] + [w.value for w in at.warning]
    assert shown, "the match answered nothing"
