"""Dekads (十天一调度): boundaries, deadlines, lateness and year-on-year."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import dekad as dk
from core.dekad import Dekad, ReportState

days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31))


def test_it_splits_a_month_into_three_dekads_with_the_last_to_month_end():
    assert dk.dekad_of(dt.date(2020, 2, 10)) == Dekad(2020, 2, 1)
    assert dk.dekad_of(dt.date(2020, 2, 11)) == Dekad(2020, 2, 2)
    assert dk.dekad_of(dt.date(2020, 2, 21)) == Dekad(2020, 2, 3)
    assert Dekad(2020, 2, 3).end == dt.date(2020, 2, 29)  # leap year: 9-day 下旬
    assert Dekad(2019, 2, 3).days == 8
    assert Dekad(2020, 1, 3).days == 11
    assert Dekad(2020, 3, 2).label_zh == "2020年3月中旬"


@settings(max_examples=300, deadline=None)
@given(days)
def test_every_day_lies_in_its_dekad_and_dekads_tile_the_calendar(day):
    d = dk.dekad_of(day)
    assert d.start <= day <= d.end
    assert d.next().start == d.end + dt.timedelta(days=1)
    assert d.next().previous() == d
    assert dk.parse(d.key) == d
    assert dk.from_index(d.year, d.index) == d


def test_indexes_roll_over_year_ends():
    assert Dekad(2020, 12, 3).next() == Dekad(2021, 1, 1)
    assert Dekad(2020, 1, 1).previous() == Dekad(2019, 12, 3)
    assert [d.index for d in dk.iter_year(2020)] == list(range(1, 37))


def test_it_rejects_bad_parts_and_keys():
    with pytest.raises(ValueError):
        Dekad(2020, 2, 4)
    with pytest.raises(ValueError):
        dk.parse("2020-02")


def test_dekads_between_covers_every_touched_period():
    got = dk.dekads_between(dt.date(2020, 1, 25), dt.date(2020, 2, 11))
    assert got == [Dekad(2020, 1, 3), Dekad(2020, 2, 1), Dekad(2020, 2, 2)]
    assert dk.dekads_between(dt.date(2020, 2, 2), dt.date(2020, 2, 1)) == []


def test_a_report_on_the_deadline_is_on_time_and_the_day_after_is_late():
    d = Dekad(2020, 2, 2)  # ends 20 Feb, due 23 Feb with 3 grace days
    assert dk.deadline(d) == dt.date(2020, 2, 23)
    assert dk.report_status(d, dt.date(2020, 2, 23), dt.date(2020, 3, 1)).state is ReportState.ON_TIME
    late = dk.report_status(d, dt.date(2020, 2, 25), dt.date(2020, 3, 1))
    assert late.state is ReportState.LATE and late.days_late == 2 and late.flagged


def test_a_missing_report_is_flagged_only_after_the_deadline():
    d = Dekad(2020, 2, 2)
    assert dk.report_status(d, None, dt.date(2020, 2, 23)).state is ReportState.NOT_DUE
    missing = dk.report_status(d, None, dt.date(2020, 2, 26))
    assert missing.state is ReportState.MISSING and missing.days_late == 3


def test_grace_days_are_configurable():
    d = Dekad(2020, 2, 1)
    assert (
        dk.report_status(d, dt.date(2020, 2, 11), dt.date(2020, 3, 1), grace_days=0).state is ReportState.LATE
    )
    with pytest.raises(ValueError):
        dk.deadline(d, -1)


@settings(max_examples=300, deadline=None)
@given(days, st.integers(0, 10))
def test_last_due_is_the_newest_dekad_whose_deadline_has_passed(today, grace):
    d = dk.last_due(today, grace)
    assert dk.deadline(d, grace) < today
    assert dk.deadline(d.next(), grace) >= today


def test_year_on_year_and_progress_refuse_to_divide_by_nothing():
    assert dk.year_on_year(120, 100) == pytest.approx(0.2)
    assert dk.year_on_year(80, 100) == pytest.approx(-0.2)
    assert dk.year_on_year(5, 0) is None
    assert dk.year_on_year(None, 3) is None
    assert dk.progress(30, 120) == pytest.approx(0.25)
    assert dk.progress(30, 0) is None


def test_year_to_date_sums_only_the_same_year_up_to_the_dekad():
    values = [
        (Dekad(2019, 12, 3), 100.0),
        (Dekad(2020, 1, 1), 1.0),
        (Dekad(2020, 1, 2), 2.0),
        (Dekad(2020, 1, 3), 4.0),
    ]
    assert dk.year_to_date(values, Dekad(2020, 1, 2)) == 3.0
    assert dk.Dekad(2020, 1, 2).same_last_year() == Dekad(2019, 1, 2)


def test_time_progress_reaches_one_at_year_end():
    assert dk.time_progress(Dekad(2020, 12, 3)) == 1.0
    assert dk.time_progress(Dekad(2020, 1, 1)) == pytest.approx(10 / 366)
