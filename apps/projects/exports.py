"""Export of projects as CSV or XLSX, scoped and audited."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from apps.accounts.models import User
from apps.common.exports import table_response
from apps.projects.selectors import projects_list

HEADER = [
    "ref",
    "name",
    "area_code",
    "stage",
    "colour",
    "investment_planned",
    "investment_completed",
    "plan_start",
    "plan_end",
    "official",
    "unit",
    "reasons",
]


def projects_export(
    *, user: User, filters: dict[str, str], fmt: str, request: HttpRequest | None = None
) -> HttpResponse:
    qs = projects_list(user=user, **filters)
    rows = (
        [
            p.ref,
            p.name,
            p.area_id,
            p.stage,
            p.colour,
            p.investment_planned,
            p.investment_completed,
            p.plan_start,
            p.plan_end,
            p.official,
            p.unit,
            "; ".join(r["zh"] for r in p.colour_reasons),
        ]
        for p in qs.iterator(chunk_size=2000)
    )
    return table_response(
        user=user,
        name="projects",
        header=HEADER,
        rows=rows,
        fmt=fmt,
        object_type="projects.project",
        filters=filters,
        request=request,
    )
