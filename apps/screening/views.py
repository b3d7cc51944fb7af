"""Pages of the screening app: lists and imports, the reviewer's candidates, a community worker's visits (phone),
the headquarters' reconciliation and coverage. Thin views over the same selectors and services as the API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.choices import Perm
from apps.accounts.scoping import has_perm_anywhere
from apps.common.apitypes import column_mapping
from apps.common.errors import ServiceError, ValidationFailed
from apps.common.messages import shown
from apps.common.views import error_page, int_param
from apps.screening import selectors, services
from apps.screening.choices import HealthStatus, VisitAction, VisitOutcome
from apps.screening.evidence import evidence_rows

PAGE_SIZE = 50


def _need(request: HttpRequest, perm: str) -> None:
    if not has_perm_anywhere(request.user, perm):  # type: ignore[arg-type]
        raise PermissionDenied


@login_required
def lists(request: HttpRequest) -> HttpResponse:
    _need(request, Perm.SCREENING_VIEW)
    return render(
        request,
        "screening/lists.html",
        {
            "lists": selectors.lists_list(user=request.user)[:200],  # type: ignore[arg-type]
            "can_import": has_perm_anywhere(request.user, Perm.SCREENING_IMPORT),  # type: ignore[arg-type]
        },
    )


@login_required
def list_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a file into a list with an optional column mapping; show the report (bad rows with line and reason)."""
    _need(request, Perm.SCREENING_IMPORT)
    try:
        lst = selectors.list_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
    report, error = None, None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed("no_file", "choose a file to upload")
            report, queued = services.list_import_start(
                actor=request.user,
                lst=lst,
                data=upload.read(),
                filename=upload.name or "upload.csv",  # type: ignore[arg-type]
                mapping=column_mapping(request.POST.get("mapping", "")),
                request=request,
            )
            if queued:
                return redirect("screening:import-report", pk=report.pk)
        except ServiceError as exc:
            error = shown(exc.message)
    return render(
        request,
        "screening/import.html",
        {"list": lst, "report": report, "error": error, "mapping": lst.source.mapping},
    )


@login_required
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request, Perm.SCREENING_VIEW)
    try:
        report = selectors.import_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
    return render(
        request,
        "screening/import.html",
        {"list": report.list, "report": report, "error": None, "mapping": report.list.source.mapping},
    )


@login_required
def candidates(request: HttpRequest) -> HttpResponse:
    """The reviewer's queue: each candidate pair with its probability and the evidence per field."""
    _need(request, Perm.SCREENING_VIEW)
    page = int_param(request, "page", 1, 1, 100_000)
    qs = selectors.candidates_open(user=request.user)  # type: ignore[arg-type]
    rows = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    items = [{"c": c, "evidence": evidence_rows(c.evidence)} for c in rows[:PAGE_SIZE]]
    return render(
        request,
        "screening/candidates.html",
        {
            "items": items,
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "can_decide": has_perm_anywhere(request.user, Perm.SCREENING_REVIEW),  # type: ignore[arg-type]
        },
    )


@login_required
@require_POST
def candidate_decide(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.candidate_decide(
            actor=request.user,
            candidate_id=pk,
            same=request.POST.get("same") == "1",  # type: ignore[arg-type]
            request=request,
        )
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("screening:candidates")


@login_required
def work(request: HttpRequest) -> HttpResponse:
    """A community worker's visits for today, on a phone: most urgent first, each with its visit form."""
    _need(request, Perm.SCREENING_VIEW)
    items = list(selectors.work_items(user=request.user)[:100])  # type: ignore[arg-type]
    return render(
        request,
        "screening/work.html",
        {
            "items": items,
            "outcomes": VisitOutcome.choices,
            "healths": HealthStatus.choices,
            "actions": VisitAction.choices,
            "can_visit": has_perm_anywhere(request.user, Perm.SCREENING_VISIT),  # type: ignore[arg-type]
        },
    )


@login_required
@require_POST
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    data = request.POST
    try:
        temperature: Any = float(data["temperature"]) if data.get("temperature") else None
    except ValueError:
        return error_page(
            request, ValidationFailed("temperature_range", "a temperature between 30 and 45 °C")
        )
    try:
        services.visit_record(
            actor=request.user,
            item_id=pk,
            outcome=data.get("outcome", ""),  # type: ignore[arg-type]
            health=data.get("health", "unknown"),
            temperature=temperature,
            action=data.get("action", "none"),
            moved_to=data.get("moved_to", ""),
            note=data.get("note", ""),
            request=request,
        )
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("screening:work")


@login_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    """底数清 for the headquarters: per list and district (or street, community when drilled into), the counts that
    must balance, and the coverage of those who must be seen, with the overdue ones."""
    _need(request, Perm.SCREENING_VIEW)
    area = request.GET.get("area", "").strip()[:12]
    depth = {0: 6, 6: 9, 9: 12}.get(len(area), 12)
    user: Any = request.user
    return render(
        request,
        "screening/reconciliation.html",
        {
            "area": area,
            "depth": depth,
            "tallies": selectors.reconciliation(user=user, area=area, depth=depth),
            "coverage": selectors.coverage(user=user, area=area, depth=depth),
            "open_items": list(selectors.work_items(user=user, area=area)[:50]) if len(area) >= 9 else [],
        },
    )
