"""One way to answer a CSV/XLSX export over HTTP (core.tabular writes the bytes), audited by the caller's app."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction
from apps.accounts.models import User
from apps.common.errors import ValidationFailed
from core import tabular

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_response(
    *,
    user: User,
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    fmt: str,
    object_type: str,
    filters: dict[str, str] | None = None,
    request: HttpRequest | None = None,
) -> HttpResponse:
    """Write `rows` as CSV or XLSX, record the export in the audit log, and return the download."""
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed("bad_format", "format is csv or xlsx")
    data = [list(r) for r in rows]
    if fmt == "csv":
        body, content_type = tabular.write_csv(header, data), "text/csv; charset=utf-8"
    else:
        body, content_type = tabular.write_xlsx(header, data, name[:31]), XLSX
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type=object_type,
        object_repr=f"{len(data)} {name}",
        after={"rows": len(data), "format": fmt, **(filters or {})},
        request=request,
    )
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response
