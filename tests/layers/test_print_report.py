"""The printed reports' drawing: the static map (pure SVG) and the match report, rendered by WeasyPrint and
read back with pdftotext."""
from __future__ import annotations

import re
import subprocess
from datetime import date

import geopandas as gpd
import pytest
import shapely

from layers.render import Choropleth
from layers.static_map import Viewport, choropleth_map, nice_length, place_labels, rank_map
from messages import CATALOGUE

CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+")
RAW_KEYS = ("industry:", "area_min", "area_max", "max_rent", "near_label", "within_km", "hk_link", "biomed ",
            "need_", "rp_", "crit_")


def _square(x0: float, y0: float, side: float = 100.0) -> shapely.Polygon:
    return shapely.box(x0, y0, x0 + side, y0 + side)


def test_viewport__true_shape_north_up():
    vp = Viewport((500_000.0, 2_490_000.0, 500_100.0, 2_490_100.0), 300, 300)
    xs, ys = vp.px([500_000.0, 500_100.0], [2_490_000.0, 2_490_100.0])
    assert xs[1] - xs[0] == pytest.approx(ys[0] - ys[1])  # 100 m east is as long as 100 m north
    assert ys[1] < ys[0]  # north is up


def test_nice_length__one_two_five():
    assert [nice_length(v) for v in (1_400, 2_600, 7_900, 30)] == [1_000, 2_000, 5_000, 20]


def test_place_labels__two_at_one_place_do_not_overlap():
    placed = place_labels([(100, 100, "福保街道"), (100, 100, "河套–福保")], [], width=400, height=400)
    (x0, y0, a, s0), (x1, y1, b, s1) = placed
    assert (a, b) == ("福保街道", "河套–福保")
    assert abs(y0 - y1) >= s0 * 1.2 or abs(x0 - x1) >= 40  # moved apart, not on top of each other


def test_place_labels__drop_leaves_out_a_label_with_no_room():
    taken = [(0, 0, 50, 50)]
    assert place_labels([(25, 25, "X")], taken, width=50, height=50, drop=True) == []


def test_choropleth_map__classes_legend_and_escaped_names():
    zones = gpd.GeoDataFrame({"id": ["a", "b"], "name_zh": ["<b>甲</b>", "乙"], "name_en": ["A & B", "B"]},
                             geometry=[_square(500_000, 2_490_000, 1_000), _square(501_000, 2_490_000, 1_000)],
                             crs="EPSG:4547").to_crs("EPSG:4326")
    scale = Choropleth("subdistricts", "floor_area_m2", {"a": 120_000.0, "b": None})
    svg = choropleth_map(zones, scale, lang="en", title="Floor area", outlines={"district": zones})
    assert "<b>" not in svg and "A &amp; B" in svg
    assert scale.color("a") in svg and "#d9d9d9" in svg  # the class colour and unknown grey
    assert "100,000–120,000 m²" in svg  # round class breaks (steps of 20,000 m²) in the legend
    assert ">N<" in svg and re.search(r">\d+ k?m<", svg)  # north arrow and scale bar


def test_rank_map__markers_at_one_place_side_by_side():
    places = gpd.GeoDataFrame({"id": ["p", "c"], "text": ["1", "2–3"]},
                              geometry=[shapely.Point(114.05, 22.53), shapely.Point(114.0501, 22.5301)], crs="EPSG:4326")
    outline = gpd.GeoDataFrame(geometry=[shapely.box(114.0, 22.5, 114.1, 22.6)], crs="EPSG:4326")
    svg = rank_map(places, lang="zh", title="位置", outlines={"district": outline}, near=(114.06, 22.54, "口岸", 2.0))
    boxes = [tuple(float(v) for v in m) for m in re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" '
                                                            r'height="18"', svg)]
    assert len(boxes) == 2
    (x0, _, w0), (x1, _, _) = sorted((b[0], b[1], b[2]) for b in boxes)
    assert x1 >= x0 + w0 - 0.5  # side by side, not on top of each other
    assert ">2–3<" in svg and ">口岸<" in svg and "stroke-dasharray" in svg  # ranks, the place and its circle


@pytest.fixture(scope="module")
def match_pdfs(frames, tmp_path_factory):
    """The match report of one need, in both languages, as the Match page builds it: (text, rows, carriers,
    provenance)."""
    from geodata.reports.inventory import zoned
    from layers.catalogue import CARRIER_LAYERS
    from layers.pdf import to_pdf
    from layers.popups import provenance
    from layers.report import match_report_html
    from spatial.carriers import combine_carriers
    from spatial.match import candidate_arrays, match
    from spatial.match_explain import exclusion_summary, results_table
    from spatial.need import need_from_text, with_need
    from spatial.scope import in_scope

    carriers = combine_carriers(frames, CARRIER_LAYERS)
    carriers = zoned(carriers.loc[in_scope(carriers, frames["district"], "futian")].reset_index(drop=True), frames)
    need = need_from_text(frames=frames, carriers=carriers, industry="生物医药", area="500-3000", near="皇岗口岸",
                          within_km=3, stage="startup", max_rent=None, needs=None, zones=None, hk_link=True,
                          policy_support=False)
    cands = candidate_arrays(carriers)
    landmark = frames["landmarks"].loc[frames["landmarks"]["name_zh"] == "皇岗口岸"].iloc[0]
    out, folder = {}, tmp_path_factory.mktemp("match")
    for lang in ("zh", "en"):
        result = match(cands, with_need(need, near_label=landmark[f"name_{lang}"]), top=5)
        rows = results_table(cands, result, lang=lang)
        html = match_report_html(result.need, rows, carriers, lang=lang, candidates=len(cands), zones={},
                                 outlines={"district": frames["district"]}, prov=provenance(frames, date(2026, 11, 22)),
                                 today=date(2026, 11, 22),
                                 notes=[f"{k}: {v}" for k, v in exclusion_summary(result, lang=lang).items()])
        path = folder / f"match-{lang}.pdf"
        path.write_bytes(to_pdf(html).data)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        out[lang] = (re.sub(r"\s+", " ", text), rows, carriers, provenance(frames, date(2026, 11, 22)))
    return out


def test_match_report__need_in_words_in_both_languages(match_pdfs):
    zh, en = match_pdfs["zh"][0], match_pdfs["en"][0]
    for line in ("产业：生物医药", "发展阶段：初创", "最小面积（㎡）：500", "最大面积（㎡）：3,000", "靠近：皇岗口岸",
                 "距离上限（km）：3", "需要涉港资源：是"):
        assert line in zh, line
    for line in ("Industry: Biomedicine", "Minimum area (m²): 500", "Maximum area (m²): 3,000", "Within (km): 3",
                 "Wants a Hong Kong link: yes"):
        assert line in en, line
    assert not [k for k in RAW_KEYS for text in (zh, en) if k in text]  # no raw keys, no message keys


def test_match_report__each_result_with_address_figures_sources(match_pdfs):
    for lang in ("zh", "en"):
        text, rows, carriers, _ = match_pdfs[lang]
        assert rows, "the need finds carriers"
        by_id = carriers.set_index("id")
        for r in rows:
            rank = f"第 {r['rank']} 名" if lang == "zh" else f"No. {r['rank']}"
            assert f"{rank} · {r[f'name_{lang}']}" in text
            address = by_id.loc[r["id"], "address_zh"]
            assert address and address in text  # the address, as the sources give it
        first = by_id.loc[rows[0]["id"]]
        floor = f"{first['floor_area_m2']:,.0f}"
        qualified = ("计划 " if lang == "zh" else "planned ") + floor  # the qualifier before the figure
        assert qualified in text and ("〔外部来源〕" if lang == "zh" else "[external]") in text
        assert ("如何咨询" if lang == "zh" else "How to enquire") in text
        assert ("3 天内答复" if lang == "zh" else "reply within 3 days") in text


def test_match_report__english_interface_text_is_english(match_pdfs):
    """Chinese in the English report only in data: addresses, citations of Chinese documents, landmarks."""
    from layers.popups import detail_rows

    text, rows, carriers, prov = match_pdfs["en"]
    flat = re.sub(r"\s+", "", text)
    parts = {re.sub(r"\s+", "", str(part)) for r in rows  # what the data say (citations quote Chinese documents)
             for _, value, source in detail_rows(carriers.set_index("id").loc[r["id"]].to_dict() | {"id": r["id"]},
                                                 "en", prov) for part in (value, source or "")}
    for part in sorted(parts, key=len, reverse=True):  # the longest first: a short one may sit inside another
        flat = flat.replace(part, "")
    zh_texts = {texts[0] for texts in CATALOGUE.values() if CJK.search(texts[0]) and len(texts[0]) >= 4
                and "{" not in texts[0]}
    assert [s for s in zh_texts if s in flat] == []
    assert "How to enquire" in text and "Where they are" in text
