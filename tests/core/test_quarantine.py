import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.quarantine import (
    DEFAULT_POLICIES,
    Phase,
    Policy,
    StayKind,
    TestRecord,
    TestResult,
    checkin_slot_at,
    extended_end,
    is_fever,
    local_day,
    policy_in_effect,
    release_verdict,
)

SH = ZoneInfo("Asia/Shanghai")
C, H, M = StayKind.CENTRALISED, StayKind.HOME, StayKind.HOME_MONITORING
C14 = DEFAULT_POLICIES[0]
C14M7 = DEFAULT_POLICIES[1]
C7H3 = DEFAULT_POLICIES[2]
NEG, POS = TestResult.NEGATIVE, TestResult.POSITIVE

instants = st.datetimes(
    min_value=dt.datetime(2019, 1, 1), max_value=dt.datetime(2030, 1, 1), timezones=st.just(dt.UTC)
)
policies = st.sampled_from(DEFAULT_POLICIES)


def test_exposure_at_23_30_local_counts_on_its_own_day() -> None:
    late = dt.datetime(2020, 3, 1, 23, 30, tzinfo=SH)  # 15:30 UTC the same day
    assert local_day(late) == dt.date(2020, 3, 1)
    assert C14.planned_end(local_day(late)) == dt.date(2020, 3, 15)


def test_exposure_after_local_midnight_counts_on_the_next_day_though_utc_is_still_the_day_before() -> None:
    early = dt.datetime(2020, 3, 1, 16, 30, tzinfo=dt.UTC)  # 00:30 on 2 March in Shanghai
    assert local_day(early) == dt.date(2020, 3, 2)
    assert C14.planned_end(local_day(early)) == dt.date(2020, 3, 16)


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError):
        local_day(dt.datetime(2020, 3, 1, 12, 0))


@given(instants, policies)
def test_planned_end_is_never_before_the_local_exposure_day_plus_the_period(
    at: dt.datetime, policy: Policy
) -> None:
    day = at.astimezone(SH).date()
    assert local_day(at) == day
    assert policy.planned_end(day) >= day + dt.timedelta(days=policy.total_days)
    assert policy.quarantine_end(day) >= day + dt.timedelta(days=policy.quarantine_days)
    assert policy.quarantine_end(day) <= policy.planned_end(day)


@given(instants, st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=40)), policies)
def test_extending_never_shortens(first: dt.datetime, later_by: dt.timedelta, policy: Policy) -> None:
    current = policy.planned_end(local_day(first))
    for exposure in (first + later_by, first - later_by):
        new = extended_end(current, policy.planned_end(local_day(exposure)))
        assert new >= current
        assert new >= policy.planned_end(local_day(exposure))


def test_phases_of_14_plus_7() -> None:
    spans = C14M7.phase_spans(dt.date(2020, 4, 1))
    assert spans == [
        (C, dt.date(2020, 4, 1), dt.date(2020, 4, 15)),
        (M, dt.date(2020, 4, 15), dt.date(2020, 4, 22)),
    ]
    assert C14M7.quarantine_end(dt.date(2020, 4, 1)) == dt.date(2020, 4, 15)
    assert C7H3.quarantine_days == 10 and C7H3.total_days == 10


def test_the_version_in_effect_is_the_latest_effective_before_the_day() -> None:
    assert policy_in_effect(DEFAULT_POLICIES, C, dt.date(2020, 2, 1)).code == "c14-2020"
    assert policy_in_effect(DEFAULT_POLICIES, C, dt.date(2020, 3, 26)).code == "c14m7-2020"
    assert policy_in_effect(DEFAULT_POLICIES, C, dt.date(2022, 7, 1)).code == "c7h3-2022"
    assert policy_in_effect(DEFAULT_POLICIES, H, dt.date(2022, 7, 1)).code == "h14-2020"
    with pytest.raises(LookupError):
        policy_in_effect(DEFAULT_POLICIES, C, dt.date(2019, 12, 31))


def test_two_versions_on_the_same_day_are_an_error() -> None:
    twin = Policy("twin", C, C14.effective_from, (Phase(C, 10),))
    with pytest.raises(ValueError):
        policy_in_effect([C14, twin], C, dt.date(2020, 2, 1))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"phases": ()},
        {"phases": (Phase(M, 7), Phase(C, 14))},
        {"test_days": (4, 1)},
        {"test_days": (14,)},
        {"release_test_window_days": 15},
        {"code": ""},
    ],
)
def test_invalid_policies_are_refused(kwargs: dict[str, object]) -> None:
    data: dict[str, object] = {
        "code": "x",
        "kind": C,
        "effective_from": dt.date(2020, 1, 1),
        "phases": (Phase(C, 14),),
    }
    data.update(kwargs)
    with pytest.raises(ValueError):
        Policy(**data)  # type: ignore[arg-type]


@given(policies)
def test_policies_survive_a_round_trip_through_dicts(policy: Policy) -> None:
    assert Policy.from_dict(policy.to_dict()) == policy


def test_test_days_count_from_the_exposure_and_a_late_start_moves_past_ones_to_the_first_day() -> None:
    e = dt.date(2020, 3, 1)
    assert C14.test_schedule(e) == (
        dt.date(2020, 3, 2),
        dt.date(2020, 3, 5),
        dt.date(2020, 3, 8),
        dt.date(2020, 3, 14),
    )
    # Quarantined on day 5: days 1 and 4 are one test on the first day.
    assert C14.test_schedule(e, dt.date(2020, 3, 6)) == (
        dt.date(2020, 3, 6),
        dt.date(2020, 3, 8),
        dt.date(2020, 3, 14),
    )


def _all_tests(policy: Policy, e: dt.date) -> list[TestRecord]:
    return [TestRecord(d, NEG) for d in policy.test_schedule(e)]


def test_release_on_the_end_day_with_every_test_negative() -> None:
    e = dt.date(2020, 3, 1)
    verdict = release_verdict(
        C14, last_exposure=e, start=e, today=dt.date(2020, 3, 15), tests=_all_tests(C14, e)
    )
    assert verdict.allowed and verdict.reasons == ()


def test_release_is_refused_the_day_before_the_end() -> None:
    e = dt.date(2020, 3, 1)
    verdict = release_verdict(
        C14, last_exposure=e, start=e, today=dt.date(2020, 3, 14), tests=_all_tests(C14, e)
    )
    assert verdict.reasons == ("before_end",)


def test_a_missing_test_day_is_named() -> None:
    e = dt.date(2020, 3, 1)
    tests = [t for t in _all_tests(C14, e) if t.sampled_on != dt.date(2020, 3, 5)]
    verdict = release_verdict(C14, last_exposure=e, start=e, today=dt.date(2020, 3, 15), tests=tests)
    assert verdict.reasons == ("tests_missing",) and verdict.missing_test_days == (dt.date(2020, 3, 5),)


def test_one_test_cannot_count_for_two_days() -> None:
    e = dt.date(2020, 3, 1)
    tests = [TestRecord(dt.date(2020, 3, 8), NEG), TestRecord(dt.date(2020, 3, 14), NEG)]
    verdict = release_verdict(C14, last_exposure=e, start=e, today=dt.date(2020, 3, 15), tests=tests)
    assert verdict.missing_test_days == (dt.date(2020, 3, 2), dt.date(2020, 3, 5))


def test_the_final_test_must_be_negative_and_recent() -> None:
    e = dt.date(2020, 3, 1)
    tests = _all_tests(C14, e)[:-1] + [TestRecord(dt.date(2020, 3, 14), TestResult.INCONCLUSIVE)]
    verdict = release_verdict(C14, last_exposure=e, start=e, today=dt.date(2020, 3, 15), tests=tests)
    assert verdict.reasons == ("final_test_missing",)
    # A late negative sample (after the end) still releases.
    tests.append(TestRecord(dt.date(2020, 3, 16), NEG))
    assert release_verdict(C14, last_exposure=e, start=e, today=dt.date(2020, 3, 16), tests=tests).allowed


def test_a_positive_or_an_open_alert_blocks_release() -> None:
    e = dt.date(2020, 3, 1)
    tests = _all_tests(C14, e) + [TestRecord(dt.date(2020, 3, 9), POS)]
    verdict = release_verdict(
        C14, last_exposure=e, start=e, today=dt.date(2020, 3, 15), tests=tests, open_alerts=1
    )
    assert verdict.reasons == ("positive_test", "open_alert")


def test_tests_before_the_exposure_do_not_count() -> None:
    e = dt.date(2020, 3, 1)
    tests = [TestRecord(d - dt.timedelta(days=20), NEG) for d in C14.test_schedule(e)]
    verdict = release_verdict(C14, last_exposure=e, start=e, today=dt.date(2020, 3, 15), tests=tests)
    assert set(verdict.reasons) == {"tests_missing", "final_test_missing"}


@given(policies, st.dates(dt.date(2020, 1, 1), dt.date(2025, 1, 1)), st.integers(0, 60))
def test_release_is_never_allowed_before_the_quarantine_end(policy: Policy, e: dt.date, day: int) -> None:
    today = e + dt.timedelta(days=day)
    verdict = release_verdict(policy, last_exposure=e, start=e, today=today, tests=_all_tests(policy, e))
    assert verdict.allowed == (today >= policy.quarantine_end(e))


@given(instants)
def test_a_check_in_before_noon_local_counts_for_the_morning(at: dt.datetime) -> None:
    local = at.astimezone(SH)
    day, slot = checkin_slot_at(at)
    assert day == local.date()
    assert slot == (1 if local.hour < 12 else 2)


def test_fever_is_at_or_above_the_threshold() -> None:
    assert is_fever(37.3, 37.3) and not is_fever(37.2, 37.3)
