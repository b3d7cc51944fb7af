"""Reads of the command app, every one scoped to the caller's jurisdiction in SQL."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm
from apps.accounts.models import User
from apps.accounts.scoping import area_q, jurisdiction_prefixes
from apps.command.choices import TaskStatus
from apps.command.models import AccountabilityRecord, DutyShift, Task
from apps.common.errors import NotFound
from core import geocodes


def tasks_list(
    *,
    user: User,
    area: str = "",
    status: str = "",
    overdue: bool = False,
    source: str = "",
    priority: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Task]:
    """Tasks the user may see; `status` "active" means not closed; `overdue` unclosed past the deadline."""
    qs = Task.objects.visible_to(user)
    if area:
        qs = qs.filter(area__code__startswith=area)
    if status == "active":
        qs = qs.exclude(status=TaskStatus.CLOSED)
    elif status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.exclude(status=TaskStatus.CLOSED).filter(due_at__lt=now or timezone.now())
    if source == "manual":
        qs = qs.filter(source_ref="")
    elif source:
        qs = qs.filter(source_ref__startswith=f"{source}.")
    if priority:
        qs = qs.filter(priority=priority)
    return qs.select_related("area", "assignee", "assigned_by").order_by("due_at", "id")


def task_get(*, user: User, pk: int) -> Task:
    task = tasks_list(user=user).filter(pk=pk).first()
    if task is None:
        raise NotFound("not_found", "no such task in your jurisdiction")
    return task


def accountability_list(
    *, user: User, area: str = "", request: HttpRequest | None = None
) -> list[AccountabilityRecord]:
    """Accountability records of the user's jurisdiction; every read of them is in the audit log."""
    qs = AccountabilityRecord.objects.filter(area_q(user, Perm.ACCOUNTABILITY_VIEW))
    if area:
        qs = qs.filter(area__code__startswith=area)
    rows = list(qs.select_related("area", "task", "recorded_by")[:200])
    audit_record(
        actor=user,
        action=AuditAction.REVEAL,
        object_type="command.accountabilityrecord",
        object_repr="accountability records",
        after={"ids": [r.pk for r in rows], "area": area},
        request=request,
    )
    return rows


def _roster_areas_q(user: User) -> Q:
    """Shifts of the user's areas, of areas under them, and of the areas above them (the city's leader on duty
    heads every district's day too)."""
    q = Q(pk__in=[])
    for prefix in jurisdiction_prefixes(user):
        q |= Q(area__code__startswith=prefix)
        code: str | None = prefix + "0" * {2: 4, 4: 2}.get(len(prefix), 0)
        ancestors = []
        while code is not None:
            code = geocodes.parent_code(code)
            if code is not None:
                ancestors.append(code)
        q |= Q(area_id__in=ancestors)
    return q


def duty_roster(*, user: User, start: dt.date, days: int = 14) -> QuerySet[DutyShift]:
    return (
        DutyShift.objects.filter(day__gte=start, day__lt=start + dt.timedelta(days=days))
        .filter(_roster_areas_q(user))
        .select_related("area")
        .order_by("day", "area_id")
    )


def duty_today(*, user: User, day: dt.date | None = None) -> DutyShift | None:
    """The leader on duty today for the user's widest area (the city's roster for the headquarters)."""
    day = day or timezone.localdate()
    shifts = list(duty_roster(user=user, start=day, days=1))
    return min(shifts, key=lambda s: len(s.area_id.rstrip("0"))) if shifts else None
