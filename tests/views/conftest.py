"""Page tests run with SPACEMAP_DEBUG=1: a page that fails raises (AppTest reports it) instead of
showing the visitors' short message with an error id (tested on its own in test_errors.py)."""
import pytest


@pytest.fixture(autouse=True)
def _pages_raise(monkeypatch, request):
    if request.node.get_closest_marker("visitor_errors") is None:
        monkeypatch.setenv("SPACEMAP_DEBUG", "1")
