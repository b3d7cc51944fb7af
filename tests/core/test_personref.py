"""Opaque person references: a keyed permutation that round-trips, spreads ids and refuses made-up numbers."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.personref import MAX_ID, MAX_REF, PersonRefs

REFS = PersonRefs(b"0123456789abcdef0123456789abcdef")


@given(st.integers(0, MAX_ID))
def test_every_id_round_trips_and_stays_a_safe_javascript_integer(person_id: int) -> None:
    ref = REFS.encode(person_id)
    assert 0 <= ref <= MAX_REF < 10**14  # never 15 digits, like an ID number; exact in JavaScript
    assert REFS.decode(ref) == person_id


def test_consecutive_ids_give_distinct_unordered_refs() -> None:
    refs = [REFS.encode(i) for i in range(1, 20_001)]
    assert len(set(refs)) == len(refs)
    ups = sum(b > a for a, b in zip(refs, refs[1:], strict=False))
    assert 0.4 < ups / (len(refs) - 1) < 0.6  # no trace of the counting order
    assert all(ref != i for i, ref in enumerate(refs, start=1))


def test_numbers_it_did_not_make_are_refused() -> None:
    rng = random.Random(7)
    made_up = [rng.randrange(MAX_REF + 1) for _ in range(20_000)]
    accepted = [ref for ref in made_up if REFS.decode(ref) is not None]
    assert len(accepted) <= 8  # 2**-14 each: about 1.2 expected
    for bad in (-1, MAX_REF + 1, True, "123", 1.5, None):
        assert REFS.decode(bad) is None
    assert REFS.decode(REFS.encode(77) ^ 1) != 77


def test_another_key_gives_other_refs_that_the_first_key_refuses() -> None:
    other = PersonRefs(b"another key of sixteen+ bytes")
    assert all(other.encode(i) != REFS.encode(i) for i in range(200))
    assert sum(REFS.decode(other.encode(i)) is not None for i in range(2_000)) <= 3


@pytest.mark.parametrize("bad", [-1, MAX_ID + 1, True, "5"])
def test_ids_outside_the_range_are_a_programming_error(bad: object) -> None:
    with pytest.raises(ValueError):
        REFS.encode(bad)  # type: ignore[arg-type]


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError):
        PersonRefs(b"short")
