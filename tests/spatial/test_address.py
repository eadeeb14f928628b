"""Chinese address normalisation: the ways registers write one site come out the same."""
from __future__ import annotations

import numpy as np
import pytest

from spatial import address as address_module
from spatial.address import (ROAD_ALIASES, Address, fuzzy_scores, name_variants, normalise_text, parse_addresses,
                             text_score)


def _one(text):
    return parse_addresses([text])[0]


def test_normalise_text__full_width_aliases_building_floor_room():
    assert normalise_text("深南路６００９号Ａ座12楼1201房") == "深南大道6009号A栋12层1201室"


def test_normalise_text__spaces_punctuation_and_lower_case_removed():
    assert normalise_text(" 槟榔道 3号，b座（北）") == "槟榔道3号B栋北"


@pytest.mark.parametrize("written", ["3栋", "3座", "3幢", "3号楼", "三号楼", "3#楼", "３＃"])
def test_normalise_text__building_words__all_栋(written):
    assert normalise_text(f"槟榔道3号{written}") == "槟榔道3号3栋"


@pytest.mark.parametrize("written, expected", [("12F", "12层"), ("12楼", "12层"), ("第12层", "第12层"),
                                               ("1201房", "1201室"), ("1201房间", "1201室"), ("1201号房", "1201室")])
def test_normalise_text__floor_and_room_words(written, expected):
    assert normalise_text(written) == expected


def test_normalise_text__none_and_nan__empty():
    assert normalise_text(None) == ""
    assert normalise_text(float("nan")) == ""


def test_road_aliases__each_alias_becomes_its_road():
    assert ROAD_ALIASES["深南路"] == "深南大道"
    for alias, road in ROAD_ALIASES.items():
        assert normalise_text(f"{alias}1号") == f"{road}1号"
        assert normalise_text(f"{road}1号") == f"{road}1号"  # a canonical name is left alone


def test_parse_addresses__full_prefix_subdistrict_full_width__parts():
    a = _one("广东省深圳市福田区福保街道槟榔道３号Ａ座12楼1201室")
    assert a == Address(text="广东省深圳市福田区福保街道槟榔道３号Ａ座12楼1201室", district="福田区", road="槟榔道",
                        number="3", building="A", name_part=None, floor="12", room="1201", normalised="槟榔道3号A栋")
    assert a.site_key == "槟榔道|3|A"


@pytest.mark.parametrize("written", ["槟榔道3号A栋", "深圳市福田区槟榔道3号A座", "福田区槟榔道3号A幢5楼",
                                     "深圳福田保税区槟榔道３号Ａ座５０３室", "广东深圳福田区福保街道福保社区槟榔道3号A栋12层"])
def test_parse_addresses__one_site_written_many_ways__same_site_key(written):
    assert _one(written).site_key == "槟榔道|3|A"


def test_parse_addresses__missing_prefix__no_district_same_parts():
    a = _one("深南路6009号绿景广场B座")
    assert (a.district, a.road, a.number, a.building, a.name_part) == (None, "深南大道", "6009", "B", "绿景广场")
    assert a.site_key == "深南大道|6009|B"


def test_parse_addresses__floor_and_room__stripped_from_normalised():
    a = _one("深圳市福田区益田路5033号12层1201")
    assert (a.floor, a.room, a.normalised, a.site_key) == ("12", "1201", "益田路5033号", "益田路|5033|")
    assert _one("华强北路1002号赛格广场3#楼2003").room == "2003"


def test_parse_addresses__nanshan__district_nanshan():
    a = _one("深圳市南山区粤海街道科技南路8号")
    assert a.district == "南山区"
    assert (a.road, a.number) == ("科技南路", "8")
    assert _one("深圳南山科技园").district == "南山区"  # a district written short after the city


def test_parse_addresses__short_futian_after_city__futian():
    a = _one("广东深圳福田车公庙泰然九路1号")
    assert (a.district, a.number) == ("福田区", "1")
    assert a.road.endswith("泰然九路")


@pytest.mark.parametrize("text", ["合作区概念验证中心", "湖南大厦3楼", "光明大厦5楼", "香港城市大学深圳福田研究院"])
def test_parse_addresses__place_names_in_building_names__no_district(text):
    a = _one(text)
    assert a.district is None
    assert a.normalised.startswith(normalise_text(text)[:4])  # nothing of the name stripped


@pytest.mark.parametrize("text", [None, "", "   ", float("nan")])
def test_parse_addresses__none_or_empty__everything_none(text):
    a = _one(text)
    assert (a.district, a.road, a.number, a.building, a.name_part, a.floor, a.room, a.normalised) == (None,) * 8
    assert a.site_key is None


def test_parse_addresses__name_only__name_part():
    a = _one("国际生物医药产业园3栋201室")
    assert (a.name_part, a.building, a.room, a.site_key) == ("国际生物医药产业园", "3", "201", None)


def test_parse_addresses__batch__one_cpca_call_in_order(monkeypatch):
    import cpca

    calls = []
    real = cpca.transform
    monkeypatch.setattr(cpca, "transform", lambda texts, *a, **k: calls.append(list(texts)) or real(texts, *a, **k))
    out = parse_addresses(["深南大道6009号", None, "深圳市南山区科技南路8号", "深南大道6009号"])
    assert len(calls) == 1 and len(calls[0]) == 2  # the distinct texts, once
    assert [a.district for a in out] == [None, None, "南山区", None]
    assert out[0].text == "深南大道6009号" and out[1].text is None


def test_name_variants__alias_in_parentheses__both_names():
    (variants,) = name_variants(["国际生物医药产业园（国际生物医药基地）"])
    assert set(variants) == {"国际生物医药产业园国际生物医药基地", "国际生物医药产业园", "国际生物医药基地"}
    assert variants[0] == "国际生物医药产业园国际生物医药基地"  # longest first


def test_name_variants__shenzhen_prefix_dropped_hong_kong_kept():
    shenzhen, futian, hong_kong = name_variants(["深圳新一代信息技术产业园", "福田区人工智能城市创新中心",
                                                 "香港城市大学深圳福田研究院"])
    assert shenzhen == ("深圳新一代信息技术产业园", "新一代信息技术产业园")
    assert futian == ("福田区人工智能城市创新中心", "人工智能城市创新中心")
    assert hong_kong == ("香港城市大学深圳福田研究院",)


def test_name_variants__short_alias_left_out_quoted_and_spaced_parts_kept():
    hax, chip, none = name_variants(["HAX 智能硬件加速器", "“湾区芯谷”集成电路产业园", None])
    assert hax == ("HAX智能硬件加速器", "智能硬件加速器")  # "HAX": 3 characters
    assert chip == ("湾区芯谷集成电路产业园", "湾区芯谷")
    assert none == ()


def test_text_score__name_inside_address__partial_short_query__ratio():
    assert text_score("国际生物医药基地", "国际生物医药基地5层") == 100.0
    assert text_score("演示科技大厦0001", "大厦") == pytest.approx(100 * 2 * 2 / 12)


def test_fuzzy_scores__best_per_owner_equals_direct_scores():
    choices = ["国际生物医药产业园", "国际生物医药基地", "深港协同创新中心", "征信大厦", "数字货币大厦"]
    owners = np.array([0, 0, 1, 2, 3])
    queries = ["国际生物医约产业园", "深港协同创新中心12层", "无", "征信大夏"]
    found = fuzzy_scores(queries, choices, owners, cutoff=70)
    for q, best in zip(queries, found):
        direct = {}
        for j, c in enumerate(choices):
            s = text_score(c, q)
            if s >= 70 and s > direct.get(int(owners[j]), (-1, 0))[0]:
                direct[int(owners[j])] = (s, j)
        assert best == direct
    assert found[0][0] == (pytest.approx(88.89, abs=0.01), 0)
    assert found[2] == {}


def test_fuzzy_scores__small_blocks__same_answer(monkeypatch):
    choices = [f"演示科技大厦{i:04d}" for i in range(50)]
    queries = [f"演示科技大厦{i:04d}5楼" for i in range(0, 50, 7)] + ["演示科技大夏0003"]
    whole = fuzzy_scores(queries, choices, np.arange(50), cutoff=80)
    monkeypatch.setattr(address_module, "BLOCK_CELLS", 60)  # a block of one query
    assert fuzzy_scores(queries, choices, np.arange(50), cutoff=80) == whole
    assert whole[1][7] == (100.0, 7)
