"""Pages of the command app: the inbox, supervised tasks, accountability, the duty roster, the dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from apps.accounts.choices import Perm
from apps.accounts.scoping import has_perm_anywhere
from apps.command import notifications, selectors, tasks_service
from apps.command.choices import AccountabilityDecision, Channel, Priority, Severity, TaskStatus
from apps.common.errors import ServiceError
from apps.common.views import error_page, page_number

PAGE_SIZE = 50


# ---- inbox --------------------------------------------------------------------------------------------------------


def _inbox_filters(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "").strip()[:32] for k in ("module", "severity", "unread", "state")}


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    f = _inbox_filters(request)
    page = page_number(request)
    qs = notifications.inbox(
        user=request.user,  # type: ignore[arg-type]
        module=f["module"],
        severity=f["severity"] if f["severity"] in Severity.values else "",
        unread=f["unread"] == "1",
        state=f["state"],
    )
    rows = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    return render(
        request,
        "command/inbox.html",
        {
            "notes": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page": page,
            "filters": f,
            "modules": notifications.modules_of(user=request.user),  # type: ignore[arg-type]
            "severities": Severity.choices,
            "unread": notifications.unread_count(user=request.user),  # type: ignore[arg-type]
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    ids = [int(x) for x in request.POST.getlist("id") if x.isdigit() and len(x) < 18]
    notifications.mark_read(user=request.user, ids=ids or None)  # type: ignore[arg-type]
    return redirect("command:inbox")


@login_required
def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notification: it is read, and the reader goes to the page where it is handled."""
    try:
        note = notifications.notification_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
    notifications.mark_read(user=request.user, ids=[note.pk])  # type: ignore[arg-type]
    link = note.link if note.link.startswith("/") and not note.link.startswith("//") else "/"
    return redirect(link)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    from apps.command.models import NotificationPreference

    if request.method == "POST":
        try:
            notifications.preference_set(
                user=request.user,  # type: ignore[arg-type]
                channel=request.POST.get("channel", ""),
                address=request.POST.get("address", ""),
                digest=request.POST.get("digest") == "1",
            )
        except ServiceError as exc:
            return error_page(request, exc)
        return redirect("command:inbox")
    pref = NotificationPreference.objects.filter(user_id=request.user.pk).first()
    return render(request, "command/preferences.html", {"pref": pref, "channels": Channel.choices})


# ---- supervised tasks ---------------------------------------------------------------------------------------------


def _task_filters(request: HttpRequest) -> dict[str, str]:
    return {
        k: request.GET.get(k, "").strip()[:32] for k in ("area", "status", "overdue", "source", "priority")
    }


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.TASK_VIEW):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    f = _task_filters(request)
    page = page_number(request)
    qs = selectors.tasks_list(
        user=request.user,  # type: ignore[arg-type]
        area=f["area"],
        status=f["status"],
        overdue=f["overdue"] == "1",
        source=f["source"],
        priority=f["priority"],
    )
    rows = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    return render(
        request,
        "command/tasks.html",
        {
            "tasks": rows[:PAGE_SIZE],
            "count": qs.count(),
            "has_next": len(rows) > PAGE_SIZE,
            "page": page,
            "filters": f,
            "statuses": TaskStatus.choices,
            "priorities": Priority.choices,
            "can_assign": has_perm_anywhere(request.user, Perm.TASK_ASSIGN),  # type: ignore[arg-type]
            "now": timezone.now(),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def task_new(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.TASK_ASSIGN):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    if request.method == "POST":
        data = {
            k: request.POST.get(k, "")
            for k in (
                "title",
                "description",
                "area_code",
                "unit",
                "task_force",
                "priority",
                "evidence_required",
            )
        }
        due = parse_datetime(request.POST.get("due_at", "")[:40])
        data["due_at"] = timezone.make_aware(due) if due is not None and timezone.is_naive(due) else due
        for field in ("assignee_id", "unit_head_id"):
            raw = request.POST.get(field, "")
            data[field] = int(raw) if raw.isdigit() and len(raw) < 18 else None
        try:
            task = tasks_service.task_assign(actor=request.user, data=data, request=request)  # type: ignore[arg-type]
        except ServiceError as exc:
            return error_page(request, exc)
        return redirect("command:task", pk=task.pk)
    return render(request, "command/task_new.html", {"priorities": Priority.choices})


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        task = selectors.task_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
    user = request.user
    return render(
        request,
        "command/task.html",
        {
            "task": task,
            "events": list(task.events.select_related("actor")),
            "can_accept": tasks_service._can_accept(user, task),  # type: ignore[arg-type]
            "can_work": tasks_service._can_work(user, task),  # type: ignore[arg-type]
        },
    )


@login_required
@require_POST
def task_act(request: HttpRequest, pk: int) -> HttpResponse:
    """One form, one step: progress, submit (with evidence), accept, return, reopen."""
    step = request.POST.get("step", "")
    note = request.POST.get("note", "")[:2000]
    try:
        task = selectors.task_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        actor = request.user
        if step == "progress":
            tasks_service.task_progress(actor=actor, task=task, note=note, request=request)  # type: ignore[arg-type]
        elif step == "submit":
            tasks_service.task_submit(actor=actor, task=task, evidence=note, request=request)  # type: ignore[arg-type]
        elif step in ("accept", "return"):
            tasks_service.task_accept(
                actor=actor, task=task, accept=step == "accept", note=note, request=request
            )  # type: ignore[arg-type]
        elif step == "reopen":
            tasks_service.task_reopen(actor=actor, task=task, note=note, request=request)  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("command:task", pk=pk)


# ---- accountability and the duty roster ---------------------------------------------------------------------------


@login_required
def accountability(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.ACCOUNTABILITY_VIEW):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    if request.method == "POST":
        data = {
            k: request.POST.get(k, "")
            for k in ("area_code", "what_happened", "responsible", "decision", "decision_note")
        }
        raw = request.POST.get("task_id", "")
        data["task_id"] = int(raw) if raw.isdigit() and len(raw) < 18 else None
        try:
            tasks_service.accountability_record(actor=request.user, data=data, request=request)  # type: ignore[arg-type]
        except ServiceError as exc:
            return error_page(request, exc)
        return redirect("command:accountability")
    rows = selectors.accountability_list(user=request.user, request=request)  # type: ignore[arg-type]
    return render(
        request,
        "command/accountability.html",
        {
            "records": rows,
            "decisions": AccountabilityDecision.choices,
            "can_record": has_perm_anywhere(request.user, Perm.ACCOUNTABILITY_CHANGE),  # type: ignore[arg-type]
        },
    )


@login_required
def duty(request: HttpRequest) -> HttpResponse:
    can_manage = has_perm_anywhere(request.user, Perm.DUTY_MANAGE)  # type: ignore[arg-type]
    if not (can_manage or has_perm_anywhere(request.user, Perm.TASK_VIEW)):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(request.POST.get("day", "")[:10])
        except ValueError:
            from apps.common.errors import ValidationFailed

            return error_page(
                request, ValidationFailed("invalid", "a date", [{"field": "day", "message": "a date"}])
            )
        try:
            tasks_service.duty_shift_set(
                actor=request.user,  # type: ignore[arg-type]
                day=day,
                area_code=request.POST.get("area_code", ""),
                leader=request.POST.get("leader", ""),
                deputy=request.POST.get("deputy", ""),
                phone=request.POST.get("phone", ""),
                request=request,
            )
        except ServiceError as exc:
            return error_page(request, exc)
        return redirect("command:duty")
    start = timezone.localdate()
    return render(
        request,
        "command/duty.html",
        {
            "shifts": selectors.duty_roster(user=request.user, start=start),
            "can_manage": can_manage,
            "today": start,
        },  # type: ignore[arg-type]
    )


# ---- the headquarters dashboard -------------------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """指挥部一张图: both tracks' figures for an area, by child area on a map, a chart and a table; `?wall=1` rotates
    the views for a projector."""
    from apps.command import dashboard as board

    user = request.user
    if not has_perm_anywhere(user, Perm.COMMAND_DASHBOARD):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    area = request.GET.get("area", "").strip()[:12]
    if area and not (area.isdigit() and len(area) in (6, 9, 12)):
        area = ""
    figures = board.visible_figures(user)  # type: ignore[arg-type]
    shown = board.figure_values(user=user, area=area, figures=figures)  # type: ignore[arg-type]
    children = board.child_areas(user=user, area=area)  # type: ignore[arg-type]
    split = board.split_figures(figures)
    table = board.district_table(user=user, area=area, children=children, figures=split)  # type: ignore[arg-type]
    chosen = next((f for f in split if f.key == request.GET.get("map")), split[0] if split else None)
    chart = {
        "labels": [row["area"].name_zh for row in table],
        "values": [
            c["value"] for row in table for c in row["cells"] if chosen and c["figure"].key == chosen.key
        ],
        "title": str(chosen.label) if chosen else "",
    }
    return render(
        request,
        "command/dashboard.html",
        {
            "tracks": board.by_track(shown),
            "area": area,
            "crumbs": board.breadcrumbs(area),
            "split": split,
            "table": table,
            "chosen": chosen,
            "map": board.dashboard_map(children=children, figure=chosen, table=table),
            "chart": chart,
            "wall": request.GET.get("wall") == "1",
            "duty": selectors.duty_today(user=user),  # type: ignore[arg-type]
            "now": timezone.localtime(),
        },
    )


# ---- the daily briefing (疫情通报) ----------------------------------------------------------------------------------


def _published() -> Any:
    from apps.command.models import Briefing

    return Briefing.objects.filter(status="published").order_by("-day")


def briefing_public_list(request: HttpRequest) -> HttpResponse:
    """Published briefings: public, no sign-in (及时、准确、公开、透明地发布信息)."""
    return render(request, "command/briefing_list.html", {"briefings": _published()[:120]})


def briefing_public(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _published().filter(pk=pk).first()
    if briefing is None:
        return error_page(request, _not_found())
    return render(request, "command/briefing.html", {"b": briefing, "print": request.GET.get("print") == "1"})


def briefing_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from django.template.loader import render_to_string

    from apps.command.briefing import briefing_pdf as render_pdf

    briefing = _published().filter(pk=pk).first()
    if briefing is None:
        return error_page(request, _not_found())
    if not briefing.pdf:
        html = render_to_string("command/briefing_print.html", {"b": briefing}, request=request)
        briefing.pdf = render_pdf(html)
        briefing.save(update_fields=["pdf"])
    response = HttpResponse(bytes(briefing.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="briefing-{briefing.day.isoformat()}.pdf"'
    return response


def _not_found() -> ServiceError:
    from apps.common.errors import NotFound

    return NotFound("not_found", "no such briefing")


@login_required
def briefing_manage(request: HttpRequest) -> HttpResponse:
    from apps.command import briefing as svc
    from apps.command.models import Briefing

    if not has_perm_anywhere(request.user, Perm.BRIEFING_EDIT):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    if request.method == "POST":
        try:
            pk = request.POST.get("pk", "")
            step = request.POST.get("step", "")
            if step == "draft":
                svc.briefing_draft(actor=request.user, request=request)  # type: ignore[arg-type]
            else:
                b = Briefing.objects.get(pk=int(pk)) if pk.isdigit() and len(pk) < 18 else None
                if b is None:
                    raise _not_found()
                if step == "edit":
                    svc.briefing_edit(
                        actor=request.user,  # type: ignore[arg-type]
                        briefing=b,
                        text_zh=request.POST.get("text_zh", ""),
                        text_en=request.POST.get("text_en", ""),
                        request=request,
                    )
                elif step in ("approve", "publish"):
                    svc.briefing_approve(
                        actor=request.user, briefing=b, publish=step == "publish", request=request
                    )  # type: ignore[arg-type]
        except (ServiceError, Briefing.DoesNotExist) as exc:
            return error_page(request, exc if isinstance(exc, ServiceError) else _not_found())
        return redirect("command:briefing_manage")
    return render(
        request,
        "command/briefing_manage.html",
        {
            "briefings": Briefing.objects.order_by("-day")[:30],
            "cutoff": svc.cutoff_day(),
            "can_approve": has_perm_anywhere(request.user, Perm.BRIEFING_APPROVE),  # type: ignore[arg-type]
        },
    )


@login_required
def supplies_page(request: HttpRequest) -> HttpResponse:
    from apps.command import supplies

    if not has_perm_anywhere(request.user, Perm.SUPPLY_VIEW):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    area = request.GET.get("area", "").strip()[:12]
    low = request.GET.get("low") == "1"
    levels = list(supplies.stock_levels(user=request.user, area=area, low=low)[:500])  # type: ignore[arg-type]
    burn = supplies.burn_rates(levels)
    rows = [
        {
            "level": lv,
            "burn": round(burn[lv.pk], 1),
            "days": supplies.days_of_supply(lv.quantity, burn[lv.pk]),
        }
        for lv in levels
    ]
    return render(request, "command/supplies.html", {"rows": rows, "area": area, "low": low})
