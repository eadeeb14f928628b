import pytest
from hypothesis import given
from hypothesis import strategies as st

from spatial.credit_code import (ALPHABET, AUTHORITIES, WEIGHTS, check_character, credit_code_check,
                                 credit_code_problem, is_valid_credit_code, make_credit_code, normalise_credit_code)
from spatial.errors import SpaceMapError

# Real codes whose check character this algorithm and an independent source agree on:
# - 91440300708461136T 腾讯科技（深圳）有限公司 (Tencent's Shenzhen entity): also embedded in the
#   AIGC "ContentProducer" marks of Tencent's platforms (0011 + code + …), published data;
# - 914403001922038216 华为技术有限公司 (Huawei Technologies Co., Ltd.): asserted valid by
#   independent validators' own tests in public repositories;
# - 91110000802100433B 北京百度网讯科技有限公司 (Beijing Baidu Netcom; organisation code 802100433 —
#   not the Bank of China): company-registry records and AIGC producer marks;
# - 91110108551385082Q 小米科技有限责任公司 (Xiaomi): company-registry records.
REAL_CODES = ["91440300708461136T", "914403001922038216", "91110000802100433B", "91110108551385082Q"]
# The worked example of GB 32100-2015's annex: 91350100M000100Y4Z has a weighted sum of 1640,
# 1640 mod 31 = 28, so the check is 31 - 28 = 3, not Z.
STANDARD_EXAMPLE = "91350100M000100Y4Z"

prefixes = st.builds(
    lambda a, b, division, subject: a + b + division + subject,
    st.sampled_from(AUTHORITIES), st.sampled_from(ALPHABET),
    st.text("0123456789", min_size=6, max_size=6), st.text(ALPHABET, min_size=9, max_size=9))


def test_weights__are_powers_of_three_mod_31():
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(ALPHABET) == 31 and not set("IOSVZ") & set(ALPHABET)


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes__valid(code):
    assert credit_code_problem(code) is None
    assert is_valid_credit_code(code)
    assert make_credit_code(code[:17]) == code


def test_standard_example__check_is_3():
    assert check_character(STANDARD_EXAMPLE[:17]) == "3"
    assert credit_code_check(STANDARD_EXAMPLE)["code"] == "character"  # Z is not even in the alphabet
    assert credit_code_problem(STANDARD_EXAMPLE[:17] + "4") == "check digit is 4, expected 3"
    assert is_valid_credit_code(STANDARD_EXAMPLE[:17] + "3")


def test_check_value_31__written_as_0():
    # a prefix whose weighted sum is a multiple of 31: 31 - 0 = 31, which stands for 0
    prefix = "1A" + "0" * 15  # 1×1 + 10×3 = 31
    assert check_character(prefix) == "0"
    assert is_valid_credit_code(prefix + "0")


def test_check_value_30__written_as_Y():
    # "1" + 16 zeros: sum 1, 31 - 1 = 30 → the 31st character, Y
    assert check_character("1" + "0" * 16) == "Y"


def test_normalise__full_width_lower_case_spaces_hyphens():
    assert normalise_credit_code(" ９１４４０３００ 7084-6113 6t\u3000") == "91440300708461136T"
    assert normalise_credit_code(None) == ""
    assert is_valid_credit_code("9144-0300-7084-6113-6t")


def test_problem__length():
    assert credit_code_problem("91440300708461136") == "must be 18 characters, got 17"
    assert credit_code_check("")["code"] == "empty"


def test_problem__letter_o_not_allowed():
    problem = credit_code_check("91440300708461136O")
    assert problem["code"] == "character"
    assert problem["en"].startswith("character 'O' (position 18) is not allowed")
    assert "'O'" in problem["zh"]


def test_problem__authority_and_division():
    assert credit_code_check("B1440300708461136T")["code"] == "authority"
    division = credit_code_check("9144A300708461136T")
    assert division["code"] == "division" and "44A300" in division["en"]


def test_problem__wrong_check_digit_names_both():
    problem = credit_code_check("914403001922038217")
    assert problem == {"code": "check", "zh": "校验码为 7，应为 6", "en": "check digit is 7, expected 6"}


def test_made_up_codes__found_in_mock_data_are_invalid():
    # codes seen in public mock data, not issued: their check characters do not agree
    for code in ("914403001870826678", "9133010057462616XH", "91110000800088421P"):
        assert not is_valid_credit_code(code)


def test_make__refuses_a_prefix_that_cannot_begin_a_code():
    for bad in ("9144030070846113", "Z1440300708461136", "9144A300708461136", "91440300708461I36"):
        with pytest.raises(SpaceMapError):
            make_credit_code(bad)


@given(prefixes)
def test_make__any_valid_prefix_gives_a_valid_code(prefix):
    code = make_credit_code(prefix)
    assert len(code) == 18 and code[:17] == prefix
    assert credit_code_problem(code) is None


@given(prefixes, st.integers(0, 17), st.sampled_from(ALPHABET + "IOSVZ"))
def test_any_single_change__makes_a_valid_code_invalid(prefix, position, char):
    # 31 is prime and every weight is non-zero mod 31: a change at positions 1-17 moves the sum
    # mod 31; a change of the check character no longer matches it.
    code = make_credit_code(prefix)
    if code[position] == char:
        return
    changed = code[:position] + char + code[position + 1:]
    assert not is_valid_credit_code(changed)
