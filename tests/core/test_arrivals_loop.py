"""The inbound loop table: every allowed and every refused step, evidence, deadlines, board sums."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import arrivals_loop as loop
from core.arrivals_loop import Stage as S

T0 = datetime(2020, 3, 10, 2, 0, tzinfo=UTC)

# Written out independently of the module's table: the seed's loop, with the hospital reachable
# wherever a positive can turn up and a port → community shortcut for low-risk travellers.
EXPECTED_ALLOWED = {
    ("transport", "port"),
    ("port", "transfer"),
    ("port", "hospital"),
    ("port", "community"),
    ("transfer", "centralised"),
    ("transfer", "hospital"),
    ("transfer", "community"),
    ("centralised", "hospital"),
    ("centralised", "community"),
    ("hospital", "community"),
    ("community", "closed"),
}
EVIDENCE_FOR = {
    "transfer": {"vehicle": "浙A-12345", "receiving_site": "site:3"},
    "centralised": {"stay": "stay:9"},
}


@pytest.mark.parametrize(("frm", "to"), sorted(product([s.value for s in S], repeat=2)))
def test_every_step_is_allowed_or_refused_as_the_table_says(frm: str, to: str) -> None:
    evidence = EVIDENCE_FOR.get(frm, {})
    if (frm, to) in EXPECTED_ALLOWED:
        loop.check_step(S(frm), S(to), evidence)
        assert S(to) in loop.allowed_next(S(frm))
    else:
        with pytest.raises(loop.LoopError) as refused:
            loop.check_step(S(frm), S(to), evidence)
        assert refused.value.code == "step_not_allowed"


@pytest.mark.parametrize(
    ("frm", "needs"), [("transfer", {"vehicle", "receiving_site"}), ("centralised", {"stay"})]
)
def test_leaving_a_stage_needs_its_evidence(frm: str, needs: set[str]) -> None:
    to = next(to for (f, to) in sorted(EXPECTED_ALLOWED) if f == frm)
    with pytest.raises(loop.LoopError) as refused:
        loop.check_step(S(frm), S(to), {})
    assert refused.value.code == "evidence_missing" and set(refused.value.missing) == needs
    with pytest.raises(loop.LoopError):
        loop.check_step(S(frm), S(to), dict.fromkeys(needs, "  "))  # blank is not evidence


def test_closed_is_final_and_nothing_returns_to_transport() -> None:
    assert loop.allowed_next(S.CLOSED) == []
    assert all(to is not S.TRANSPORT for (_, to) in loop.TRANSITIONS)


def test_deadlines_come_from_configurable_durations_and_overdue_escalates() -> None:
    spans = loop.durations({"port": 1})
    due = loop.deadline(S.PORT, T0, spans)
    assert due == T0 + timedelta(hours=1)
    assert loop.deadline(S.CENTRALISED, T0, spans) == T0 + timedelta(days=14)
    assert loop.deadline(S.CLOSED, T0, spans) is None
    assert loop.overdue(due, due) is loop.Overdue.NO
    assert loop.overdue(due, due + timedelta(minutes=1)) is loop.Overdue.OWNER
    assert loop.overdue(due, due + timedelta(hours=13)) is loop.Overdue.DISTRICT


# A random life of travellers: arrive, then take random steps (allowed or not); refused ones change nothing.
events = st.lists(
    st.tuples(st.integers(0, 15), st.sampled_from(list(S)), st.integers(0, 6), st.booleans()), max_size=120
)


@given(events)
def test_the_board_always_reconciles_with_arrivals(sequence) -> None:
    stages: dict[int, S] = {}
    days: dict[int, date] = {}
    for who, to, day, with_evidence in sequence:
        if who not in stages:
            stages[who], days[who] = S.TRANSPORT, date(2020, 3, 1) + timedelta(days=day)
            continue
        try:
            loop.check_step(stages[who], to, EVIDENCE_FOR.get(stages[who], {}) if with_evidence else {})
        except loop.LoopError:
            continue
        stages[who] = to
    rows = [
        loop.Row(stage, "" if stage is S.CLOSED else f"r@{who % 3}", days[who], who % 2 == 0)
        for who, stage in stages.items()
    ]
    result = loop.board(rows)
    assert result.reconciles()
    assert result.arrived == len(stages)
    # An oracle count, independent of Board: travellers per stage.
    for stage in S:
        assert result.by_stage[stage] == sum(1 for s in stages.values() if s is stage)


def test_a_board_that_lost_someone_does_not_reconcile() -> None:
    result = loop.board([loop.Row(S.PORT, "x", date(2020, 3, 1), False)])
    result.arrived += 1
    assert not result.reconciles()
