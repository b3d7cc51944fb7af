"""Reads of dekad indicators: progress against target, year-on-year, missing/late flags, district rankings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.accounts.choices import Perm
from apps.accounts.models import User
from apps.accounts.scoping import area_q, grant_prefixes
from apps.common.errors import NotFound
from apps.geo.choices import AreaLevel
from apps.geo.models import Area
from apps.indicators.choices import Kind
from apps.indicators.models import Indicator, Report, Target
from core import dekad as dk
from core.projects import competition_rank

# A district whose completion trails the year's elapsed share by more than this is flagged (5 percentage points).
BEHIND_MARGIN = 0.05


@dataclass(frozen=True)
class IndicatorProgressRow:
    indicator_code: str
    indicator_name: str
    unit: str
    district_code: str
    district_name: str
    dekad_key: str
    value: float | None  # this dekad's reported value
    year_to_date: float | None  # sum of the year's dekads for a flow; the value for a level
    target: float | None
    progress: float | None  # year_to_date / target (完成率)
    time_progress: float  # share of the year gone (序时进度)
    yoy: float | None  # 同比 against the same dekad last year
    state: str  # core.dekad.ReportState value
    days_late: int

    @property
    def behind_time(self) -> bool:
        """落后于序时进度: completion more than BEHIND_MARGIN below the share of the year gone."""
        return self.progress is not None and self.progress < self.time_progress - BEHIND_MARGIN


def districts_in_scope(*, user: User, perm: str = Perm.INDICATOR_VIEW) -> list[Area]:
    """Districts a user may see reports of: those in or under their grants (a street grant sees none)."""
    q = Q()
    prefixes = [p for p in grant_prefixes(user, perm) if len(p) <= 6]
    if not prefixes:
        return []
    for p in prefixes:
        q |= Q(code__startswith=p)
    return list(Area.objects.filter(q, level=AreaLevel.DISTRICT).order_by("code"))


def indicators_active() -> list[Indicator]:
    return list(Indicator.objects.filter(active=True))


def indicator_get(*, code: str) -> Indicator:
    indicator = Indicator.objects.filter(code=code, active=True).first()
    if indicator is None:
        raise NotFound("indicator_not_found", "no such indicator")
    return indicator


def reports_list(
    *, user: User, indicator: str = "", area: str = "", dekad: str = "", state: str = ""
) -> QuerySet[Report]:
    qs = Report.objects.filter(area_q(user, Perm.INDICATOR_VIEW)).select_related("indicator", "area")
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    if area:
        qs = qs.filter(area__code__startswith=area)
    if dekad:
        qs = qs.filter(dekad=dekad)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-dekad", "indicator__order", "area_id")


def dekad_progress(
    *, user: User, period: dk.Dekad, today: dt.date | None = None, indicator: str = ""
) -> list[IndicatorProgressRow]:
    """One row per (indicator, district in scope) expected for `period`: three queries whatever the size."""
    today = today or timezone.localdate()
    districts = districts_in_scope(user=user)
    indicators = [
        i for i in indicators_active() if i.expects(period.part) and (not indicator or i.code == indicator)
    ]
    if not districts or not indicators:
        return []
    codes = [d.code for d in districts]
    last_year = period.same_last_year().key
    reports = Report.objects.filter(
        Q(dekad__gte=f"{period.year:04d}-01-1", dekad__lte=period.key) | Q(dekad=last_year),
        area_id__in=codes,
        indicator__in=indicators,
    ).values_list("indicator_id", "area_id", "dekad", "value", "state", "days_late")
    by_key: dict[tuple[int, str, str], tuple[float, str, int]] = {
        (i, a, d): (float(v), s, late) for i, a, d, v, s, late in reports
    }
    targets = {
        (i, a): float(v)
        for i, a, v in Target.objects.filter(
            area_id__in=codes, indicator__in=indicators, year=period.year
        ).values_list("indicator_id", "area_id", "value")
    }
    year_keys = [d for d in dk.iter_year(period.year) if d <= period]
    rows = []
    for ind in indicators:
        for district in districts:
            here = by_key.get((ind.pk, district.code, period.key))
            if here is None:
                status = dk.report_status(period, None, today, ind.grace_days)
                state, days_late = status.state.value, status.days_late
            else:
                state, days_late = here[1], here[2]
            value = here[0] if here else None
            if ind.kind == Kind.FLOW:
                parts = [
                    by_key[(ind.pk, district.code, d.key)][0]
                    for d in year_keys
                    if (ind.pk, district.code, d.key) in by_key
                ]
                ytd = sum(parts) if parts else None
            else:
                ytd = value
            prior = by_key.get((ind.pk, district.code, last_year))
            target = targets.get((ind.pk, district.code))
            rows.append(
                IndicatorProgressRow(
                    ind.code,
                    ind.name,
                    ind.unit,
                    district.code,
                    district.name,
                    period.key,
                    value,
                    ytd,
                    target,
                    dk.progress(ytd, target),
                    dk.time_progress(period),
                    dk.year_on_year(value, prior[0] if prior else None),
                    state,
                    days_late,
                )
            )
    return rows


def latest_indicator_progress(*, user: User, today: dt.date | None = None) -> list[IndicatorProgressRow]:
    """For the dashboard: progress for the last dekad whose deadline has passed (its reports are all due)."""
    today = today or timezone.localdate()
    return dekad_progress(user=user, period=dk.last_due(today), today=today)


def report_flags(*, user: User, dekad: dk.Dekad, today: dt.date | None = None) -> list[IndicatorProgressRow]:
    return [r for r in dekad_progress(user=user, period=dekad, today=today) if r.state in ("late", "missing")]


@dataclass(frozen=True)
class RankingRow:
    district_code: str
    district_name: str
    value: float | None
    progress: float | None
    yoy: float | None
    rank: int | None  # by progress against target; unranked without a target


def indicator_ranking(*, user: User, indicator: str, period: dk.Dekad) -> list[RankingRow]:
    rows = dekad_progress(user=user, period=period, indicator=indicator)
    ranks = competition_rank({r.district_code: r.progress for r in rows})
    out = [
        RankingRow(r.district_code, r.district_name, r.value, r.progress, r.yoy, ranks[r.district_code])
        for r in rows
    ]
    return sorted(out, key=lambda r: (r.rank is None, r.rank or 0, r.district_code))


def indicator_series(*, user: User, indicator: Indicator, year: int) -> dict[str, object]:
    """Chart data: per district in scope, the value of every dekad of `year` (None where nothing came)."""
    districts = districts_in_scope(user=user)
    keys = [d.key for d in dk.iter_year(year)]
    values = {
        (a, d): float(v)
        for a, d, v in Report.objects.filter(
            indicator=indicator, area_id__in=[x.code for x in districts], dekad__startswith=f"{year:04d}-"
        ).values_list("area_id", "dekad", "value")
    }
    return {
        "dekads": keys,
        "series": [
            {"district": d.code, "name": d.name, "values": [values.get((d.code, k)) for k in keys]}
            for d in districts
        ],
    }
