"""Exports of the enterprises app as CSV or XLSX: masked contacts, scoped to the export permission, audited."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction
from apps.accounts.models import User
from apps.common.errors import ValidationFailed
from core import tabular

EXPORT_LIMIT = 1_000_000

ENTERPRISE_HEADER = [
    "id",
    "credit_code",
    "name",
    "industry_section",
    "area_code",
    "district",
    "size_class",
    "above_designated",
    "employees",
    "annual_revenue",
    "contact_name",
    "contact_phone",
    "status",
    "staff_share_back",
    "capacity_used",
]
ENTERPRISE_VALUES = (
    "id",
    "credit_code",
    "name",
    "industry_section",
    "area_id",
    "district",
    "size_class",
    "above_designated",
    "employees",
    "annual_revenue",
    "contact_name_masked",
    "contact_phone_masked",
    "status",
    "staff_share_back",
    "capacity_used",
)


def table_response(
    *,
    user: User,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    name: str,
    fmt: str,
    object_type: str,
    filters: dict[str, str],
    request: HttpRequest | None = None,
) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed("bad_format", "format is csv or xlsx")
    data = [list(r) for r in rows]
    if fmt == "csv":
        body, content_type = tabular.write_csv(header, data), "text/csv; charset=utf-8"
    else:
        body = tabular.write_xlsx(header, data, name)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type=object_type,
        object_repr=f"{len(data)} {name}",
        after={"rows": len(data), "format": fmt, **filters},
        request=request,
    )
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response
