"""`cli.py report`: the planners' printed report (PDF), read back with poppler's pdftotext and pdffonts."""
from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.test_cli import run_cli

CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+")
TODAY = "2026-11-22"


def pdf_text(path, *, layout: bool = True) -> str:
    """The PDF's text (poppler's pdftotext): with ``layout`` a table's row on one line, else cell by cell."""
    return subprocess.run(["pdftotext", *(["-layout"] if layout else []), str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture(scope="module")
def reports(session_store, tmp_path_factory):
    """The report in Chinese and in English, written once per store backend: (--json output, text, path)."""
    out = {}
    folder = tmp_path_factory.mktemp("report")
    for lang in ("zh", "en"):
        path = folder / f"progress-{lang}.pdf"
        done = run_cli("report", "--out", str(path), "--lang", lang, "--today", TODAY, "--json", store=session_store)
        assert done.returncode == 0, done.stderr
        out[lang] = (json.loads(done.stdout), pdf_text(path), path)
    return out


@pytest.fixture(scope="module")
def tallies(session_store):
    """The tallies the Tally page shows (same function, same store)."""
    from geodata.reports.inventory import snapshot
    from geodata.reports.planning import tally_report

    frames, carriers = snapshot(session_store)
    return {kind: tally_report(kind, carriers, frames) for kind in ("subdistrict", "cluster")}


def test_report__json_says_where_and_how_many_pages(reports):
    data, _, path = reports["en"]
    assert data["out"] == str(path.resolve()) and path.read_bytes().startswith(b"%PDF-")
    assert data["pages"] >= 3 and (data["lang"], data["scope"], data["today"]) == ("en", "futian", TODAY)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(rf"^Pages:\s+{data['pages']}$", info, re.M) and "(A4)" in info


def test_report__chinese_headline_figures_dates_and_page_numbers(reports):
    _, text, _ = reports["zh"]
    for figure in ("760,000 ㎡", "占目标 50.7 %", "5,000 ㎡", "占目标 0.3 %", "334,926 ㎡/a", "1,500,000 ㎡"):
        assert figure in text, figure
    assert "不晚于 2023-10-16" in text  # the latest report dated as far as its source states it
    assert "打印日期：2026-11-22" in text and "范围：福田区" in text
    assert "载体所报面积的日期：2020-08-10" in text  # the data's as-of dates
    assert "28（不晚于 2023-10-16）" in text and "2000 (2025)" in text  # the count targets (表1)
    assert "第 1 页，共" in text and "资料来源" in text
    assert "0 ㎡" not in text.replace("5,000 ㎡", "").replace("760,000 ㎡", "").replace("1,500,000 ㎡", "")


def test_report__tally_rows_as_the_tally_page(reports, tallies):
    for lang in ("zh", "en"):
        _, text, _ = reports[lang]
        for kind, result in tallies.items():
            names = result["rows"][f"name_{lang}"].tolist()
            n = len(names)
            assert (f"共 {n} 行（另有合计行）" if lang == "zh" else f"{n} rows (and the total)") in text, (lang, kind)
            flat = re.sub(r"\s+", "", pdf_text(reports[lang][2], layout=False))  # a wrapped name joined again
            assert all(re.sub(r"\s+", "", name) in flat for name in names), (lang, kind)
    _, text, _ = reports["en"]
    total = re.search(r"^\s*Total\s+55\s+31\s+92,256\s+998,087\s+33,000\s+75,000\s+unknown\s+unknown\s*$", text, re.M)
    assert total, "the totals row: counts and every stated measure apart, unknown never 0"


def test_report__english_holds_no_untranslated_text(reports, session_store):
    """Chinese in the English report only inside citations of Chinese documents (their section numbers and
    quotes), never an interface text."""
    from geodata.reports.inventory import snapshot
    from layers.popups import cite, provenance

    _, text, _ = reports["en"]
    frames, carriers = snapshot(session_store)
    prov = provenance(frames)
    cited = " ".join(cite(v, "en", prov) or "" for key, frame in frames.items() for col in frame.columns
                     if col == "source" or col.endswith("_source") for v in frame[col].dropna())
    assert "Progress to the incubation-space goal" in text and "Page 1 of" in text
    stray = [run for run in CJK.findall(text) if run not in cited]  # a run may be cut by a line break
    assert stray == []


def test_report__chinese_fonts_embedded(reports):
    _, _, path = reports["zh"]
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all(r[-5] == "yes" for r in rows)  # every font embedded
    assert any("Noto-Sans-CJK-SC" in r[0] for r in rows)


def test_report__scope_shenzhen_and_bad_out(session_store, tmp_path):
    bad = run_cli("report", "--out", str(tmp_path / "r.html"), store=session_store)
    assert bad.returncode == 2 and "--out must end in .pdf" in bad.stderr
    path = tmp_path / "sz.pdf"
    done = run_cli("report", "--out", str(path), "--scope", "shenzhen", "--lang", "en", "--today", TODAY,
                   store=session_store)
    assert done.returncode == 0, done.stderr
    assert "Scope: All Shenzhen" in pdf_text(path)
