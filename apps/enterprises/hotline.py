"""The enterprise service hotline (企业服务热线) in one module: a ticket's life (open → replied → closed, or back
to open), its SLA deadline, escalation to the department head and then the headquarters (督办), and rating."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm
from apps.accounts.models import User
from apps.accounts.scoping import has_perm_at
from apps.common.errors import Conflict, Forbidden, ValidationFailed
from apps.common.idempotency import payload_digest, replay_or_conflict
from apps.common.supervision import raise_task, resolve_source
from apps.enterprises.choices import TICKET_TRANSITIONS, TicketEventKind, TicketStatus
from apps.enterprises.models import Enterprise, EnterpriseMember, Ticket, TicketCategory, TicketEvent
from apps.enterprises.services import enterprise_of
from core import sla

CALENDAR = sla.WorkingCalendar()


def hq_after() -> dt.timedelta:
    """How long past its deadline an open ticket waits before the headquarters supervises it."""
    return dt.timedelta(hours=getattr(settings, "HOTLINE_HQ_AFTER_HOURS", 24))


def ticket_deadline(category: TicketCategory, opened_at: dt.datetime) -> dt.datetime:
    return sla.deadline(
        opened_at, dt.timedelta(hours=category.sla_hours), CALENDAR if category.working_time else None
    )


def _move(ticket: Ticket, to: str) -> None:
    if to not in TICKET_TRANSITIONS[ticket.status]:
        raise Conflict("bad_transition", f"a {ticket.status} ticket cannot become {to}")
    ticket.status = to


def _is_member(user: User, enterprise_id: int) -> bool:
    return EnterpriseMember.objects.filter(user_id=user.pk, enterprise_id=enterprise_id).exists()


def can_handle(user: User, ticket: Ticket) -> bool:
    return has_perm_at(user, Perm.HOTLINE_HANDLE, ticket.area_id) or (
        ticket.department.head_id is not None and ticket.department.head_id == user.pk
    )


@transaction.atomic
def ticket_open(
    *,
    actor: User,
    data: dict[str, Any],
    enterprise: Enterprise | None = None,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Ticket:
    """An enterprise user raises a ticket for its own enterprise; a handler may log a call for any enterprise in
    its jurisdiction. The deadline comes from the category's SLA."""
    if enterprise is None:
        enterprise = enterprise_of(actor)
    elif not _is_member(actor, enterprise.pk) and not has_perm_at(
        actor, Perm.HOTLINE_HANDLE, enterprise.area_id
    ):
        raise Forbidden("outside_jurisdiction", "you may not raise tickets for this enterprise")
    client_id = str(data.get("client_id") or "").strip() or None
    digest = payload_digest({k: v for k, v in data.items() if k != "client_id"})
    if client_id:
        # The key is the submitter's own (as a commitment's is): another user's ticket with the same key never
        # answers for this one, and a retry must carry the same content (a reused key with new content is 409).
        earlier = Ticket.objects.filter(opened_by=actor, client_id=client_id).first()
        if earlier is not None:
            if earlier.enterprise_id != enterprise.pk:
                raise Conflict("client_id_taken", "this client id belongs to another ticket")
            replay_or_conflict(earlier.payload_digest, digest)
            return earlier
    errors = []
    category = (
        TicketCategory.objects.select_related("department")
        .filter(code=str(data.get("category") or ""))
        .first()
    )
    if category is None:
        errors.append({"field": "category", "code": "unknown_category", "message": "choose a category"})
    title = str(data.get("title") or "").strip()
    description = str(data.get("description") or "").strip()
    if not title:
        errors.append({"field": "title", "code": "required", "message": "required"})
    if not description:
        errors.append({"field": "description", "code": "required", "message": "required"})
    if errors or category is None:
        raise ValidationFailed("invalid_ticket", "the ticket has errors", errors)
    opened = now or timezone.now()
    ticket = Ticket.objects.create(
        enterprise=enterprise,
        area_id=enterprise.area_id,
        category=category,
        department=category.department,
        title=title[:200],
        description=description[:5000],
        opened_by=actor,
        opened_at=opened,
        due_at=ticket_deadline(category, opened),
        client_id=client_id,
        payload_digest=digest if client_id else "",
    )
    TicketEvent.objects.create(ticket=ticket, at=opened, kind=TicketEventKind.OPENED, actor=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=ticket, request=request)
    return ticket


@transaction.atomic
def ticket_reply(
    *,
    actor: User,
    ticket: Ticket,
    reply: str,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Ticket:
    ticket = Ticket.objects.select_for_update().select_related("department").get(pk=ticket.pk)
    if not can_handle(actor, ticket):
        raise Forbidden("not_handler", "you do not handle tickets of this area or department")
    if not reply.strip():
        raise ValidationFailed("required", "the reply is empty", [{"field": "reply", "message": "required"}])
    _move(ticket, TicketStatus.REPLIED)
    at = now or timezone.now()
    ticket.reply, ticket.replied_by, ticket.resolved_at = reply.strip(), actor, at
    ticket.save()
    TicketEvent.objects.create(
        ticket=ticket, at=at, kind=TicketEventKind.REPLIED, actor=actor, note=reply[:2000], level=ticket.level
    )
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=ticket, fields=["reply"], request=request)
    resolve_source(f"enterprises.ticket:{ticket.pk}", gettext_noop("The ticket was answered."))
    return ticket


@transaction.atomic
def ticket_rate(
    *, actor: User, ticket: Ticket, satisfaction: int, comment: str = "", request: HttpRequest | None = None
) -> Ticket:
    """The enterprise rates the reply 1..5 and the ticket closes."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not _is_member(actor, ticket.enterprise_id):
        raise Forbidden("not_enterprise", "only the enterprise that raised the ticket rates the reply")
    if not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5:
        raise ValidationFailed(
            "bad_rating", "satisfaction is rated 1 to 5", [{"field": "satisfaction", "message": "1..5"}]
        )
    _move(ticket, TicketStatus.CLOSED)
    ticket.satisfaction, ticket.rating_comment = satisfaction, comment[:300]
    ticket.save()
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEventKind.RATED,
        actor=actor,
        note=f"{satisfaction}/5 {comment}"[:2000],
        level=ticket.level,
    )
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=ticket, fields=["satisfaction"], request=request)
    return ticket


@transaction.atomic
def ticket_reopen(
    *, actor: User, ticket: Ticket, comment: str = "", request: HttpRequest | None = None
) -> Ticket:
    """The enterprise says the reply did not solve it: the ticket is open again, with the same deadline."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not _is_member(actor, ticket.enterprise_id):
        raise Forbidden("not_enterprise", "only the enterprise that raised the ticket can reopen it")
    _move(ticket, TicketStatus.OPEN)
    ticket.resolved_at = None
    ticket.save()
    TicketEvent.objects.create(
        ticket=ticket, kind=TicketEventKind.REOPENED, actor=actor, note=comment[:2000], level=ticket.level
    )
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=ticket, fields=["status"], request=request)
    return ticket


def _supervise(ticket: Ticket) -> None:
    """督办: a ticket the headquarters takes over becomes a supervised task (apps.common.supervision)."""
    raise_task(
        source_ref=f"enterprises.ticket:{ticket.pk}",
        title=ticket.title[:200],
        description=gettext_noop("The hotline ticket is overdue and the headquarters supervises it."),
        area_code=ticket.area_id,
        priority="high",
        evidence_required=gettext_noop("The reply sent to the enterprise."),
        link=f"/enterprises/tickets/{ticket.pk}/",
    )


def tickets_escalate(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Raise every overdue open ticket to the level core.sla gives it; each step is recorded once.

    Run by the scheduled task and by `manage.py escalate_tickets`; running it twice changes nothing more.
    """
    at = now or timezone.now()
    counts = {"department_head": 0, "headquarters": 0}
    overdue = Ticket.objects.filter(
        status=TicketStatus.OPEN, due_at__lt=at, level__lt=sla.EscalationLevel.HEADQUARTERS
    )
    for pk in list(overdue.values_list("pk", flat=True)):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().select_related("department").get(pk=pk)
            if ticket.status != TicketStatus.OPEN:
                continue
            level = sla.escalation_level(ticket.due_at, at, headquarters_after=hq_after())
            if level <= ticket.level:
                continue
            for step in range(ticket.level + 1, level + 1):
                name = sla.EscalationLevel(step).name.lower()
                counts[name] += 1
                who = ticket.department.name if step == sla.EscalationLevel.DEPARTMENT_HEAD else "HQ"
                TicketEvent.objects.create(
                    ticket=ticket,
                    at=at,
                    kind=TicketEventKind.ESCALATED,
                    level=step,
                    note=f"overdue since {ticket.due_at.isoformat()}; escalated to {who}",
                )
                audit_record(actor=None, action=AuditAction.ESCALATE, obj=ticket, after={"level": step})
                if step == sla.EscalationLevel.HEADQUARTERS:
                    _supervise(ticket)
            ticket.level, ticket.escalated_at = level, at
            ticket.save(update_fields=["level", "escalated_at"])
    return counts
