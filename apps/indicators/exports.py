"""Export of a dekad's indicator progress (value, YTD, target, progress, YoY, report state) as CSV or XLSX."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from apps.accounts.models import User
from apps.common.exports import table_response
from apps.indicators.selectors import dekad_progress
from core import dekad as dk

HEADER = [
    "dekad",
    "indicator",
    "unit",
    "district_code",
    "district",
    "value",
    "year_to_date",
    "target",
    "progress",
    "time_progress",
    "yoy",
    "state",
    "days_late",
]


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x:.4f}"


def progress_export(
    *, user: User, period: dk.Dekad, fmt: str, request: HttpRequest | None = None
) -> HttpResponse:
    rows = [
        [
            r.dekad_key,
            r.indicator_code,
            r.unit,
            r.district_code,
            r.district_name,
            r.value,
            r.year_to_date,
            r.target,
            _pct(r.progress),
            _pct(r.time_progress),
            _pct(r.yoy),
            r.state,
            r.days_late,
        ]
        for r in dekad_progress(user=user, period=period)
    ]
    return table_response(
        user=user,
        name=f"indicators-{period.key}",
        header=HEADER,
        rows=rows,
        fmt=fmt,
        object_type="indicators.report",
        filters={"dekad": period.key},
        request=request,
    )
