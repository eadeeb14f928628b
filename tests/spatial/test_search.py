import pandas as pd

from spatial.search import pinyin_initials, search_carriers

FRAME = pd.DataFrame({
    "id": ["sp-xinyidai", "lc-blackark", "sp-quantum"],
    "name_zh": ["深圳新一代信息技术产业园", "BLACKARK 智方舟国际智能硬件创新中心", "深圳国际量子研究院"],
    "name_en": ["Shenzhen New-Generation IT Park", "BLACKARK Smart Hardware Center", "Shenzhen International Quantum Academy"],
})


def test_pinyin_initials__chinese_and_latin():
    assert pinyin_initials("深圳新一代信息技术产业园") == "szxydxxjscyy"
    assert pinyin_initials("BLACKARK 智方舟") == "blackarkzfz"
    assert pinyin_initials("") == ""


def test_search_carriers__by_chinese_english_initials_and_id():
    assert search_carriers(FRAME, "量子") == ["sp-quantum"]
    assert search_carriers(FRAME, "quantum academy") == ["sp-quantum"]
    assert search_carriers(FRAME, "SZXYD") == ["sp-xinyidai"]
    assert search_carriers(FRAME, "lc-blackark") == ["lc-blackark"]


def test_search_carriers__prefix_ranks_before_substring():
    assert search_carriers(FRAME, "深圳") == ["sp-xinyidai", "sp-quantum"]
    assert search_carriers(FRAME, "shenzhen")[:2] == ["sp-xinyidai", "sp-quantum"]
    assert search_carriers(FRAME, "  ") == [] and search_carriers(FRAME, "zzzz") == []
