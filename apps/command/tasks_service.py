"""Supervised tasks (督办) in one module: assignment, progress, evidence and acceptance, reopening, the escalation
ladder (reminder → unit head → headquarters, on core.sla's levels), tasks raised by other modules' sources, and
accountability records (问责). Every write is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm
from apps.accounts.models import User
from apps.accounts.scoping import has_perm_at
from apps.command.choices import (
    TASK_TRANSITIONS,
    AccountabilityDecision,
    Priority,
    TaskEventKind,
    TaskLevel,
    TaskStatus,
)
from apps.command.models import AccountabilityRecord, DutyShift, Task, TaskEvent
from apps.common.errors import Conflict, Forbidden, ValidationFailed
from apps.common.notify import notify
from apps.geo.models import Area
from core import sla


def unit_head_after() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "TONGCHOU_TASK_UNIT_HEAD_AFTER_HOURS", 4))


def hq_after() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "TONGCHOU_TASK_HQ_AFTER_HOURS", 24))


def default_due(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(hours=getattr(settings, "TONGCHOU_TASK_DEFAULT_HOURS", 24))


def task_level(due: dt.datetime, at: dt.datetime) -> TaskLevel:
    """The ladder at `at`: past the deadline a reminder; past the unit head's grace the unit head; then the HQ."""
    if at <= due:
        return TaskLevel.ON_TIME
    core_level = sla.escalation_level(
        due + unit_head_after(), at, headquarters_after=max(hq_after() - unit_head_after(), dt.timedelta(0))
    )
    return TaskLevel(TaskLevel.REMINDED + int(core_level))


def _event(task: Task, kind: str, actor: User | None, note: str = "", at: dt.datetime | None = None) -> None:
    TaskEvent.objects.create(
        task=task, kind=kind, actor=actor, note=note[:2000], level=task.level, at=at or timezone.now()
    )


def _move(task: Task, kind: str) -> None:
    to = TASK_TRANSITIONS[task.status].get(kind)
    if to is None:
        raise Conflict("bad_transition", f"a {task.status} task cannot take the step {kind}")
    task.status = to


def _area(code: str) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise ValidationFailed(
            "unknown_area", "unknown area", [{"field": "area_code", "message": "unknown area"}]
        )
    return area


def _tell_assignee(task: Task, title: str, severity: str = "info") -> None:
    """To the official if named, else to the officers who work on tasks of the area."""
    users = [task.assignee_id] if task.assignee_id else []
    notify(
        kind="command.task",
        title=title,
        params={"task": task.title},
        area_code="" if users else task.area_id,
        perm="" if users else Perm.TASK_VIEW,
        user_ids=users,
        severity=severity,
        link=f"/command/tasks/{task.pk}/",
        source_ref=f"command.task:{task.pk}",
    )


@transaction.atomic
def task_assign(
    *, actor: User, data: dict[str, Any], now: dt.datetime | None = None, request: HttpRequest | None = None
) -> Task:
    """The headquarters (or a task force) assigns a task to a unit or an official of an area."""
    area = _area(str(data.get("area_code", "")))
    if not has_perm_at(actor, Perm.TASK_ASSIGN, area.code):
        raise Forbidden("forbidden", "you cannot assign tasks in this area")
    now = now or timezone.now()
    errors = []
    title = str(data.get("title", "")).strip()
    if not title:
        errors.append({"field": "title", "message": "required"})
    due_at = data.get("due_at")
    if not isinstance(due_at, dt.datetime) or due_at <= now:
        errors.append({"field": "due_at", "message": "a deadline in the future"})
    priority = data.get("priority", Priority.NORMAL)
    if priority not in Priority.values:
        errors.append({"field": "priority", "message": "unknown priority"})
    if not (data.get("unit") or data.get("assignee_id")):
        errors.append({"field": "unit", "message": "a unit or an official"})
    assignee = unit_head = None
    for field in ("assignee_id", "unit_head_id"):
        if data.get(field):
            user = User.objects.filter(pk=data[field], is_active=True).first()
            if user is None:
                errors.append({"field": field, "message": "unknown user"})
            elif field == "assignee_id":
                assignee = user
            else:
                unit_head = user
    if errors:
        raise ValidationFailed("invalid", "the task is incomplete", errors)
    task = Task.objects.create(
        title=title[:200],
        description=str(data.get("description", ""))[:5000],
        area=area,
        unit=str(data.get("unit", ""))[:200],
        assignee=assignee,
        unit_head=unit_head,
        assigned_by=actor,
        task_force=str(data.get("task_force", ""))[:200],
        priority=priority,
        due_at=due_at,
        evidence_required=str(data.get("evidence_required", ""))[:2000],
        created_at=now,
    )
    _event(task, TaskEventKind.ASSIGNED, actor, at=now)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=task, request=request)
    _tell_assignee(task, gettext_noop("New supervised task: %(task)s"), "warning")
    return task


def _can_work(user: User, task: Task) -> bool:
    return user.pk in (task.assignee_id, task.unit_head_id) or has_perm_at(user, Perm.TASK_VIEW, task.area_id)


def _can_accept(user: User, task: Task) -> bool:
    """The assigner accepts; a task raised by a source is accepted by the headquarters of its area."""
    if task.assigned_by_id is not None:
        return user.pk == task.assigned_by_id
    return has_perm_at(user, Perm.TASK_ASSIGN, task.area_id)


def _locked(task: Task) -> Task:
    return Task.objects.select_for_update().get(pk=task.pk)


@transaction.atomic
def task_progress(*, actor: User, task: Task, note: str, request: HttpRequest | None = None) -> Task:
    task = _locked(task)
    if not _can_work(actor, task):
        raise Forbidden("forbidden", "you do not work on this task")
    if not note.strip():
        raise ValidationFailed(
            "required", "the progress note is empty", [{"field": "note", "message": "required"}]
        )
    _move(task, TaskEventKind.PROGRESS)
    _event(task, TaskEventKind.PROGRESS, actor, note.strip())
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=task, fields=["progress"], request=request)
    return task


@transaction.atomic
def task_submit(*, actor: User, task: Task, evidence: str, request: HttpRequest | None = None) -> Task:
    """The assignee says it is done and shows the evidence; the assigner then accepts or returns it."""
    task = _locked(task)
    if not _can_work(actor, task):
        raise Forbidden("forbidden", "you do not work on this task")
    if not evidence.strip():
        raise ValidationFailed(
            "evidence_required", "closing needs the evidence", [{"field": "evidence", "message": "required"}]
        )
    _move(task, TaskEventKind.SUBMITTED)
    task.evidence = evidence.strip()[:2000]
    task.save(update_fields=["status", "evidence"])
    _event(task, TaskEventKind.SUBMITTED, actor, task.evidence)
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=task, fields=["status", "evidence"], request=request
    )
    return task


@transaction.atomic
def task_accept(
    *, actor: User, task: Task, accept: bool = True, note: str = "", request: HttpRequest | None = None
) -> Task:
    task = _locked(task)
    if not _can_accept(actor, task):
        raise Forbidden("not_assigner", "only the assigner accepts this task")
    kind = TaskEventKind.ACCEPTED if accept else TaskEventKind.RETURNED
    _move(task, kind)
    task.closed_at = timezone.now() if accept else None
    task.save(update_fields=["status", "closed_at"])
    _event(task, kind, actor, note)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=task, fields=["status"], request=request)
    if accept:
        from apps.common.notify import notify_resolved

        notify_resolved(f"command.task:{task.pk}")
    else:
        _tell_assignee(task, gettext_noop("Task returned, not accepted: %(task)s"), "warning")
    return task


@transaction.atomic
def task_reopen(
    *,
    actor: User,
    task: Task,
    note: str,
    due_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Task:
    """A closed task is opened again (the problem came back); the reopening and its reason are recorded."""
    task = _locked(task)
    if not _can_accept(actor, task):
        raise Forbidden("not_assigner", "only the assigner accepts this task")
    if not note.strip():
        raise ValidationFailed(
            "required", "say why the task is reopened", [{"field": "note", "message": "required"}]
        )
    _move(task, TaskEventKind.REOPENED)
    now = timezone.now()
    if due_at is not None:
        if due_at <= now:
            raise ValidationFailed(
                "invalid",
                "the task is incomplete",
                [{"field": "due_at", "message": "a deadline in the future"}],
            )
        task.due_at, task.level = due_at, TaskLevel.ON_TIME
    try:
        with transaction.atomic():
            task.closed_at, task.reopened = None, task.reopened + 1
            task.save(update_fields=["status", "closed_at", "reopened", "due_at", "level"])
    except IntegrityError as exc:  # a newer task of the same source is open
        raise Conflict("source_has_open_task", "another open task follows this source") from exc
    _event(task, TaskEventKind.REOPENED, actor, note.strip())
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=task,
        fields=["status"],
        reason=note[:200],
        request=request,
    )
    return task


_LEVEL_TITLES = {
    TaskLevel.REMINDED: gettext_noop("Reminder: task overdue: %(task)s"),
    TaskLevel.UNIT_HEAD: gettext_noop("Overdue task escalated to the unit head: %(task)s"),
    TaskLevel.HEADQUARTERS: gettext_noop("Overdue task escalated to the headquarters: %(task)s"),
}


def _tell_level(task: Task, level: TaskLevel) -> None:
    base = {
        "kind": "command.task_escalated",
        "title": _LEVEL_TITLES[level],
        "params": {"task": task.title},
        "link": f"/command/tasks/{task.pk}/",
        "source_ref": f"command.task:{task.pk}",
    }
    if level == TaskLevel.REMINDED:
        _tell_assignee(task, _LEVEL_TITLES[level], "warning")
    elif level == TaskLevel.UNIT_HEAD:
        if task.unit_head_id:
            notify(**base, user_ids=[task.unit_head_id], severity="warning")
        else:  # no named head: the district officers who supervise tasks of the area
            notify(**base, area_code=task.area_id, perm=Perm.TASK_VIEW, severity="warning")
    else:
        notify(**base, area_code=task.area_id, perm=Perm.TASK_ASSIGN, severity="urgent")


def tasks_escalate(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Move every overdue unclosed task up the ladder; each step is recorded and told once (re-runs change nothing)."""
    at = now or timezone.now()
    counts = {level.name.lower(): 0 for level in TaskLevel if level}
    candidates = Task.objects.exclude(status=TaskStatus.CLOSED).filter(
        due_at__lt=at, level__lt=TaskLevel.HEADQUARTERS
    )
    for pk in list(candidates.values_list("pk", flat=True)):
        with transaction.atomic():
            task = Task.objects.select_for_update().get(pk=pk)
            if task.status == TaskStatus.CLOSED:
                continue
            level = task_level(task.due_at, at)
            if level <= task.level:
                continue
            for step in range(task.level + 1, level + 1):
                task.level = step
                counts[TaskLevel(step).name.lower()] += 1
                _event(task, TaskEventKind.ESCALATED, None, at=at)
                audit_record(actor=None, action=AuditAction.ESCALATE, obj=task, after={"level": step})
                _tell_level(task, TaskLevel(step))
            task.save(update_fields=["level"])
    return counts


# ---- tasks raised by other modules (apps.common.supervision) ---------------------------------------------------


def task_raise_from_source(
    *,
    source_ref: str,
    title: str,
    area_code: str,
    description: str,
    due_at: dt.datetime | None,
    priority: str,
    evidence_required: str,
    link: str,
) -> Task:
    """Open the task of a source, or return its open one (one open task per source, by constraint)."""
    existing = Task.objects.filter(source_ref=source_ref).exclude(status=TaskStatus.CLOSED).first()
    if existing is not None:
        return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            task = Task.objects.create(
                title=title[:200],
                description=description[:5000],
                area_id=area_code,
                priority=priority,
                due_at=due_at or default_due(now),
                evidence_required=evidence_required[:2000],
                source_ref=source_ref[:100],
                link=link[:300],
                created_at=now,
            )
    except IntegrityError:  # raised at the same moment by another worker
        return Task.objects.filter(source_ref=source_ref).exclude(status=TaskStatus.CLOSED).get()
    _event(task, TaskEventKind.ASSIGNED, None, source_ref, at=now)
    audit_record(actor=None, action=AuditAction.CREATE, obj=task, after={"source": source_ref})
    _tell_assignee(task, gettext_noop("New supervised task: %(task)s"), "warning")
    return task


def task_resolve_source(source_ref: str, note: str = "") -> int:
    closed = 0
    for pk in (
        Task.objects.filter(source_ref=source_ref)
        .exclude(status=TaskStatus.CLOSED)
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            task = Task.objects.select_for_update().get(pk=pk)
            _move(task, TaskEventKind.SOURCE_RESOLVED)
            task.closed_at = timezone.now()
            task.save(update_fields=["status", "closed_at"])
            _event(task, TaskEventKind.SOURCE_RESOLVED, None, note or source_ref)
            audit_record(
                actor=None,
                action=AuditAction.UPDATE,
                obj=task,
                fields=["status"],
                after={"source": source_ref},
            )
            closed += 1
    if closed:
        from apps.common.notify import notify_resolved

        for pk in Task.objects.filter(source_ref=source_ref).values_list("pk", flat=True):
            notify_resolved(f"command.task:{pk}")
    return closed


# ---- accountability (问责) and the duty roster (日带班) ---------------------------------------------------------


@transaction.atomic
def accountability_record(
    *, actor: User, data: dict[str, Any], request: HttpRequest | None = None
) -> AccountabilityRecord:
    area = _area(str(data.get("area_code", "")))
    if not has_perm_at(actor, Perm.ACCOUNTABILITY_CHANGE, area.code):
        raise Forbidden("forbidden", "you cannot record accountability in this area")
    errors = [
        {"field": f, "message": "required"}
        for f in ("what_happened", "responsible")
        if not str(data.get(f, "")).strip()
    ]
    decision = data.get("decision", AccountabilityDecision.PENDING)
    if decision not in AccountabilityDecision.values:
        errors.append({"field": "decision", "message": "unknown decision"})
    task = None
    if data.get("task_id"):
        task = Task.objects.filter(pk=data["task_id"], area__code__startswith=area.code).first()
        if task is None:
            errors.append({"field": "task_id", "message": "no such task in this area"})
    if errors:
        raise ValidationFailed("invalid", "the record is incomplete", errors)
    record = AccountabilityRecord.objects.create(
        area=area,
        task=task,
        what_happened=str(data["what_happened"]).strip()[:5000],
        responsible=str(data["responsible"]).strip()[:200],
        decision=decision,
        decision_note=str(data.get("decision_note", ""))[:2000],
        recorded_by=actor,
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=record, request=request)
    return record


@transaction.atomic
def duty_shift_set(
    *,
    actor: User,
    day: dt.date,
    area_code: str,
    leader: str,
    deputy: str = "",
    phone: str = "",
    request: HttpRequest | None = None,
) -> DutyShift:
    area = _area(area_code)
    if not has_perm_at(actor, Perm.DUTY_MANAGE, area.code):
        raise Forbidden("forbidden", "you cannot manage the duty roster of this area")
    if not leader.strip():
        raise ValidationFailed(
            "required", "a leading official is required", [{"field": "leader", "message": "required"}]
        )
    shift, created = DutyShift.objects.update_or_create(
        day=day,
        area=area,
        defaults={"leader": leader.strip()[:200], "deputy": deputy.strip()[:200], "phone": phone[:40]},
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=shift, request=request
    )
    return shift
