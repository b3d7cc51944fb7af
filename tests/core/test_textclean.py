"""Text as people see it: controls, direction overrides and lone surrogates go; every other character stays."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.textclean import clean_text, clean_tree, has_invisible


def test_it_strips_nul_overrides_and_lone_surrogates_and_keeps_the_rest() -> None:
    assert clean_text("张\x00三\u202e\u2066\ud800 😀\n\tA") == "张三 😀\n\tA"


def test_it_cleans_keys_and_values_of_parsed_json() -> None:
    assert clean_tree({"na\x00me": ["a\u202eb", 1, {"x": "\udfff"}], "n": None}) == {"name": ["ab", 1, {"x": ""}], "n": None}


@given(st.text())
def test_clean_text_leaves_nothing_invisible_and_is_idempotent(value: str) -> None:
    cleaned = clean_text(value)
    assert not has_invisible(cleaned)
    assert clean_text(cleaned) == cleaned
    cleaned.encode("utf-8")  # no lone surrogate survives: every result can be stored
