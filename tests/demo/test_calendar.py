"""The whole demo lies on one calendar ending on its `today`: the outbreak, then the resumption of work and
the recovery of the economic indicators follow it, whatever month the city is generated in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from statistics import mean

import pytest

from apps.demo.generator import DemoCalendar, DemoContext
from apps.enterprises import demo as enterprises_demo
from apps.enterprises.models import PowerReading, StatusChange, Ticket
from apps.indicators import demo as indicators_demo
from apps.indicators.models import Report
from core import dekad as dk

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 11, 29)  # a fixed day far from February–March: the old fixed months would show here


def _ctx() -> DemoContext:
    return DemoContext(seed=5, persons=3000, today=TODAY, out=lambda s: None, progress=False)


def test_the_calendar_puts_the_outbreak_before_the_resumption_and_both_before_today():
    cal = DemoCalendar(today=TODAY)
    assert cal.outbreak_start < cal.resumption_start < cal.last_full_day < cal.today == TODAY
    assert cal.activity(cal.outbreak_start - dt.timedelta(days=1)) == 1.0
    assert cal.activity(cal.outbreak_start + dt.timedelta(days=7)) == 0.5
    assert cal.activity(cal.outbreak_start + dt.timedelta(days=45)) < cal.activity(TODAY) <= 1.0


def test_the_resumption_curve_tickets_and_power_readings_run_up_to_today(city, make_user):
    make_user("economic_officer", "990100", username="econ")
    cal = _ctx().calendar
    enterprises_demo.run(_ctx())
    days = sorted(set(StatusChange.objects.values_list("day", flat=True)))
    assert cal.resumption_start < days[0] and days[-1] <= TODAY
    assert days[-1] >= TODAY - dt.timedelta(days=14)  # still resuming in the last fortnight, not in March
    opened = sorted(t.date() for t in Ticket.objects.values_list("opened_at", flat=True))
    assert cal.resumption_start <= opened[0] and opened[-1] <= cal.last_full_day
    periods = set(PowerReading.objects.values_list("period_start", flat=True))
    assert len(periods) == 3 and all(TODAY - dt.timedelta(days=45) <= p < TODAY for p in periods)


def test_the_indicators_dip_during_the_outbreak_and_not_in_february(city):
    cal = _ctx().calendar
    indicators_demo.run(_ctx())

    def level(first: dt.date, last: dt.date) -> float:
        keys = [d.key for d in dk.iter_year(TODAY.year) if first <= d.start <= last]
        values = Report.objects.filter(indicator__code="industry_va", dekad__in=keys).values_list("value", flat=True)
        return float(mean(Decimal(v) for v in values))

    before = level(dt.date(TODAY.year, 6, 1), cal.outbreak_start - dt.timedelta(days=1))
    shutdown = level(cal.outbreak_start, cal.outbreak_start + dt.timedelta(days=20))
    february = level(dt.date(TODAY.year, 2, 1), dt.date(TODAY.year, 2, 29))
    assert shutdown < 0.7 * before
    assert february > 0.85 * before
