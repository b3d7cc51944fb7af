import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core import creditcode
from core.creditcode import ALPHABET

# Codes published in open-source validators' test suites (hutool CreditCodeUtilTest, fdstar/NumberValidators,
# various README examples); all are real registrations.
PUBLISHED_VALID = [
    "91350100M000100Y43",
    "91310115591693856A",
    "91310110666007217T",
    "91350200776049653A",
    "91350503MA31DKY80A",
    "91440101MA5CJQ4N59",
    "913502000728319549",
    "9135021359498494XQ",
    "91350213678251743X",
    "91110108735106340Y",
    "112302070019030687",
    "51610700305332460K",
    "11610923MB2900168E",
    "1134082855783407XL",
    "91341000MA2N0ABGXX",
    "91440300708461136T",
]

# Early Fujian pilot codes that predate the standard: their 18th character does not follow GB 32100.
# hutool rejects them too (see its test isCreditCode2); the expected characters were computed by hand.
PILOT_CODES = [("91350211M00013FA1N", "3"), ("91350203M0001QAY9B", "9")]

areas = st.text(alphabet="0123456789", min_size=6, max_size=6)


@pytest.mark.parametrize("code", PUBLISHED_VALID)
def test_it_accepts_published_codes(code: str) -> None:
    result = creditcode.validate(code)
    assert result.ok, result.message
    assert result.error_code is None


@pytest.mark.parametrize(("code", "expected"), PILOT_CODES)
def test_it_rejects_pre_standard_pilot_codes_naming_the_expected_check_character(
    code: str, expected: str
) -> None:
    result = creditcode.validate(code)
    assert result.error_code == "check_character"
    assert result.problems[0].expected == expected
    assert f"expected '{expected}'" in result.message


def test_check_character_matches_published_example() -> None:
    assert creditcode.check_character("91350100M000100Y4") == "3"
    assert creditcode.organisation_check_character("M000100Y") == "4"


def test_it_normalises_case_and_spaces() -> None:
    result = creditcode.validate(" 91350100m000100y43 \n")
    assert result.ok
    assert result.normalized == "91350100M000100Y43"


@pytest.mark.parametrize("code", ["", "91350100M000100Y4", "91350100M000100Y433"])
def test_it_rejects_wrong_length_with_the_length(code: str) -> None:
    result = creditcode.validate(code)
    assert result.error_code == "length"
    assert f"has {len(code)}" in result.message


@pytest.mark.parametrize(("code", "position"), [("9135010OM000100Y43", 8), ("91350100M000100Y4Z", 18)])
def test_it_rejects_excluded_letters_naming_the_position(code: str, position: int) -> None:
    result = creditcode.validate(code)
    assert result.error_code == "character"
    assert result.problems[0].position == position
    assert f"character {position}" in result.message


def test_it_rejects_punctuation() -> None:
    assert creditcode.validate("91350100M000100Y4-").error_code == "character"


def test_it_rejects_unknown_registration_authority() -> None:
    first17 = "B1350100M000100Y4"
    result = creditcode.validate(first17 + creditcode.check_character(first17))
    assert [p.code for p in result.problems] == ["registration_authority"]


def test_it_rejects_organisation_type_the_authority_does_not_issue() -> None:
    first17 = "94350100M000100Y4"
    result = creditcode.validate(first17 + creditcode.check_character(first17))
    assert [p.code for p in result.problems] == ["organisation_type"]
    assert creditcode.validate(first17 + creditcode.check_character(first17), check_segments=False).ok


def test_it_rejects_letters_in_the_area_code() -> None:
    first17 = "913501A0M000100Y4"
    result = creditcode.validate(first17 + creditcode.check_character(first17))
    assert [p.code for p in result.problems] == ["area_code"]
    assert result.problems[0].position == 7


def test_it_rejects_bad_organisation_check_character_even_if_final_check_fits() -> None:
    first17 = "91350100M000100Y5"
    result = creditcode.validate(first17 + creditcode.check_character(first17))
    assert [p.code for p in result.problems] == ["organisation_check_character"]
    assert result.problems[0].expected == "4"


def test_parts_splits_segments() -> None:
    p = creditcode.parts("91350100M000100Y43")
    assert (p.registration_authority, p.organisation_type, p.area_code) == ("9", "1", "350100")
    assert (p.organisation_code, p.check_character) == ("M000100Y4", "3")
    with pytest.raises(ValueError, match="expected '3'"):
        creditcode.parts("91350100M000100Y44")


def test_generate_rejects_bad_area() -> None:
    with pytest.raises(ValueError):
        creditcode.generate(random.Random(1), "32010")


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32), area=areas)
def test_generated_codes_validate_and_carry_the_area(seed: int, area: str) -> None:
    code = creditcode.generate(random.Random(seed), area)
    assert creditcode.validate(code).ok
    assert creditcode.parts(code).area_code == area


@settings(max_examples=500, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    area=areas,
    position=st.integers(0, 17),
    replacement=st.sampled_from(ALPHABET + "IOSVZ-"),
)
def test_any_single_character_change_is_detected(
    seed: int, area: str, position: int, replacement: str
) -> None:
    code = creditcode.generate(random.Random(seed), area)
    assume(code[position] != replacement)
    changed = code[:position] + replacement + code[position + 1 :]
    assert not creditcode.validate(changed).ok
