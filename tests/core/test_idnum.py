"""GB 11643 resident ID numbers: the check digit equals ISO 7064 MOD 11-2, and parse() rejects what it must."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import idnum

TODAY = dt.date(2026, 11, 23)
# The example printed in GB 11643-1999 itself, and a widely quoted one born in 1880.
STANDARD_EXAMPLE = "11010519491231002X"
OLD_EXAMPLE = "440524188001010014"


def iso7064_mod11_2(digits: str) -> str:
    """ISO 7064 MOD 11-2 written from the standard's recursive definition, independent of WEIGHTS."""
    p = 0
    for c in digits:
        p = (p + int(c)) * 2 % 11
    value = (12 - p) % 11
    return "X" if value == 10 else str(value)


def with_check(first17: str) -> str:
    return first17 + iso7064_mod11_2(first17)


def test_weights_are_powers_of_two_modulo_eleven() -> None:
    assert tuple(pow(2, 17 - i, 11) for i in range(17)) == idnum.WEIGHTS


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_digit_equals_iso_7064_mod_11_2(first17: str) -> None:
    assert idnum.check_digit(first17) == iso7064_mod11_2(first17)


def test_published_examples_parse() -> None:
    info = idnum.parse(STANDARD_EXAMPLE, today=TODAY)
    assert (info.area_code, info.birth_date, info.sex) == ("110105", dt.date(1949, 12, 31), "F")
    old = idnum.parse(OLD_EXAMPLE, today=TODAY)
    assert (old.area_code, old.birth_date, old.sex) == ("440524", dt.date(1880, 1, 1), "M")


def test_sex_is_the_parity_of_the_seventeenth_digit() -> None:
    male = with_check("11010519800101001")
    female = with_check("11010519800101002")
    assert idnum.parse(male, today=TODAY).sex == "M"
    assert idnum.parse(female, today=TODAY).sex == "F"


def test_lowercase_x_spaces_and_full_width_digits_normalise_to_one_spelling() -> None:
    assert idnum.parse("11010519491231002x", today=TODAY).number == STANDARD_EXAMPLE
    assert idnum.parse(" 110105 19491231 002x\n", today=TODAY).number == STANDARD_EXAMPLE
    full_width = STANDARD_EXAMPLE.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    info = idnum.parse(full_width, today=TODAY)
    assert info.number == STANDARD_EXAMPLE
    assert info.area_code == "110105"


def test_digits_of_other_scripts_are_rejected() -> None:
    arabic_indic = STANDARD_EXAMPLE.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    with pytest.raises(idnum.IdNumberError) as err:
        idnum.parse(arabic_indic, today=TODAY)
    assert err.value.code == "characters"
    with pytest.raises(idnum.IdNumberError):
        idnum.check_digit("١" * 17)


SHAPE_MESSAGE = "an ID number is 17 digits followed by a digit or X"


@pytest.mark.parametrize(
    ("number", "code", "message"),
    [
        ("11010519491231002", "length", "an ID number has 18 characters, this one has 17"),
        ("11010519491231002X1", "length", "an ID number has 18 characters, this one has 19"),
        # the old 15-digit form is not accepted, it is reported as a length
        ("110105491231002", "length", "an ID number has 18 characters, this one has 15"),
        ("", "length", "an ID number has 18 characters, this one has 0"),
        ("1101051949123100X2", "characters", SHAPE_MESSAGE),  # X only in the last place
        ("11010519491231002Y", "characters", SHAPE_MESSAGE),
        ("A1010519491231002X", "characters", SHAPE_MESSAGE),
        ("110105194912310021", "check_digit", "the check digit is 1, it should be X"),
    ],
)
def test_malformed_numbers_get_a_stable_code_and_message(number: str, code: str, message: str) -> None:
    with pytest.raises(idnum.IdNumberError) as err:
        idnum.parse(number, today=TODAY)
    assert (err.value.code, str(err.value)) == (code, message)


def test_wrong_check_digit_message_names_both_digits() -> None:
    with pytest.raises(idnum.IdNumberError, match="is 1, it should be X"):
        idnum.parse("110105194912310021", today=TODAY)


@pytest.mark.parametrize(
    "birth", ["19490230", "19000229", "20230229", "19901301", "19900001", "19900100", "19901232"]
)
def test_impossible_dates_are_rejected_even_with_a_correct_check_digit(birth: str) -> None:
    number = with_check(f"110105{birth}001")
    with pytest.raises(idnum.IdNumberError) as err:
        idnum.parse(number, today=TODAY)
    assert (err.value.code, str(err.value)) == ("birth_date", f"the birth date {birth} does not exist")


def test_leap_day_of_a_leap_year_is_fine() -> None:
    assert idnum.parse(with_check("11010520000229001"), today=TODAY).birth_date == dt.date(2000, 2, 29)


def test_future_birth_dates_are_rejected_relative_to_today() -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    number = with_check(f"110105{tomorrow:%Y%m%d}001")
    with pytest.raises(idnum.IdNumberError) as err:
        idnum.parse(number, today=TODAY)
    assert (err.value.code, str(err.value)) == ("birth_date", f"the birth date {tomorrow} is impossible")
    # The same number is valid once that day has come, and a baby born today is valid today.
    assert idnum.parse(number, today=tomorrow).birth_date == tomorrow
    assert idnum.parse(with_check(f"110105{TODAY:%Y%m%d}002"), today=TODAY).birth_date == TODAY


def test_births_before_1880_are_impossible() -> None:
    with pytest.raises(idnum.IdNumberError) as err:
        idnum.parse(with_check("11010518791231001"), today=TODAY)
    assert (err.value.code, str(err.value)) == ("birth_date", "the birth date 1879-12-31 is impossible")
    assert idnum.parse(with_check("11010518800101001"), today=TODAY).birth_date == dt.date(1880, 1, 1)


def test_today_defaults_to_the_real_today_in_shanghai() -> None:
    far_future = with_check("11010529990101001")
    with pytest.raises(idnum.IdNumberError):
        idnum.parse(far_future)
    # A baby born today in China is valid today whatever the process timezone (tests/test_timezones.py runs
    # this under UTC and Los Angeles, whose date lags Shanghai's for 16 hours a day).
    shanghai = ZoneInfo("Asia/Shanghai")
    before = dt.datetime.now(shanghai).date()
    number = with_check(f"110105{before:%Y%m%d}001")
    try:
        accepted = idnum.parse(number).birth_date
    except idnum.IdNumberError:
        accepted = None
    if dt.datetime.now(shanghai).date() != before:
        pytest.skip("Shanghai's midnight passed during the test")
    assert accepted == before


def test_check_digit_refuses_a_wrong_shape() -> None:
    for bad in ("1234", "1" * 18, "1101051949123100X", "١" * 17):
        with pytest.raises(idnum.IdNumberError) as err:
            idnum.check_digit(bad)
        assert (err.value.code, str(err.value)) == ("shape", "check_digit needs 17 digits")


@given(
    area=st.from_regex(r"\A[1-9][0-9]{5}\Z"),
    birth=st.dates(min_value=dt.date(1880, 1, 1), max_value=TODAY),
    sequence=st.integers(min_value=0, max_value=499),
    sex=st.sampled_from(["M", "F"]),
)
def test_make_then_parse_round_trips(area: str, birth: dt.date, sequence: int, sex: str) -> None:
    number = idnum.make(area, birth, sequence, sex)
    assert len(number) == 18
    assert number[17] == iso7064_mod11_2(number[:17])
    info = idnum.parse(number, today=TODAY)
    assert info == idnum.IdInfo(number=number, area_code=area, birth_date=birth, sex=sex)
    assert idnum.parse(number.lower(), today=TODAY) == info


def test_make_gives_distinct_numbers_for_each_sequence_and_sex() -> None:
    birth = dt.date(1990, 5, 17)
    numbers = {idnum.make("990101", birth, n, sex) for n in range(500) for sex in "MF"}
    assert len(numbers) == 1000
    # The order code has three digits: sequence 500 wraps round to 0 rather than overflowing to four.
    assert idnum.make("990101", birth, 500, "M") == idnum.make("990101", birth, 0, "M")


def test_make_uses_only_the_district_part_of_a_longer_area_code() -> None:
    number = idnum.make("990101001001", dt.date(1990, 5, 17), 3, "F")
    assert idnum.parse(number, today=TODAY).area_code == "990101"


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_is_detected(first17: str, position: int, delta: int) -> None:
    number = with_check(first17)
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert changed[17] != idnum.check_digit(changed[:17])
