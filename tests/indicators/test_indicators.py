"""Dekad indicators (十天一调度): lateness, missing flags, progress, year-on-year, ranking, jurisdiction."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.common.errors import Forbidden, ValidationFailed
from apps.indicators import selectors, services
from apps.indicators.models import Indicator, Report
from core import dekad as dk
from tests.factories import DISTRICT_A, DISTRICT_B

TODAY = timezone.localdate()
OLD = dk.dekad_of(TODAY - dt.timedelta(days=40))  # long past its deadline
CURRENT = dk.dekad_of(TODAY)


@pytest.fixture
def hq(make_user):
    return make_user("economic_officer", "990100", username="econ_hq")


@pytest.fixture
def officer_a(make_user):
    return make_user("district_officer", DISTRICT_A, username="officer_a")


@pytest.fixture
def officer_b(make_user):
    return make_user("district_officer", DISTRICT_B, username="officer_b")


@pytest.fixture
def retail(hq):
    return services.indicator_upsert(actor=hq, code="retail", name_zh="社会消费品零售总额", unit="亿元")


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def submit(user, indicator, area, period, value, day):
    return services.report_submit(
        actor=user, indicator=indicator, area_code=area, dekad=period.key, value=value, now=at(day)
    )


def test_a_report_within_the_grace_days_is_on_time_and_after_is_late(officer_a, retail):
    on_time = submit(officer_a, retail, DISTRICT_A, OLD, 10, dk.deadline(OLD))
    assert on_time.state == "on_time"
    period = OLD.previous()
    late = submit(officer_a, retail, DISTRICT_A, period, 10, dk.deadline(period) + dt.timedelta(days=2))
    assert late.state == "late" and late.days_late == 2


def test_lateness_is_judged_on_the_local_day_not_utc(officer_a, retail):
    # 00:30 in Shanghai the day after the deadline is still the deadline day in UTC: it must count as late.
    period = OLD.previous()
    after_midnight = timezone.make_aware(
        dt.datetime.combine(dk.deadline(period) + dt.timedelta(days=1), dt.time(0, 30))
    )
    assert after_midnight.astimezone(dt.UTC).date() == dk.deadline(period)
    late = services.report_submit(
        actor=officer_a, indicator=retail, area_code=DISTRICT_A, dekad=period.key, value=1, now=after_midnight
    )
    assert late.state == "late"
    before_midnight = timezone.make_aware(dt.datetime.combine(dk.deadline(OLD), dt.time(23, 30)))
    on_time = services.report_submit(
        actor=officer_a, indicator=retail, area_code=DISTRICT_A, dekad=OLD.key, value=1, now=before_midnight
    )
    assert on_time.state == "on_time"


def test_a_correction_keeps_the_first_submissions_lateness(officer_a, retail):
    submit(officer_a, retail, DISTRICT_A, OLD, 10, dk.deadline(OLD))
    again = submit(officer_a, retail, DISTRICT_A, OLD, 12, dk.deadline(OLD) + dt.timedelta(days=9))
    assert again.state == "on_time" and again.value == Decimal(12)
    assert Report.objects.count() == 1


def test_missing_reports_are_flagged_after_the_deadline_only(officer_a, officer_b, retail, hq, api_of):
    submit(officer_a, retail, DISTRICT_A, OLD, 10, dk.deadline(OLD))
    flags = api_of(hq).get(f"/api/indicators/flags?dekad={OLD.key}").json()
    missing = {r["district_code"] for r in flags if r["state"] == "missing"}
    assert missing == {"990102", "990103", "990104", "990105", "990106"}
    now_rows = api_of(hq).get(f"/api/indicators/progress?dekad={CURRENT.key}").json()
    assert {r["state"] for r in now_rows} == {"not_due"}


def test_progress_sums_the_year_for_a_flow_and_compares_with_last_year(officer_a, hq, retail, api_of):
    services.target_set(actor=hq, indicator=retail, area_code=DISTRICT_A, year=OLD.year, value=100)
    first = dk.from_index(OLD.year, 1) if OLD.index > 1 else OLD
    if first != OLD:
        submit(officer_a, retail, DISTRICT_A, first, 15, dk.deadline(first))
    submit(officer_a, retail, DISTRICT_A, OLD, 10, dk.deadline(OLD))
    submit(officer_a, retail, DISTRICT_A, OLD.same_last_year(), 8, dk.deadline(OLD.same_last_year()))
    (row,) = api_of(officer_a).get(f"/api/indicators/progress?dekad={OLD.key}").json()
    expected_ytd = 25 if first != OLD else 10
    assert row["year_to_date"] == expected_ytd and row["progress"] == pytest.approx(expected_ytd / 100)
    assert row["yoy"] == pytest.approx(0.25)


def test_officers_report_and_see_only_their_own_district(officer_a, officer_b, retail, api_of):
    a, b = api_of(officer_a), api_of(officer_b)
    body = {"indicator": "retail", "area_code": DISTRICT_B, "dekad": OLD.key, "value": "3"}
    r = a.post("/api/indicators/reports", json.dumps(body), content_type="application/json")
    assert r.status_code == 403
    assert (
        b.post("/api/indicators/reports", json.dumps(body), content_type="application/json").status_code
        == 201
    )
    assert a.get("/api/indicators/reports").json()["items"] == []
    assert [r["district_code"] for r in a.get(f"/api/indicators/progress?dekad={OLD.key}").json()] == [
        DISTRICT_A
    ]
    csv = b.get(f"/api/indicators/export?dekad={OLD.key}").content.decode("utf-8-sig")
    assert "990102" in csv and "990101" not in csv


def test_a_monthly_indicator_is_reported_in_the_last_dekad_only(officer_a, hq):
    power = services.indicator_upsert(
        actor=hq, code="power", name_zh="全社会用电量", unit="万千瓦时", frequency="month"
    )
    with pytest.raises(ValidationFailed) as exc:
        submit(officer_a, power, DISTRICT_A, dk.Dekad(OLD.year, OLD.month, 1), 1, TODAY)
    assert (exc.value.code, exc.value.message) == (
        "not_expected",
        "this monthly indicator is reported in the last dekad (下旬) only",
    )
    assert all(
        r.indicator_code != "power"
        for r in selectors.dekad_progress(
            user=officer_a, period=dk.Dekad(OLD.year, OLD.month, 1), today=TODAY
        )
    )


def test_a_future_dekad_cannot_be_reported(officer_a, retail):
    with pytest.raises(ValidationFailed) as exc:
        submit(officer_a, retail, DISTRICT_A, CURRENT.next(), 1, TODAY)
    assert (exc.value.code, exc.value.message) == ("future_dekad", "a dekad that has not begun cannot be reported")


def test_only_the_city_manages_the_catalogue(officer_a):
    with pytest.raises(Forbidden) as exc:
        services.indicator_upsert(actor=officer_a, code="x", name_zh="x", unit="x")
    assert (exc.value.code, exc.value.message) == (
        "forbidden",
        "only the city headquarters manages the indicator catalogue and targets",
    )


def test_the_ranking_orders_districts_by_progress(officer_a, officer_b, hq, retail, api_of):
    for area in (DISTRICT_A, DISTRICT_B):
        services.target_set(actor=hq, indicator=retail, area_code=area, year=OLD.year, value=100)
    submit(officer_a, retail, DISTRICT_A, OLD, 10, dk.deadline(OLD))
    submit(officer_b, retail, DISTRICT_B, OLD, 30, dk.deadline(OLD))
    rows = api_of(hq).get(f"/api/indicators/retail/ranking?dekad={OLD.key}").json()
    assert [r["district_code"] for r in rows[:2]] == [DISTRICT_B, DISTRICT_A]
    assert rows[0]["rank"] == 1 and rows[2]["rank"] is None


def test_progress_takes_a_bounded_number_of_queries(hq, retail, django_assert_max_num_queries):
    Indicator.objects.create(code="fai", name_zh="固定资产投资", unit="亿元")
    hq = type(hq).objects.get(pk=hq.pk)
    with django_assert_max_num_queries(6):
        rows = selectors.dekad_progress(user=hq, period=OLD, today=TODAY)
    assert len(rows) == 12


def test_pages_render(officer_a, retail, client_of):
    c = client_of(officer_a)
    assert "社会消费品零售总额" in c.get(f"/indicators/?dekad={OLD.key}").content.decode()
    assert "echarts.min.js" in c.get(f"/indicators/retail/?dekad={OLD.key}").content.decode()
    r = c.post(
        "/indicators/report/",
        {"indicator": "retail", "area_code": DISTRICT_A, "dekad": OLD.key, "value": "5"},
    )
    assert r.status_code == 302
    assert Report.objects.get().state == "late"


def test_a_district_trailing_the_time_progress_is_flagged(officer_a, officer_b, hq, retail, api_of):
    june = dk.Dekad(TODAY.year - 1, 6, 3)  # half the year gone
    for area in (DISTRICT_A, DISTRICT_B):
        services.target_set(actor=hq, indicator=retail, area_code=area, year=june.year, value=1000)
    submit(officer_a, retail, DISTRICT_A, june, 100, dk.deadline(june))
    submit(officer_b, retail, DISTRICT_B, june, 600, dk.deadline(june))
    rows = {
        r["district_code"]: r for r in api_of(hq).get(f"/api/indicators/progress?dekad={june.key}").json()
    }
    assert rows[DISTRICT_A]["behind_time"] and not rows[DISTRICT_B]["behind_time"]
    assert rows[DISTRICT_A]["time_progress"] == pytest.approx(dk.time_progress(june))
