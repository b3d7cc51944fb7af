"""Export of persons as CSV or XLSX: masked, scoped to the export permission, and audited."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm
from apps.accounts.models import User
from apps.common.errors import ValidationFailed
from apps.people.selectors import persons_list
from core import tabular

EXPORT_HEADER = ["id", "name", "doc_type", "doc_number", "sex", "birth_date", "phone", "area_code",
                 "nationality", "household_id", "relation", "tags"]
EXPORT_LIMIT = 1_000_000


def persons_export(*, user: User, query: str, area: str, fmt: str, request: HttpRequest | None = None) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed("bad_format", "format is csv or xlsx")
    qs = persons_list(user=user, query=query, area=area, perm=Perm.PERSON_EXPORT).values_list(
        "id", "name_masked", "doc_type", "doc_masked", "sex", "birth_date", "phone_masked", "area_id",
        "nationality", "household_id", "relation", "tags",
    )[:EXPORT_LIMIT]
    rows = [[*r[:-1], ",".join(r[-1] or [])] for r in qs.iterator(chunk_size=5000)]
    if fmt == "csv":
        body, content_type = tabular.write_csv(EXPORT_HEADER, rows), "text/csv; charset=utf-8"
    else:
        body = tabular.write_xlsx(EXPORT_HEADER, rows, "persons")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit_record(actor=user, action=AuditAction.EXPORT, object_type="people.person", object_repr=f"{len(rows)} persons",
                 after={"rows": len(rows), "query": query, "area": area, "format": fmt}, request=request)
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="persons-{stamp}.{fmt}"'
    return response
