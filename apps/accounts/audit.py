"""The one audit call: every reveal, import, export, merge and manual change goes through `audit_record`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from apps.accounts.choices import AuditAction
from apps.accounts.models import AuditLog, User

# The longest reason kept: callers pass the user's own words (a note, a justification), which the pages and the API
# cap at 5,000 characters; a longer one is cut here with a mark, so the log never grows by what a client sends.
AUDIT_REASON_MAX = 5_000


def _capped(reason: str) -> str:
    return reason if len(reason) <= AUDIT_REASON_MAX else reason[: AUDIT_REASON_MAX - 1] + "…"


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # Behind a reverse proxy the operator sets TONGCHOU_TRUST_X_FORWARDED_FOR; we do not trust it by default.
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    area_code: str = "",
    fields: list[str] | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> AuditLog:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        area_code = area_code or str(getattr(obj, "area_id", "") or "")
    return AuditLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        area_code=area_code,
        fields=fields or [],
        before=before,
        after=after,
        reason=_capped(reason),
        ip=client_ip(request),
    )


def record_export(
    *, user: User, object_type: str, object_repr: str, after: dict[str, Any], request: HttpRequest | None
) -> None:
    """The audit entry of one CSV/XLSX download (apps.common.exports calls it; registered in AccountsConfig.ready)."""
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type=object_type,
        object_repr=object_repr,
        after=after,
        request=request,
    )
