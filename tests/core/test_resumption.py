import math
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.resumption import (
    EnterpriseState,
    GroupField,
    PowerCheckOutcome,
    PowerRecord,
    ResumptionStatus,
    power_cross_check,
    resumption_rates,
)

NOT, PARTLY, FULLY = ResumptionStatus.NOT_RESUMED, ResumptionStatus.PARTLY, ResumptionStatus.FULLY


def ent(
    status: ResumptionStatus,
    *,
    district: str = "A",
    section: str = "C",
    size: str = "small",
    above: bool = False,
    share: float = 0.0,
    capacity: float = 0.0,
    employees: int = 10,
    active: bool = True,
) -> EnterpriseState:
    return EnterpriseState(district, section, size, above, status, share, capacity, employees, active)


def test_it_counts_partly_and_fully_as_resumed_over_active_enterprises() -> None:
    rows = [
        ent(FULLY, share=1.0, capacity=0.9, employees=100),
        ent(PARTLY, share=0.5, capacity=0.5, employees=20),
        ent(NOT, employees=30),
        ent(NOT, employees=50),
        ent(FULLY, share=1.0, employees=999, active=False),  # deregistered: outside the denominator
    ]
    total = resumption_rates(rows)[()]
    assert (total.active, total.resumed, total.fully, total.not_resumed) == (4, 2, 1, 2)
    assert total.resumed_rate == 0.5
    assert total.fully_rate == 0.25
    assert total.staff_weighted_rate == pytest.approx(110 / 200)
    assert total.mean_capacity_resumed == pytest.approx(0.7)


def test_it_ignores_staff_share_of_not_resumed_enterprises() -> None:
    total = resumption_rates([ent(NOT, share=0.8, capacity=0.8, employees=10)])[()]
    assert total.staff_weighted_rate == 0.0
    assert total.mean_capacity_resumed is None


def test_rates_are_none_not_zero_when_nothing_to_divide() -> None:
    assert resumption_rates([]) == {}
    only_inactive = resumption_rates([ent(FULLY, active=False)])
    assert only_inactive == {}
    no_staff = resumption_rates([ent(FULLY, employees=0)])[()]
    assert no_staff.resumed_rate == 1.0
    assert no_staff.staff_weighted_rate is None


def test_it_groups_by_district_and_above_designated_flag() -> None:
    rows = [
        ent(FULLY, district="A", above=True),
        ent(NOT, district="A", above=False),
        ent(PARTLY, district="B", above=True),
    ]
    rates = resumption_rates(rows, by=("district", "above_designated_size"))
    assert set(rates) == {("A", True), ("A", False), ("B", True)}
    assert rates[("A", False)].resumed_rate == 0.0
    four_up = resumption_rates(rows, by=("district",), above_designated_only=True)
    assert {k: v.resumed_rate for k, v in four_up.items()} == {("A",): 1.0, ("B",): 1.0}


@pytest.mark.parametrize(("share", "capacity"), [(1.5, 0.0), (0.0, -0.1), (math.nan, 0.0)])
def test_it_rejects_shares_outside_zero_to_one(share: float, capacity: float) -> None:
    with pytest.raises(ValueError):
        resumption_rates([ent(PARTLY, share=share, capacity=capacity)])


fractions = st.floats(0.0, 1.0)
enterprises = st.builds(
    EnterpriseState,
    district=st.sampled_from(["A", "B", "C"]),
    industry_section=st.sampled_from(["B", "C", "E"]),
    size_class=st.sampled_from(["micro", "small", "medium", "large"]),
    above_designated_size=st.booleans(),
    status=st.sampled_from(list(ResumptionStatus)),
    staff_share_back=fractions,
    capacity_used=fractions,
    employees=st.integers(0, 500),
    active=st.booleans(),
    filed_not_open=st.booleans(),
)
FIELDS: tuple[GroupField, ...] = ("district", "industry_section", "size_class", "above_designated_size")
groupings = st.sampled_from([c for n in range(3) for c in combinations(FIELDS, n)])


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(enterprises, max_size=40), by=groupings, four_up=st.booleans())
def test_grouped_rates_match_a_naive_recount(
    rows: list[EnterpriseState], by: tuple[GroupField, ...], four_up: bool
) -> None:
    rates = resumption_rates(rows, by=by, above_designated_only=four_up)
    counted = [e for e in rows if e.active and (e.above_designated_size or not four_up)]
    assert sum(r.active for r in rates.values()) == len(counted)
    for key, r in rates.items():
        members = [e for e in counted if tuple(getattr(e, f) for f in by) == key]
        resumed = [e for e in members if e.status in (PARTLY, FULLY)]
        assert r.active == len(members) > 0
        assert r.resumed_rate == pytest.approx(len(resumed) / len(members))
        assert r.fully_rate == pytest.approx(sum(e.status is FULLY for e in members) / len(members))
        staff = sum(e.employees for e in members)
        back = sum(e.employees * e.staff_share_back for e in resumed)
        assert r.staff_weighted_rate == (None if staff == 0 else pytest.approx(back / staff))
        assert r.staff_weighted_rate is None or 0.0 <= r.staff_weighted_rate <= 1.0 + 1e-9
        # Filed but not yet open: counted apart, among the not resumed, never as resumed.
        waiting = [e for e in members if e.filed_not_open and e.status is ResumptionStatus.NOT_RESUMED]
        assert r.filed_not_open == len(waiting) <= r.not_resumed


def test_a_firm_filed_for_a_later_date_is_not_resumed_but_shown_apart() -> None:
    waiting = EnterpriseState("A", "C", "small", False, ResumptionStatus.NOT_RESUMED, filed_not_open=True)
    open_ = EnterpriseState("A", "C", "small", False, ResumptionStatus.PARTLY, 0.5, 0.5, 10)
    (r,) = resumption_rates([waiting, open_]).values()
    assert (r.resumed, r.not_resumed, r.filed_not_open, r.resumed_rate) == (1, 1, 1, 0.5)


# --- electricity cross-check ---


def check(status: ResumptionStatus, kwh: float, last: float | None) -> PowerCheckOutcome:
    return power_cross_check([PowerRecord("e1", status, kwh, last)])[0].outcome


def test_it_flags_resumption_reported_without_power_use() -> None:
    result = power_cross_check([PowerRecord("e1", FULLY, 200.0, 1000.0)])[0]
    assert result.outcome is PowerCheckOutcome.REPORTED_WITHOUT_POWER
    assert result.flagged
    assert result.ratio == pytest.approx(0.2)
    assert "200 kWh" in result.evidence_en and "20%" in result.evidence_en
    assert "全面复工" in result.evidence_zh


def test_it_flags_power_use_without_reported_resumption() -> None:
    assert check(NOT, 700.0, 1000.0) is PowerCheckOutcome.POWER_WITHOUT_REPORT


@pytest.mark.parametrize(
    ("status", "kwh", "expected"),
    [
        (PARTLY, 300.0, PowerCheckOutcome.CONSISTENT),  # exactly the floor is not below it
        (PARTLY, 299.0, PowerCheckOutcome.REPORTED_WITHOUT_POWER),
        (NOT, 600.0, PowerCheckOutcome.CONSISTENT),  # exactly the ceiling is not above it
        (NOT, 601.0, PowerCheckOutcome.POWER_WITHOUT_REPORT),
        (FULLY, 1500.0, PowerCheckOutcome.CONSISTENT),
        (NOT, 10.0, PowerCheckOutcome.CONSISTENT),
    ],
)
def test_thresholds_are_strict(status: ResumptionStatus, kwh: float, expected: PowerCheckOutcome) -> None:
    assert check(status, kwh, 1000.0) is expected


def test_thresholds_are_configurable() -> None:
    record = PowerRecord("e1", PARTLY, 400.0, 1000.0)
    assert power_cross_check([record])[0].outcome is PowerCheckOutcome.CONSISTENT
    assert power_cross_check([record], low_ratio=0.5, high_ratio=0.8)[0].outcome is (
        PowerCheckOutcome.REPORTED_WITHOUT_POWER
    )
    with pytest.raises(ValueError):
        power_cross_check([record], low_ratio=0.7, high_ratio=0.6)


@pytest.mark.parametrize("last", [None, 0.0, 0.5])
def test_without_a_baseline_only_zero_use_resumption_is_flagged(last: float | None) -> None:
    assert check(FULLY, 0.0, last) is PowerCheckOutcome.REPORTED_WITHOUT_POWER
    assert check(FULLY, 50.0, last) is PowerCheckOutcome.NO_BASELINE
    assert check(NOT, 5000.0, last) is PowerCheckOutcome.NO_BASELINE
    result = power_cross_check([PowerRecord("e1", NOT, 5000.0, last)])[0]
    assert result.ratio is None and not result.flagged
    assert ("no data" in result.evidence_en) == (last is None)


def test_it_rejects_negative_consumption() -> None:
    with pytest.raises(ValueError, match="e9"):
        power_cross_check([PowerRecord("e9", NOT, -1.0, 10.0)])
