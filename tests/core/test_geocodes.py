"""Administrative codes: levels, parents, subtree prefixes, and codes that are not codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import geocodes
from core.geocodes import Level


@pytest.mark.parametrize(
    ("code", "level", "parent", "prefix"),
    [
        ("320000", Level.PROVINCE, None, "32"),
        ("320100", Level.CITY, "320000", "3201"),
        ("320102", Level.DISTRICT, "320100", "320102"),
        ("320102001", Level.STREET, "320102", "320102001"),
        ("320102001002", Level.COMMUNITY, "320102001", "320102001002"),
        ("990000", Level.PROVINCE, None, "99"),
        ("990100", Level.CITY, "990000", "9901"),
        ("990106", Level.DISTRICT, "990100", "990106"),
    ],
)
def test_level_parent_and_prefix(code: str, level: Level, parent: str | None, prefix: str) -> None:
    assert geocodes.level_of(code) is level
    assert geocodes.parent_code(code) == parent
    assert geocodes.scope_prefix(code) == prefix
    assert len(code) == geocodes.CODE_LENGTH[level]


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "32010",
        "3201020",
        "32010200100",
        "3201020010021",
        "32O102",
        "-32010",
        " 320102",
        "３２０１０２",
        "٣٢٠١٠٢",
    ],
)
def test_malformed_codes_are_refused(bad: str) -> None:
    with pytest.raises(geocodes.AreaCodeError):
        geocodes.level_of(bad)
    with pytest.raises(geocodes.AreaCodeError):
        geocodes.scope_prefix(bad)
    with pytest.raises(geocodes.AreaCodeError):
        geocodes.parent_code(bad)


def test_is_within_follows_the_tree() -> None:
    community = "990101003007"
    for ancestor in ("990000", "990100", "990101", "990101003", community):
        assert geocodes.is_within(community, ancestor)
    for other in ("980000", "990200", "990102", "990101004", "990101003008"):
        assert not geocodes.is_within(community, other)
    # A district is not inside one of its own streets; another city of the same province is in the province only.
    assert not geocodes.is_within("990101", "990101003")
    assert geocodes.is_within("991101", "990000")
    assert not geocodes.is_within("991101", "990100")


communities = st.from_regex(
    r"\A[1-9][0-9]([0-9][1-9]|[1-9][0-9])([0-9][1-9]|[1-9][0-9])[0-9]{2}[1-9][0-9]{2}[1-9]\Z"
)


@given(communities)
def test_walking_up_parents_reaches_a_province_through_every_level(code: str) -> None:
    seen = []
    current: str | None = code
    while current is not None:
        seen.append(geocodes.level_of(current))
        assert geocodes.is_within(code, current)
        current = geocodes.parent_code(current)
    assert seen == [Level.COMMUNITY, Level.STREET, Level.DISTRICT, Level.CITY, Level.PROVINCE]
