"""Pages of major projects: list with colours, detail with reasons, battle map, and the public ranking."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.choices import Perm
from apps.accounts.scoping import grant_prefixes, has_perm_anywhere, has_perm_at
from apps.common.errors import NotFound, ServiceError, ValidationFailed
from apps.common.views import error_page, one_page
from apps.projects import selectors, services
from apps.projects.choices import Colour, Stage
from apps.projects.exports import projects_export
from apps.projects.models import ColourSettings

PAGE_SIZE = 50


def _filters(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "").strip() for k in ("area", "stage", "colour", "query")}


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.PROJECT_VIEW):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    services.project_colours_refresh_stale()
    filters = _filters(request)
    qs = selectors.projects_list(user=request.user, **filters)  # type: ignore[arg-type]
    rows, pager = one_page(request, qs, PAGE_SIZE)
    context = {
        "projects": rows,
        "filters": filters,
        **pager,
        "counts": selectors.project_colour_counts(user=request.user, area=filters["area"]),  # type: ignore[arg-type]
        "stages": Stage.choices,
        "colours": Colour.choices,
        "can_create": has_perm_anywhere(request.user, Perm.PROJECT_CHANGE),  # type: ignore[arg-type]
        "query_string": request.GET.urlencode(),
    }
    return render(request, "projects/list.html", context)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        project = selectors.project_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
    context = {
        "project": project,
        "milestones": list(project.milestones.all()),
        "can_change": has_perm_at(request.user, Perm.PROJECT_CHANGE, project.area_id),  # type: ignore[arg-type]
        "stages": Stage.choices,
        "planned_to_date": services.planned_to_date(project, timezone.localdate()),
    }
    return render(request, "projects/detail.html", context)


@login_required
@require_POST
def project_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Record progress from the detail page: stage, completed investment, or a milestone's actual date."""
    try:
        project = selectors.project_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        if request.POST.get("milestone"):
            milestone = project.milestones.filter(pk=request.POST["milestone"]).first()
            if milestone is None:
                raise NotFound("milestone_not_found", "no such milestone on this project")
            actual = request.POST.get("actual", "")
            services.milestone_record(
                actor=request.user,
                milestone=milestone,
                request=request,  # type: ignore[arg-type]
                actual=dt.date.fromisoformat(actual) if actual else None,
            )
        else:
            data = {k: request.POST[k] for k in ("stage", "investment_completed") if request.POST.get(k)}
            services.project_update(actor=request.user, project=project, data=data, request=request)  # type: ignore[arg-type]
    except ValueError:
        return error_page(request, ValidationFailed("invalid_date", "dates are YYYY-MM-DD"))
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("projects:detail", pk=pk)


@login_required
def project_export(request: HttpRequest) -> HttpResponse:
    try:
        return projects_export(
            user=request.user,
            filters=_filters(request),  # type: ignore[arg-type]
            fmt=request.GET.get("format", "csv"),
            request=request,
        )
    except ServiceError as exc:
        return error_page(request, exc)


@login_required
def battle_map(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.PROJECT_VIEW):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    services.project_colours_refresh_stale()
    area = request.GET.get("area", "").strip()
    context = {
        "svg": selectors.battle_map(user=request.user, area=area),  # type: ignore[arg-type]
        "counts": selectors.project_colour_counts(user=request.user, area=area),  # type: ignore[arg-type]
        "area": area,
    }
    return render(request, "projects/map.html", context)


def ranking(request: HttpRequest) -> HttpResponse:
    """进度晾晒: published without sign-in, refreshed from the data on every request."""
    order_by = "investment_rate" if request.GET.get("order_by") == "investment_rate" else "start_rate"
    names = selectors.district_areas()
    rows = [(r, names.get(r.district)) for r in selectors.district_progress(order_by=order_by)]
    return render(request, "projects/ranking.html", {"rows": rows, "order_by": order_by})


@login_required
def thresholds(request: HttpRequest) -> HttpResponse:
    """三色管理 thresholds: everyone who sees projects reads them; the headquarters changes them here."""
    if not has_perm_anywhere(request.user, Perm.PROJECT_VIEW):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    error = None
    if request.method == "POST":
        try:
            data: dict[str, float | int | None] = {}
            for field in services.THRESHOLD_FIELDS:
                text = request.POST.get(field, "").strip()
                number = float(text) if text else None
                data[field] = (
                    int(number) if number is not None and ("days" in field or "min_" in field) else number
                )
            services.colour_settings_update(actor=request.user, data=data, request=request)  # type: ignore[arg-type]
        except ValueError:
            error = ValidationFailed("invalid", "thresholds are numbers")
        except ServiceError as exc:
            error = exc
        else:
            return redirect("projects:thresholds")
    current = services.thresholds()
    fields = [
        (f, ColourSettings._meta.get_field(f).verbose_name, getattr(current, f))
        for f in services.THRESHOLD_FIELDS
    ]
    can_change = any(len(p) <= 4 for p in grant_prefixes(request.user, Perm.PROJECT_CHANGE))  # type: ignore[arg-type]
    return render(
        request,
        "projects/thresholds.html",
        {"fields": fields, "can_change": can_change, "error": error},
        status=error.status if error else 200,
    )


def _parse_milestones(text: str) -> list[tuple[str, dt.date, dt.date | None]]:
    """One milestone a line: "name, planned date[, actual date]" (dates YYYY-MM-DD; Chinese commas accepted)."""
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if not any(parts):
            continue
        try:
            actual = dt.date.fromisoformat(parts[2]) if len(parts) > 2 and parts[2] else None
            out.append((parts[0], dt.date.fromisoformat(parts[1]), actual))
        except (IndexError, ValueError):
            raise ValidationFailed(
                "invalid_milestones",
                f"milestone line {n}: name, YYYY-MM-DD[, YYYY-MM-DD]",
                [{"field": "milestones", "message": f"line {n}"}],
            ) from None
    return out


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.PROJECT_CHANGE):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    error = None
    if request.method == "POST":
        p = request.POST
        try:
            project = services.project_create(
                actor=request.user,  # type: ignore[arg-type]
                ref=p.get("ref", ""),
                name=p.get("name", ""),
                area_code=p.get("area_code", "").strip(),
                investment_planned=p.get("investment_planned", ""),
                official=p.get("official", ""),
                unit=p.get("unit", ""),
                stage=p.get("stage", Stage.SIGNED),
                investment_completed=p.get("investment_completed") or 0,
                plan_start=dt.date.fromisoformat(p.get("plan_start", "")),
                plan_end=dt.date.fromisoformat(p.get("plan_end", "")),
                milestones=_parse_milestones(p.get("milestones", "")),
                request=request,
            )
        except ValueError:
            error = ValidationFailed("invalid_date", "plan dates are YYYY-MM-DD")
        except ServiceError as exc:
            error = exc
        else:
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "projects/new.html",
        {"stages": Stage.choices, "error": error, "post": request.POST},
        status=error.status if error else 200,
    )


@login_required
@require_POST
def milestone_new(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        project = selectors.project_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        services.milestone_add(
            actor=request.user,
            project=project,
            name=request.POST.get("name", ""),  # type: ignore[arg-type]
            planned=dt.date.fromisoformat(request.POST.get("planned", "")),
            request=request,
        )
    except ValueError:
        return error_page(request, ValidationFailed("invalid_date", "dates are YYYY-MM-DD"))
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("projects:detail", pk=pk)
