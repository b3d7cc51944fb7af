"""Pages of schools' readiness and of disputes: thin views over the same selectors and services as the API."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.choices import Perm
from apps.accounts.scoping import has_perm_anywhere, has_perm_at
from apps.common.errors import ServiceError, ValidationFailed
from apps.common.views import error_page, one_page
from apps.society import selectors, services
from apps.society.choices import DISPUTE_TRANSITIONS, DisputeKind, DisputeStatus, SchoolLevel
from apps.society.exports import disputes_export, schools_export

PAGE_SIZE = 50


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed("invalid_date", "dates are YYYY-MM-DD") from None


@login_required
def school_list(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.SCHOOL_VIEW):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    filters = {k: request.GET.get(k, "").strip() for k in ("area", "level", "readiness", "query")}
    rows, pager = one_page(request, selectors.schools_list(user=request.user, **filters), PAGE_SIZE)  # type: ignore[arg-type]
    return render(
        request,
        "society/schools.html",
        {
            "schools": rows,
            **pager,
            "filters": filters,
            "total": selectors.active_item_count(),
            "levels": SchoolLevel.choices,
            "districts": selectors.school_readiness_by_district(user=request.user),  # type: ignore[arg-type]
            "query_string": request.GET.urlencode(),
        },
    )


@login_required
def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        school = selectors.school_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        if request.method == "POST":
            if request.POST.get("grade", "").isdigit():
                data = {
                    k: _date(request.POST[k])
                    for k in ("planned_reopen", "actual_reopen")
                    if request.POST.get(k)
                }
                if request.POST.get("students", "").isdigit():
                    data["students"] = int(request.POST["students"])
                services.grade_set(
                    actor=request.user,  # type: ignore[arg-type]
                    school=school,
                    grade=int(request.POST["grade"][:2]),
                    data=data,
                    request=request,
                )
            elif request.POST.get("item"):
                services.check_set(
                    actor=request.user,
                    school=school,
                    item_code=request.POST["item"],  # type: ignore[arg-type]
                    done=request.POST.get("done") == "on",
                    evidence=request.POST.get("evidence", ""),
                    request=request,
                )
            else:
                data = {
                    k: _date(request.POST.get(k, ""))
                    for k in ("planned_reopen", "actual_reopen")
                    if request.POST.get(k)
                }
                services.school_update(actor=request.user, school=school, data=data, request=request)  # type: ignore[arg-type]
            return redirect("society:school", pk=pk)
    except ServiceError as exc:
        return error_page(request, exc)
    return render(
        request,
        "society/school.html",
        {
            "school": school,
            "readiness": selectors.school_readiness(school=school),
            "grades": selectors.school_grades(school=school),
            "can_change": has_perm_at(request.user, Perm.SCHOOL_CHANGE, school.area_id),  # type: ignore[arg-type]
        },
    )


@login_required
def school_export(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "").strip() for k in ("area", "level", "readiness", "query")}
    try:
        return schools_export(
            user=request.user, filters=filters, fmt=request.GET.get("format", "csv"), request=request
        )  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)


@login_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.DISPUTE_VIEW):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    filters = {k: request.GET.get(k, "").strip() for k in ("area", "kind", "status", "party")}
    rows, pager = one_page(request, selectors.disputes_list(user=request.user, **filters), PAGE_SIZE)  # type: ignore[arg-type]
    return render(
        request,
        "society/disputes.html",
        {
            "disputes": rows,
            **pager,
            "filters": filters,
            "kinds": DisputeKind.choices,
            "statuses": DisputeStatus.choices,
            "stats": selectors.dispute_stats(user=request.user),  # type: ignore[arg-type]
            "can_create": has_perm_anywhere(request.user, Perm.DISPUTE_CHANGE),  # type: ignore[arg-type]
            "query_string": request.GET.urlencode(),
        },
    )


@login_required
def dispute_new(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.DISPUTE_CHANGE):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    error = None
    if request.method == "POST":
        try:
            fields = ("area_code", "kind", "summary", "claimant", "respondent", "owner_name", "amount")
            data = {k: request.POST.get(k, "") for k in fields}
            dispute = services.dispute_create(
                actor=request.user,
                request=request,  # type: ignore[arg-type]
                opened_on=_date(request.POST.get("opened_on", "")),
                **data,
            )
        except ServiceError as exc:
            error = exc
        else:
            return redirect("society:dispute", pk=dispute.pk)
    return render(
        request,
        "society/dispute_new.html",
        {"kinds": DisputeKind.choices, "error": error, "post": request.POST},
        status=422 if error else 200,
    )


@login_required
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        dispute = selectors.dispute_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
    return render(
        request,
        "society/dispute.html",
        {
            "dispute": dispute,
            "next_statuses": [(s, DisputeStatus(s).label) for s in DISPUTE_TRANSITIONS[dispute.status]],
            "can_change": has_perm_at(request.user, Perm.DISPUTE_CHANGE, dispute.area_id),  # type: ignore[arg-type]
            "can_reveal": has_perm_at(request.user, Perm.DISPUTE_REVEAL, dispute.area_id),  # type: ignore[arg-type]
        },
    )


@login_required
@require_POST
def dispute_transition(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        dispute = selectors.dispute_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        services.dispute_transition(
            actor=request.user,
            dispute=dispute,
            status=request.POST.get("status", ""),  # type: ignore[arg-type]
            resolution=request.POST.get("resolution", ""),
            request=request,
        )
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("society:dispute", pk=pk)


@login_required
@require_POST
def dispute_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        dispute = selectors.dispute_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        values = services.dispute_reveal(
            actor=request.user,
            dispute=dispute,
            reason=request.POST.get("reason", ""),  # type: ignore[arg-type]
            request=request,
        )
    except ServiceError as exc:
        return error_page(request, exc)
    return render(request, "society/_revealed.html", {"values": values})


@login_required
def dispute_export(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "").strip() for k in ("area", "kind", "status")}
    try:
        return disputes_export(
            user=request.user, filters=filters, fmt=request.GET.get("format", "csv"), request=request
        )  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
