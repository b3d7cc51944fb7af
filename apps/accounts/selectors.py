"""Reads of the accounts app: the audit log, scoped to the auditor's jurisdiction."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from apps.accounts.choices import Perm
from apps.accounts.models import AuditLog, User
from apps.accounts.scoping import grant_prefixes


def audit_entries(
    *,
    user: User,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditLog]:
    prefixes = grant_prefixes(user, Perm.AUDIT_VIEW)
    if not prefixes:
        return AuditLog.objects.none()
    q = Q()
    for prefix in prefixes:
        q |= Q(area_code__startswith=prefix)
    if any(len(p) <= 4 for p in prefixes):
        q |= Q(area_code="")  # city-wide auditors also see events that belong to no area (sign-ins, tokens)
    qs = AuditLog.objects.filter(q)
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_name=actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    return qs.order_by("-at", "-id")
