import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.sla import (
    EscalationLevel,
    TicketFacts,
    WorkingCalendar,
    deadline,
    escalation_level,
    sla_report,
    working_time_between,
)

SH = ZoneInfo("Asia/Shanghai")
OFFICE = WorkingCalendar()
H = dt.timedelta(hours=1)


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def test_wall_clock_deadline_is_opened_plus_sla_in_utc() -> None:
    due = deadline(local(2020, 2, 14, 16, 0), 24 * H)
    assert due == local(2020, 2, 15, 16, 0)
    assert due.tzinfo is dt.UTC  # `==` would also accept the process's local zone when that is UTC


def test_working_hours_deadline_skips_evening_and_weekend() -> None:
    # Friday 16:00 + 4 working hours: 1.5 h on Friday, then Monday 9:00 + 2.5 h.
    assert deadline(local(2020, 2, 14, 16, 0), 4 * H, OFFICE) == local(2020, 2, 17, 11, 30)


def test_a_ticket_opened_at_night_starts_at_the_next_opening() -> None:
    assert deadline(local(2020, 2, 17, 22, 0), 2 * H, OFFICE) == local(2020, 2, 18, 11, 0)
    assert deadline(local(2020, 2, 18, 6, 0), 2 * H, OFFICE) == local(2020, 2, 18, 11, 0)


def test_a_deadline_landing_on_closing_time_stays_that_day() -> None:
    assert deadline(local(2020, 2, 17, 9, 0), 8.5 * H, OFFICE) == local(2020, 2, 17, 17, 30)


def test_holidays_close_and_make_up_days_open() -> None:
    cal = WorkingCalendar(
        holidays=frozenset({dt.date(2020, 2, 17)}), extra_workdays=frozenset({dt.date(2020, 2, 15)})
    )
    # Friday 17:00 + 1 h: 0.5 h Friday, Saturday is a make-up day, so 9:30 Saturday.
    assert deadline(local(2020, 2, 14, 17, 0), H, cal) == local(2020, 2, 15, 9, 30)
    # Saturday 17:00 + 1 h: Sunday off, Monday a holiday, so Tuesday 9:30.
    assert deadline(local(2020, 2, 15, 17, 0), H, cal) == local(2020, 2, 18, 9, 0) + 0.5 * H


def test_it_refuses_naive_times_negative_slas_and_empty_calendars() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline(dt.datetime(2020, 2, 14, 9), H)
    with pytest.raises(ValueError, match="negative"):
        deadline(local(2020, 2, 14, 9), -H)
    with pytest.raises(ValueError, match="no working day"):
        deadline(local(2020, 2, 14, 9), H, WorkingCalendar(weekdays=frozenset()))
    with pytest.raises(ValueError):
        WorkingCalendar(opens=dt.time(18), closes=dt.time(9))


def is_working_minute(t: dt.datetime, cal: WorkingCalendar) -> bool:
    t_local = t.astimezone(ZoneInfo(cal.tz))
    return cal.is_workday(t_local.date()) and cal.opens <= t_local.time() < cal.closes


def brute_force_deadline(opened: dt.datetime, minutes: int, cal: WorkingCalendar) -> dt.datetime:
    t, remaining = opened, minutes
    while remaining > 0:
        if is_working_minute(t, cal):
            remaining -= 1
        t += dt.timedelta(minutes=1)
    return t


START = dt.datetime(2020, 1, 20, tzinfo=dt.UTC)
days_in_range = st.integers(0, 40).map(lambda n: START.date() + dt.timedelta(days=n))
calendars = st.builds(
    WorkingCalendar,
    opens=st.sampled_from([dt.time(9, 0), dt.time(8, 30), dt.time(0, 0)]),
    closes=st.sampled_from([dt.time(17, 30), dt.time(12, 0), dt.time(23, 59)]),
    weekdays=st.one_of(st.just(frozenset(range(5))), st.frozensets(st.integers(0, 6), min_size=1)),
    holidays=st.frozensets(days_in_range, max_size=6),
    extra_workdays=st.frozensets(days_in_range, max_size=3),
)


@settings(max_examples=200, deadline=None)
# Half-hour multiples make the clock land exactly on openings and closings, where off-by-one bugs live.
@given(
    offset=st.one_of(st.integers(0, 14 * 24 * 60), st.integers(0, 14 * 48).map(lambda n: n * 30)),
    minutes=st.one_of(st.integers(0, 1500), st.integers(0, 34).map(lambda n: n * 30)),
    cal=calendars,
)
def test_working_deadline_matches_minute_stepping(offset: int, minutes: int, cal: WorkingCalendar) -> None:
    opened = START + dt.timedelta(minutes=offset)
    sla = dt.timedelta(minutes=minutes)
    due = deadline(opened, sla, cal)
    assert due == brute_force_deadline(opened, minutes, cal)
    assert working_time_between(opened, due, cal) == sla


def test_working_time_between_counts_only_office_hours() -> None:
    assert working_time_between(local(2020, 2, 14, 16, 0), local(2020, 2, 17, 10, 0), OFFICE) == 2.5 * H
    assert working_time_between(local(2020, 2, 17, 10, 0), local(2020, 2, 17, 9, 0), OFFICE) == dt.timedelta(
        0
    )


DUE = local(2020, 2, 17, 12, 0)


@pytest.mark.parametrize(
    ("at", "level"),
    [
        (DUE - H, EscalationLevel.OWNER),
        (DUE, EscalationLevel.OWNER),
        (DUE + dt.timedelta(seconds=1), EscalationLevel.DEPARTMENT_HEAD),
        (DUE + 24 * H, EscalationLevel.DEPARTMENT_HEAD),
        (DUE + 24 * H + dt.timedelta(seconds=1), EscalationLevel.HEADQUARTERS),
    ],
)
def test_escalation_level_at_a_time(at: dt.datetime, level: EscalationLevel) -> None:
    assert escalation_level(DUE, at) is level


def test_escalation_grace_period_is_configurable() -> None:
    assert escalation_level(DUE, DUE + 3 * H, headquarters_after=2 * H) is EscalationLevel.HEADQUARTERS


def test_a_resolved_ticket_keeps_the_level_it_had_when_resolved() -> None:
    assert escalation_level(DUE, DUE + 100 * H, resolved_at=DUE - H) is EscalationLevel.OWNER
    assert escalation_level(DUE, DUE + 100 * H, resolved_at=DUE + H) is EscalationLevel.DEPARTMENT_HEAD


def ticket(
    dept: str, opened_h: float, due_h: float, resolved_h: float | None, rating: int | None = None
) -> TicketFacts:
    base = local(2020, 2, 17, 0, 0)
    resolved = None if resolved_h is None else base + resolved_h * H
    return TicketFacts(dept, base + opened_h * H, base + due_h * H, resolved, rating)


def test_sla_report_per_department() -> None:
    now = local(2020, 2, 17, 0, 0) + 100 * H
    tickets = [
        ticket("tax", 0, 10, 4, 5),  # on time, 4 h
        ticket("tax", 0, 10, 12, 3),  # late, 12 h
        ticket("tax", 0, 10, 20),  # late, 20 h
        ticket("tax", 0, 150, None),  # open, not yet due
        ticket("tax", 0, 50, None),  # open, overdue by 50 h: headquarters
        ticket("tax", 0, 10, 200),  # resolved after `now`: still open at now, overdue
        ticket("finance", 0, 200, None),
    ]
    report = sla_report(tickets, now)
    tax = report["tax"]
    assert (tax.total, tax.resolved, tax.resolved_on_time, tax.open, tax.overdue_open) == (6, 3, 1, 3, 2)
    assert tax.on_time_rate == pytest.approx(1 / 5)
    assert tax.median_resolution == 12 * H
    assert tax.mean_satisfaction == 4.0
    assert tax.open_by_level == {
        EscalationLevel.OWNER: 1,
        EscalationLevel.DEPARTMENT_HEAD: 0,
        EscalationLevel.HEADQUARTERS: 2,
    }
    finance = report["finance"]
    assert finance.on_time_rate is None and finance.median_resolution is None


def test_sla_report_median_of_an_even_count_is_the_midpoint() -> None:
    now = local(2020, 3, 1, 0, 0)
    report = sla_report([ticket("d", 0, 10, 1), ticket("d", 0, 10, 2)], now)
    assert report["d"].median_resolution == 1.5 * H


def test_sla_report_rejects_ratings_out_of_range() -> None:
    with pytest.raises(ValueError, match="1..5"):
        sla_report([ticket("d", 0, 10, 1, 6)], local(2020, 3, 1, 0, 0))


def test_sla_report_boundaries_resolved_at_due_and_at_now_and_due_at_now() -> None:
    now = local(2020, 2, 17, 0, 0) + 10 * H
    report = sla_report(
        [
            ticket("d", 0, 5, 5),  # resolved exactly at its deadline: on time
            ticket("d", 0, 20, 10),  # resolved exactly at `now`: resolved, not open
            ticket("d", 0, 10, None),  # open and due exactly now: not yet overdue
            ticket("d", 0, 10, 10.5),  # resolved after now: open at now, due now: not overdue
        ],
        now,
    )["d"]
    assert (report.total, report.resolved, report.resolved_on_time, report.open, report.overdue_open) == (
        4,
        2,
        2,
        2,
        0,
    )
    assert report.decided == 2 and report.on_time_rate == 1.0
    assert report.open_by_level == {
        EscalationLevel.OWNER: 2,
        EscalationLevel.DEPARTMENT_HEAD: 0,
        EscalationLevel.HEADQUARTERS: 0,
    }
    assert report.median_resolution == 7.5 * H


def test_sla_report_uses_its_headquarters_after() -> None:
    now = local(2020, 2, 17, 0, 0) + 13 * H
    tickets = [ticket("d", 0, 10, None), ticket("d", 0, 11, None)]  # overdue by 3 h and by exactly 2 h
    default = sla_report(tickets, now)["d"].open_by_level
    assert default[EscalationLevel.DEPARTMENT_HEAD] == 2 and default[EscalationLevel.HEADQUARTERS] == 0
    short = sla_report(tickets, now, headquarters_after=2 * H)["d"].open_by_level
    assert (short[EscalationLevel.DEPARTMENT_HEAD], short[EscalationLevel.HEADQUARTERS]) == (1, 1)


def test_ratings_one_and_five_are_valid_zero_and_six_are_not() -> None:
    now = local(2020, 3, 1, 0, 0)
    report = sla_report([ticket("d", 0, 10, 1, 1), ticket("d", 0, 10, 2, 5), ticket("d", 0, 10, 3)], now)
    assert report["d"].mean_satisfaction == 3.0
    for bad in (0, 6):
        with pytest.raises(ValueError) as err:
            sla_report([ticket("d", 0, 10, 1, bad)], now)
        assert str(err.value) == f"satisfaction is rated 1..5, got {bad}"


def test_a_rating_of_an_unresolved_ticket_is_not_counted() -> None:
    now = local(2020, 3, 1, 0, 0)
    report = sla_report([ticket("d", 0, 10, 1, 5), ticket("d", 0, 10, None, 1)], now)
    assert report["d"].mean_satisfaction == 5.0


def test_a_day_that_opens_when_it_closes_is_refused() -> None:
    with pytest.raises(ValueError) as err:
        WorkingCalendar(opens=dt.time(9), closes=dt.time(9))
    assert str(err.value) == "a working day must open before it closes"
    assert WorkingCalendar(opens=dt.time(9), closes=dt.time(9, 1)).window(dt.date(2020, 2, 17)) == (
        local(2020, 2, 17, 9, 0),
        local(2020, 2, 17, 9, 1),
    )


def test_error_messages_name_the_problem() -> None:
    cases = [
        (lambda: deadline(dt.datetime(2020, 2, 14, 9), H), "opened_at must be timezone-aware"),
        (lambda: deadline(local(2020, 2, 14, 9), -H), "an SLA cannot be negative"),
        (
            lambda: deadline(local(2020, 2, 14, 9), H, WorkingCalendar(weekdays=frozenset())),
            "the working calendar has no working day within a year",
        ),
        (lambda: working_time_between(dt.datetime(2020, 2, 14), DUE, OFFICE), "start must be timezone-aware"),
        (lambda: working_time_between(DUE, dt.datetime(2020, 2, 14), OFFICE), "end must be timezone-aware"),
        (lambda: escalation_level(dt.datetime(2020, 2, 14), DUE), "due must be timezone-aware"),
        (lambda: escalation_level(DUE, dt.datetime(2020, 2, 14)), "at must be timezone-aware"),
        (
            lambda: escalation_level(DUE, DUE, resolved_at=dt.datetime(2020, 2, 14)),
            "resolved_at must be timezone-aware",
        ),
        (lambda: escalation_level(DUE, DUE, headquarters_after=-H), "headquarters_after cannot be negative"),
        (lambda: sla_report([], dt.datetime(2020, 2, 14)), "now must be timezone-aware"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError) as err:
            call()
        assert str(err.value) == message


def test_a_zero_sla_is_due_at_once_even_outside_office_hours() -> None:
    assert deadline(local(2020, 2, 15, 22, 0), dt.timedelta(0), OFFICE) == local(2020, 2, 15, 22, 0)
    assert escalation_level(DUE, DUE + H, headquarters_after=dt.timedelta(0)) is EscalationLevel.HEADQUARTERS


def test_a_calendar_in_a_zone_west_of_the_process_counts_its_own_local_days() -> None:
    """Monday 16:00 in Los Angeles is already Tuesday in UTC and in Shanghai: the calendar's own zone decides."""
    la = ZoneInfo("America/Los_Angeles")
    cal = WorkingCalendar(tz="America/Los_Angeles")
    opened = dt.datetime(2020, 2, 17, 16, 0, tzinfo=la)
    due = deadline(opened, 2 * H, cal)
    assert due == dt.datetime(2020, 2, 18, 9, 30, tzinfo=la)
    assert due.tzinfo is dt.UTC
    assert working_time_between(opened, dt.datetime(2020, 2, 18, 10, 0, tzinfo=la), cal) == 2.5 * H


def test_a_working_deadline_is_given_in_utc() -> None:
    assert deadline(local(2020, 2, 14, 16, 0), 4 * H, OFFICE).tzinfo is dt.UTC


def test_a_calendar_may_go_a_whole_year_without_working_but_not_longer() -> None:
    opened = local(2020, 1, 1, 10, 0)  # a working day already closed for this ticket at 17:30
    day = opened.date()

    def one_day_after(idle_days: int) -> WorkingCalendar:
        return WorkingCalendar(
            weekdays=frozenset(), extra_workdays=frozenset({day, day + dt.timedelta(days=idle_days + 1)})
        )

    # After the opening day's 7.5 h, 366 idle days, then a working day: found.
    late = day + dt.timedelta(days=367)
    assert deadline(opened, 8 * H, one_day_after(366)) == local(late.year, late.month, late.day, 9, 30)
    with pytest.raises(ValueError) as err:
        deadline(opened, 8 * H, one_day_after(367))
    assert str(err.value) == "the working calendar has no working day within a year"
    # A ticket opened on a day off starts counting idle days at once.
    cal = WorkingCalendar(weekdays=frozenset(), extra_workdays=frozenset({day + dt.timedelta(days=366)}))
    assert deadline(opened, H, cal) == local(2021, 1, 1, 10, 0)
    with pytest.raises(ValueError):
        deadline(
            opened,
            H,
            WorkingCalendar(weekdays=frozenset(), extra_workdays=frozenset({day + dt.timedelta(days=367)})),
        )


def test_a_tzinfo_without_an_offset_is_not_aware() -> None:
    class NoOffset(dt.tzinfo):
        def utcoffset(self, when: dt.datetime | None) -> None:
            return None

    with pytest.raises(ValueError) as err:
        deadline(dt.datetime(2020, 2, 14, 9, tzinfo=NoOffset()), H)
    assert str(err.value) == "opened_at must be timezone-aware"


def test_the_report_names_its_departments() -> None:
    report = sla_report([ticket("tax", 0, 10, 1), ticket("finance", 0, 10, None)], local(2020, 3, 1, 0, 0))
    assert [(key, value.department) for key, value in report.items()] == [
        ("finance", "finance"),
        ("tax", "tax"),
    ]
