"""What visitors see when something goes wrong: never a traceback, a path or a crash that stays."""
from __future__ import annotations

import pytest

from geodata.stewardship.goals import set_goal
from spatial.progress import projected_year
from tests.conftest import use_location
from tests.helpers import open_as, open_page, page_html


def test_projected_year__a_goal_thousands_of_years_away_is_never():
    import pandas as pd

    start = pd.Timestamp("2023-10-16")
    assert projected_year(start, 760_000.0, 999_999_999.0, 162_926.0) is None  # 6,000 years: never
    assert projected_year(start, 760_000.0, 60_000_000.0, 162_926.0) == 2387  # 363.6 years on: arithmetic, no overflow
    assert projected_year(start, 760_000.0, 1_500_000.0, 162_926.0) == 2028


def test_progress_page__survives_the_largest_goal_a_planner_may_store(store_copy, monkeypatch):
    set_goal(999_999_999.0, 2030, set_by="planner", reason="test", path=store_copy)
    use_location(store_copy, monkeypatch)
    monkeypatch.setenv("SPACEMAP_TODAY", "2026-11-22")
    at = open_page("views/progress_page.py")  # SPACEMAP_DEBUG=1: any error raises here
    html = page_html(at)
    assert "999,999,999 ㎡" in " ".join(m.value for m in at.markdown) + html
    assert "data:image/svg+xml;base64," in html  # the chart still draws


@pytest.mark.visitor_errors
@pytest.mark.gpkg_only
def test_page_error__visitors_get_a_short_message_with_an_id_and_no_path(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.helpers import APP

    broken = tmp_path / "secret-folder" / "spacemap.gpkg"
    broken.parent.mkdir()
    broken.write_bytes(b"not a geopackage")
    use_location(broken, monkeypatch)
    monkeypatch.delenv("SPACEMAP_DEBUG", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert "error id" in error or "错误编号" in error
    shown = " ".join(str(getattr(e, "value", "")) for e in at.main) + page_html(at)
    assert "secret-folder" not in shown and "Traceback" not in shown


def test_progress_page__a_goal_reason_is_text_never_markdown(store_copy, monkeypatch):
    beacon = "![beacon](http://tracker.invalid/p.png) [官方通知](http://phish.invalid) :red[urgent]"
    set_goal(2_000_000.0, 2030, set_by="planner", reason=beacon, path=store_copy)
    use_location(store_copy, monkeypatch)
    monkeypatch.setenv("SPACEMAP_TODAY", "2026-11-22")
    visitor = " ".join(m.value for m in open_page("views/progress_page.py").markdown)
    assert "beacon" not in visitor and "planner" not in visitor  # visitors never see who set it or why
    at = open_as("staff", store_copy, "views/progress_page.py")
    sources = " ".join(m.value for m in at.markdown)
    assert r"\!\[beacon\]\(http\://tracker\.invalid/p\.png\)" in sources
    assert "![beacon]" not in sources and "[官方通知](" not in sources and ":red[" not in sources


def test_overview_page__never_shows_the_server_path(store, monkeypatch):
    use_location(store, monkeypatch)
    at = open_page("views/overview.py")
    shown = " ".join(c.value for c in at.caption) + page_html(at)
    assert str(store) not in shown and "spacemap.gpkg" not in shown
    assert "GeoPackage" in shown or "PostGIS" in shown


def test_streamlit_config__xsrf_stays_on_and_visitors_see_no_error_details():
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"].get("enableXsrfProtection", True) is True
    assert config["browser"]["gatherUsageStats"] is False
