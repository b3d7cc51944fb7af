"""Exports of schools (with readiness) and disputes (parties masked) as CSV or XLSX."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from apps.accounts.models import User
from apps.common.exports import table_response
from apps.society.selectors import active_item_count, disputes_list, schools_list

SCHOOL_HEADER = [
    "code",
    "name",
    "area_code",
    "level",
    "students",
    "items_done",
    "items_total",
    "planned_reopen",
    "actual_reopen",
]
DISPUTE_HEADER = [
    "ref",
    "area_code",
    "kind",
    "claimant",
    "respondent",
    "amount",
    "owner",
    "status",
    "opened_on",
    "closed_on",
    "days_to_resolve",
    "resolution",
]


def schools_export(
    *, user: User, filters: dict[str, str], fmt: str, request: HttpRequest | None = None
) -> HttpResponse:
    total = active_item_count()
    rows = (
        [s.code, s.name, s.area_id, s.level, s.students, s.done, total, s.planned_reopen, s.actual_reopen]
        for s in schools_list(user=user, **filters).iterator(chunk_size=2000)
    )
    return table_response(
        user=user,
        name="schools",
        header=SCHOOL_HEADER,
        rows=rows,
        fmt=fmt,
        object_type="society.school",
        filters=filters,
        request=request,
    )


def disputes_export(
    *, user: User, filters: dict[str, str], fmt: str, request: HttpRequest | None = None
) -> HttpResponse:
    rows = (
        [
            d.ref,
            d.area_id,
            d.kind,
            d.claimant_masked,
            d.respondent_masked,
            d.amount,
            d.owner_name,
            d.status,
            d.opened_on,
            d.closed_on,
            d.days_to_resolve,
            d.resolution,
        ]
        for d in disputes_list(user=user, **filters).iterator(chunk_size=2000)
    )
    return table_response(
        user=user,
        name="disputes",
        header=DISPUTE_HEADER,
        rows=rows,
        fmt=fmt,
        object_type="society.dispute",
        filters=filters,
        request=request,
    )
