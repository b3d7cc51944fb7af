"""One way to answer a CSV/XLSX export over HTTP (core.tabular writes the bytes), audited through a hook.

apps.common is the base layer and imports no other app. The audit log lives in apps.accounts, which registers the
recorder of exports (`register_export_recorder`) in its AppConfig.ready; an export with no recorder registered is
refused rather than left unaudited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from apps.common.errors import ValidationFailed
from core import tabular

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportRecorder(Protocol):
    """Records one export (who, what, how many rows, which filters) in the audit log."""

    def __call__(
        self,
        *,
        user: Any,
        object_type: str,
        object_repr: str,
        after: dict[str, Any],
        request: HttpRequest | None,
    ) -> None: ...


_recorder: ExportRecorder | None = None


def register_export_recorder(recorder: ExportRecorder) -> None:
    """Set the function that audits every export (apps.accounts does, at start-up)."""
    global _recorder
    _recorder = recorder


def table_response(
    *,
    user: AbstractBaseUser,
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
    if _recorder is None:
        raise ImproperlyConfigured("no export recorder is registered: exports must be audited")
    data = [list(r) for r in rows]
    if fmt == "csv":
        body, content_type = tabular.write_csv(header, data), "text/csv; charset=utf-8"
    else:
        body, content_type = tabular.write_xlsx(header, data, name[:31]), XLSX
    _recorder(
        user=user,
        object_type=object_type,
        object_repr=f"{len(data)} {name}",
        after={"rows": len(data), "format": fmt, **(filters or {})},
        request=request,
    )
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response
