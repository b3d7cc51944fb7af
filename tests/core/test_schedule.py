import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.schedule import DailyAt, Every, is_due, next_due, parse

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h, mi):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def test_a_job_that_never_ran_is_due_now():
    assert is_due(Every(5), None, at(2020, 2, 1, 0, 0), SH)
    assert is_due(DailyAt(dt.time(0, 5)), None, at(2020, 2, 1, 0, 0), SH)


def test_every_counts_from_the_last_run():
    assert next_due(Every(5), at(2020, 2, 1, 10, 0), SH) == at(2020, 2, 1, 10, 5)
    assert not is_due(Every(5), at(2020, 2, 1, 10, 0), at(2020, 2, 1, 10, 4), SH)
    assert is_due(Every(5), at(2020, 2, 1, 10, 0), at(2020, 2, 1, 10, 5), SH)


def test_daily_runs_once_per_local_day_at_its_time():
    spec = DailyAt(dt.time(0, 5))
    assert next_due(spec, at(2020, 2, 1, 0, 5), SH) == at(2020, 2, 2, 0, 5)
    assert next_due(spec, at(2020, 2, 1, 0, 4), SH) == at(2020, 2, 1, 0, 5)
    assert next_due(spec, at(2020, 2, 1, 23, 0), SH) == at(2020, 2, 2, 0, 5)


def test_daily_is_counted_on_the_local_calendar_not_utc():
    spec = DailyAt(dt.time(0, 5))
    last_utc = dt.datetime(2020, 1, 31, 16, 5, tzinfo=dt.UTC)  # 00:05 on 1 February in Shanghai
    assert next_due(spec, last_utc, SH) == at(2020, 2, 2, 0, 5)


@settings(max_examples=300, deadline=None)
@given(last=st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1)),
       hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_daily_next_due_is_the_first_slot_after_the_last_run(last, hour, minute):
    last = last.replace(tzinfo=SH)
    spec = DailyAt(dt.time(hour, minute))
    due = next_due(spec, last, SH)
    assert due is not None
    assert due > last
    assert due - last <= dt.timedelta(days=1)
    assert (due.hour, due.minute) == (hour, minute)


@pytest.mark.parametrize(("text", "spec"), [("every 5m", Every(5)), ("every 2h", Every(120)),
                                             ("daily 00:05", DailyAt(dt.time(0, 5)))])
def test_schedules_are_read_from_text(text, spec):
    assert parse(text) == spec


@pytest.mark.parametrize("text", ["hourly", "every 0m", "daily 25:00", "every m", ""])
def test_unreadable_schedules_are_refused(text):
    with pytest.raises(ValueError):
        parse(text)
