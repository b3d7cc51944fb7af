"""API of dekad indicators (十天一调度): catalogue, targets, reports, progress, flags, ranking, chart series."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Schema

from apps.accounts.http import AuthedRequest
from apps.common.apitypes import (
    Amount,
    InSchema,
    PageNumber,
    PageSize,
    PathCode,
    SmallCount,
    Year,
    YearOrZero,
)
from apps.common.errors import ValidationFailed
from apps.common.pagination import Page, paginate
from apps.indicators import selectors, services
from apps.indicators.exports import progress_export
from apps.indicators.models import Report
from core import dekad as dk

router = Router(tags=["indicators"])


class IndicatorIO(InSchema):
    code: str
    name_zh: str
    name_en: str = ""
    unit: str
    frequency: str = "dekad"
    kind: str = "flow"
    grace_days: SmallCount = 3
    order: SmallCount = 0
    active: bool = True


class TargetIn(InSchema):
    area_code: str
    year: Year
    value: Amount(16, 2)  # type: ignore[valid-type]


class ReportIn(InSchema):
    indicator: str
    area_code: str
    dekad: str
    value: Amount(16, 2)  # type: ignore[valid-type]
    note: str = ""


class ReportOut(Schema):
    id: int
    indicator: str
    area_code: str
    dekad: str
    value: Decimal
    state: str
    days_late: int
    submitted_on: dt.date
    note: str

    @staticmethod
    def resolve_indicator(obj: Report) -> str:
        return obj.indicator.code

    @staticmethod
    def resolve_area_code(obj: Report) -> str:
        return obj.area_id


class ProgressOut(Schema):
    indicator_code: str
    indicator_name: str
    unit: str
    district_code: str
    district_name: str
    dekad_key: str
    value: float | None
    year_to_date: float | None
    target: float | None
    progress: float | None
    time_progress: float
    yoy: float | None
    state: str
    days_late: int
    behind_time: bool


class RankingOut(Schema):
    district_code: str
    district_name: str
    value: float | None
    progress: float | None
    yoy: float | None
    rank: int | None


def _period(dekad: str) -> dk.Dekad:
    if not dekad:
        return dk.last_due(timezone.localdate())
    try:
        return dk.parse(dekad)
    except ValueError as exc:
        raise ValidationFailed("invalid_dekad", str(exc)) from None


@router.get("", response=list[IndicatorIO])
def indicator_list(request: AuthedRequest) -> Any:
    return selectors.indicators_active()


@router.post("", response={201: IndicatorIO})
def indicator_upsert(request: AuthedRequest, body: IndicatorIO) -> Any:
    return 201, services.indicator_upsert(actor=request.user, request=request, **body.dict())


@router.get("/reports", response=Page[ReportOut])
def report_list(
    request: AuthedRequest,
    indicator: str = "",
    area: str = "",
    dekad: str = "",
    state: str = "",
    page: PageNumber = 1,
    page_size: PageSize = 100,
) -> Any:
    qs = selectors.reports_list(user=request.user, indicator=indicator, area=area, dekad=dekad, state=state)
    return paginate(qs, page, page_size)


@router.post("/reports", response={201: ReportOut})
def report_submit(request: AuthedRequest, body: ReportIn) -> Any:
    """Report a district's value for a dekad ("YYYY-MM-P", P = 1 上旬, 2 中旬, 3 下旬); late ones are flagged."""
    indicator = selectors.indicator_get(code=body.indicator)
    report = services.report_submit(
        actor=request.user,
        indicator=indicator,
        area_code=body.area_code,  # type: ignore[arg-type]
        dekad=body.dekad,
        value=body.value,
        note=body.note,
        request=request,
    )
    return 201, report


@router.get("/progress", response=list[ProgressOut])
def progress(request: AuthedRequest, dekad: str = "", indicator: str = "") -> Any:
    """Progress against target, year-on-year and report state per district; default: the last dekad due."""
    rows = selectors.dekad_progress(user=request.user, period=_period(dekad), indicator=indicator)
    return [{**asdict(r), "behind_time": r.behind_time} for r in rows]


@router.get("/flags", response=list[ProgressOut])
def flags(request: AuthedRequest, dekad: str = "") -> Any:
    """Missing and late reports for a dekad."""
    return [
        {**asdict(r), "behind_time": r.behind_time}
        for r in selectors.report_flags(user=request.user, dekad=_period(dekad))
    ]


@router.get("/export")
def export(request: AuthedRequest, dekad: str = "", format: str = "csv") -> HttpResponse:
    return progress_export(user=request.user, period=_period(dekad), fmt=format, request=request)


@router.get("/{code}/ranking", response=list[RankingOut])
def ranking(request: AuthedRequest, code: PathCode, dekad: str = "") -> Any:
    selectors.indicator_get(code=code)
    return [
        asdict(r)
        for r in selectors.indicator_ranking(user=request.user, indicator=code, period=_period(dekad))
    ]


@router.get("/{code}/series")
def series(request: AuthedRequest, code: PathCode, year: YearOrZero = 0) -> Any:
    indicator = selectors.indicator_get(code=code)
    return selectors.indicator_series(
        user=request.user, indicator=indicator, year=year or timezone.localdate().year
    )


@router.put("/{code}/targets", response=TargetIn)
def target_set(request: AuthedRequest, code: PathCode, body: TargetIn) -> Any:
    indicator = selectors.indicator_get(code=code)
    t = services.target_set(actor=request.user, indicator=indicator, request=request, **body.dict())
    return {"area_code": t.area_id, "year": t.year, "value": t.value}
