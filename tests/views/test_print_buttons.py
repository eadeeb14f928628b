"""The pages' PDF buttons under AppTest: the Progress page's planners' report and the Match page's report
(their PDFs are built only when downloaded; their contents are tested in tests/test_cli_report.py and
tests/layers/test_print_report.py)."""
from tests.conftest import use_location
from tests.helpers import open_page


def _buttons(at) -> dict:
    """Each download button's label → its file name, from the element protos."""
    return {b.proto.label: b.proto for b in at.get("download_button")}


def test_progress_page__offers_the_pdf_report(store, monkeypatch):
    use_location(store, monkeypatch)
    monkeypatch.setenv("SPACEMAP_TODAY", "2026-11-22")
    at = open_page("views/progress_page.py")
    assert "下载 PDF 报告" in _buttons(at)


def test_match_page__report_is_a_pdf(store, monkeypatch):
    use_location(store, monkeypatch)
    at = open_page("views/match_page.py")
    at.selectbox(key="m_industry").set_value("biomed")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "下载可打印报告" in _buttons(at)
