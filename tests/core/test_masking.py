"""Masked display: recognisable, never the whole value, and the same length as the original."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.masking import mask_id_number, mask_name, mask_phone
from core.textclean import has_invisible


def test_resident_id_keeps_area_prefix_and_last_four() -> None:
    assert mask_id_number("320102199001011234") == "320102********1234"
    assert mask_id_number("11010519491231002X") == "110105********002X"


@pytest.mark.parametrize(
    ("number", "masked"),
    [("E12345678", "E1*****78"), ("G1234567", "G1****67"), ("E1234", "E***4"), ("AB1", "***"), ("", "")],
)
def test_short_documents_keep_at_most_two_characters_each_side(number: str, masked: str) -> None:
    assert mask_id_number(number) == masked


def test_phone_keeps_three_and_four() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+8613812345678") == "+86*******5678"


@pytest.mark.parametrize(
    ("phone", "masked"), [("+123456", "+*****6"), ("+12345678", "+1*****78"), ("123", "***")]
)
def test_short_phones_still_hide_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张*丰"),
        ("欧阳娜娜", "欧**娜"),
        ("王", "*"),
        ("", ""),
        ("JOHN SMITH", "J*** S****"),
        ("NGUYEN VAN AN", "N***** V** A*"),
    ],
)
def test_names(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@given(st.text(alphabet="0123456789X", min_size=5, max_size=20))
def test_documents_of_five_or_more_characters_always_hide_some(number: str) -> None:
    masked = mask_id_number(number)
    assert len(masked) == len(number)
    assert "*" in masked
    assert all(m == "*" or m == c for m, c in zip(masked, number, strict=True))
    # Never more than the area prefix and the last four are visible.
    assert sum(m != "*" for m in masked) <= 10


@given(st.from_regex(r"\A\+?[0-9]{6,15}\Z"))
def test_every_accepted_phone_shape_hides_at_least_half_of_a_short_number(phone: str) -> None:
    masked = mask_phone(phone)
    assert len(masked) == len(phone)
    assert all(m == "*" or m == c for m, c in zip(masked, phone, strict=True))
    hidden = masked.count("*")
    assert hidden >= 4 if len(phone) >= 11 else hidden * 2 >= len(phone)


@given(st.text(alphabet="赵钱孙李周吴郑王冯陈褚卫", min_size=2, max_size=6))
def test_chinese_names_hide_all_but_the_ends(name: str) -> None:
    masked = mask_name(name)
    assert len(masked) == len(name)
    assert masked[0] == name[0]
    assert masked != name


@given(st.text(min_size=1, max_size=12))
def test_no_mask_lets_a_direction_override_or_control_character_through(value: str) -> None:
    hostile = value + "\u202e"
    for masked in (mask_name(hostile), mask_phone(hostile), mask_id_number(hostile), mask_name("\u202e" + value)):
        assert not has_invisible(masked), repr(masked)
