"""Demo step: the dekad indicator catalogue, targets, and every district's reports since last January.

The dekads of the outbreak (on the demo's one calendar, apps.demo.generator.DemoCalendar) show the dip and
those of the resumption the recovery, so year-on-year is negative then improving. The last dekad due has one missing and two late reports, so the flags have something to show.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.demo.generator import DemoCalendar, DemoContext
from apps.geo.choices import AreaLevel
from apps.geo.models import Area
from apps.indicators.choices import Frequency, Kind, ReportState
from apps.indicators.models import Indicator, Report, Target
from core import dekad as dk

NAME = "indicators"
# code, Chinese, English, unit, frequency, kind, base value per dekad of a district
CATALOGUE = [
    ("industry_va", "规上工业增加值", "Industrial value added", "亿元", Frequency.DEKAD, Kind.FLOW, 3.2),
    ("fixed_investment", "固定资产投资", "Fixed-asset investment", "亿元", Frequency.DEKAD, Kind.FLOW, 4.5),
    (
        "retail_sales",
        "社会消费品零售总额",
        "Retail sales of consumer goods",
        "亿元",
        Frequency.DEKAD,
        Kind.FLOW,
        2.8,
    ),
    (
        "electricity",
        "全社会用电量",
        "Electricity consumption",
        "万千瓦时",
        Frequency.MONTH,
        Kind.FLOW,
        5200.0,
    ),
    (
        "enterprises_resumed",
        "规上工业企业复工数",
        "Above-size enterprises resumed",
        "家",
        Frequency.DEKAD,
        Kind.LEVEL,
        180.0,
    ),
]


def _dip(period: dk.Dekad, calendar: DemoCalendar) -> float:
    # The epidemic on the demo's one calendar: activity halves when the outbreak starts and recovers with
    # the resumption of work (a monthly figure counts from its first dekad).
    return calendar.activity(period.start)


@transaction.atomic
def run(ctx: DemoContext) -> dict[str, Any]:
    rng = ctx.rng(NAME)
    for order, (code, zh, en, unit, freq, kind, _base) in enumerate(CATALOGUE):
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "unit": unit,
                "frequency": freq,
                "kind": kind,
                "order": order,
            },
        )
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=[c[0] for c in CATALOGUE])}
    districts = list(Area.objects.filter(level=AreaLevel.DISTRICT).values_list("code", flat=True))
    year = ctx.today.year
    last = dk.last_due(ctx.today)
    periods = list(dk.iter_year(year - 1)) + [d for d in dk.iter_year(year) if d <= last]
    # The newest due dekad: one district has not reported retail sales, another was late twice.
    missing = {(last.key, "retail_sales", districts[3])} if len(districts) > 3 else set()
    late = (
        {(last.key, "industry_va", districts[5]), (last.key, "fixed_investment", districts[5])}
        if len(districts) > 5
        else set()
    )
    existing = set(
        Report.objects.filter(indicator__in=indicators.values()).values_list(
            "indicator__code", "area_id", "dekad"
        )
    )
    reports, targets = [], []
    for code, _zh, _en, _unit, freq, kind, base in CATALOGUE:
        ind = indicators[code]
        for district in districts:
            size = rng.uniform(0.6, 1.6)
            growth = rng.uniform(1.03, 1.10)
            last_year_total = 0.0
            for period in periods:
                if not ind.expects(period.part):
                    continue
                trend = growth if period.year == year else 1.0
                scale = 3 if freq == Frequency.MONTH else 1
                value = base * size * scale * trend * _dip(period, ctx.calendar) * rng.uniform(0.93, 1.07)
                if kind == Kind.LEVEL:
                    value = round(base * size * min(1.0, _dip(period, ctx.calendar) + 0.05))
                if period.year == year - 1:
                    last_year_total += value
                key = (period.key, code, district)
                if key in missing or (code, district, period.key) in existing:
                    continue
                due = dk.deadline(period, ind.grace_days)
                is_late = key in late or rng.random() < 0.02
                day = (
                    due + dt.timedelta(days=rng.randint(1, 4))
                    if is_late
                    else due - dt.timedelta(days=rng.randint(0, ind.grace_days + 2))
                )
                day = min(day, ctx.today)
                status = dk.report_status(period, day, ctx.today, ind.grace_days)
                at = timezone.make_aware(
                    dt.datetime.combine(day, dt.time(rng.randint(8, 20), rng.randint(0, 59)))
                )
                reports.append(
                    Report(
                        indicator=ind,
                        area_id=district,
                        dekad=period.key,
                        value=Decimal(f"{value:.2f}"),
                        submitted_at=at,
                        submitted_on=day,
                        state=status.state.value
                        if status.state != ReportState.NOT_DUE
                        else ReportState.ON_TIME,
                        days_late=status.days_late,
                    )
                )
            target = last_year_total * rng.uniform(1.05, 1.09) if kind == Kind.FLOW else base * size
            targets.append((ind, district, Decimal(f"{target:.2f}")))
    Report.objects.bulk_create(reports, batch_size=2000, ignore_conflicts=True)
    for ind, district, value in targets:
        Target.objects.update_or_create(indicator=ind, area_id=district, year=year, defaults={"value": value})
    return {
        "indicators": len(indicators),
        "reports": len(reports),
        "targets": len(targets),
        "last_due": last.key,
    }
