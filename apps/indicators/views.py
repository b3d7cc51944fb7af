"""Pages of dekad indicators: the overview with flags, an indicator's ranking and charts, the report form."""

from __future__ import annotations

from itertools import groupby
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from apps.accounts.choices import Perm
from apps.accounts.scoping import has_perm_anywhere
from apps.common.errors import ServiceError
from apps.common.views import error_page
from apps.indicators import selectors, services
from apps.indicators.exports import progress_export
from core import dekad as dk


def _period(request: HttpRequest) -> dk.Dekad:
    try:
        return dk.parse(request.GET.get("dekad", ""))
    except ValueError:
        return dk.last_due(timezone.localdate())


def _dekad_choices(period: dk.Dekad) -> list[dk.Dekad]:
    current = dk.dekad_of(timezone.localdate())
    first = current
    for _ in range(17):
        first = first.previous()
    out = dk.dekads_between(first.start, current.end)
    if period not in out:
        out.append(period)
    return sorted(out, reverse=True)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.INDICATOR_VIEW):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    period = _period(request)
    rows = selectors.dekad_progress(user=request.user, period=period)  # type: ignore[arg-type]
    groups = [(code, list(items)) for code, items in groupby(rows, key=lambda r: r.indicator_code)]
    context = {
        "period": period,
        "groups": groups,
        "dekads": _dekad_choices(period),
        "flags": sum(1 for r in rows if r.state in ("late", "missing")),
        "can_report": has_perm_anywhere(request.user, Perm.INDICATOR_REPORT),  # type: ignore[arg-type]
        "time_progress": dk.time_progress(period),
        "catalogue": selectors.indicators_active(),
    }
    return render(request, "indicators/overview.html", context)


@login_required
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        indicator = selectors.indicator_get(code=code)
    except ServiceError as exc:
        return error_page(request, exc)
    period = _period(request)
    ranking = selectors.indicator_ranking(user=request.user, indicator=code, period=period)  # type: ignore[arg-type]
    series = selectors.indicator_series(user=request.user, indicator=indicator, year=period.year)  # type: ignore[arg-type]
    chart = {
        "districts": [r.district_name for r in ranking],
        "progress": [None if r.progress is None else round(r.progress * 100, 1) for r in ranking],
        "time_progress": round(dk.time_progress(period) * 100, 1),
        "series": series,
    }
    return render(
        request,
        "indicators/detail.html",
        {
            "indicator": indicator,
            "period": period,
            "ranking": ranking,
            "chart": chart,
            "dekads": _dekad_choices(period),
        },
    )


@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    districts = selectors.districts_in_scope(user=request.user, perm=Perm.INDICATOR_REPORT)  # type: ignore[arg-type]
    if not districts:
        return render(request, "403.html", status=403)
    error = None
    if request.method == "POST":
        try:
            indicator = selectors.indicator_get(code=request.POST.get("indicator", ""))
            services.report_submit(
                actor=request.user,
                indicator=indicator,
                area_code=request.POST.get("area_code", ""),  # type: ignore[arg-type]
                dekad=request.POST.get("dekad", ""),
                value=request.POST.get("value", ""),
                note=request.POST.get("note", ""),
                request=request,
            )
        except ServiceError as exc:
            error = exc
        else:
            return redirect(
                reverse("indicators:overview") + "?" + urlencode({"dekad": request.POST.get("dekad", "")})
            )
    period = dk.dekad_of(timezone.localdate()).previous()
    return render(
        request,
        "indicators/report.html",
        {
            "districts": districts,
            "indicators": selectors.indicators_active(),
            "dekads": _dekad_choices(period),
            "period": period,
            "error": error,
        },
        status=422 if error else 200,
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    try:
        return progress_export(
            user=request.user,
            period=_period(request),
            fmt=request.GET.get("format", "csv"),  # type: ignore[arg-type]
            request=request,
        )
    except ServiceError as exc:
        return error_page(request, exc)
