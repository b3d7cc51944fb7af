"""Write-time aggregates behind the economic dashboard: per-cell counters of the registry's resumption state
and per-day net changes, kept in the same transaction as every write, and rebuilt from scratch after bulk
loads (and to check them: the rebuild is the oracle the incremental path is tested against)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Substr

from apps.enterprises.choices import Status
from apps.enterprises.models import (
    CurveDay,
    Enterprise,
    EnterpriseReason,
    ReasonCell,
    ResumptionCell,
    StatusChange,
)

Key = tuple[str, str, str, bool]


@dataclass(frozen=True, slots=True)
class Contribution:
    key: Key
    fully: int
    partly: int
    employees: int
    employees_back: float
    capacity_resumed: float


def contribution(e: Enterprise) -> Contribution | None:
    """What one enterprise adds to its cell; an inactive one adds nothing (as in core.resumption)."""
    if not e.active:
        return None
    resumed = e.status != Status.NOT_RESUMED
    return Contribution(
        key=(e.district, e.industry_section, e.size_class, bool(e.above_designated)),
        fully=int(e.status == Status.FULLY),
        partly=int(e.status == Status.PARTLY),
        employees=e.employees,
        employees_back=e.employees * e.staff_share_back if resumed else 0.0,
        capacity_resumed=e.capacity_used if resumed else 0.0,
    )


def _add(c: Contribution, sign: int) -> None:
    district, industry, size, above = c.key
    cell, _ = ResumptionCell.objects.get_or_create(
        district=district, industry_section=industry, size_class=size, above_designated=above
    )
    ResumptionCell.objects.filter(pk=cell.pk).update(
        active=F("active") + sign,
        fully=F("fully") + sign * c.fully,
        partly=F("partly") + sign * c.partly,
        employees=F("employees") + sign * c.employees,
        employees_back=F("employees_back") + sign * c.employees_back,
        capacity_resumed=F("capacity_resumed") + sign * c.capacity_resumed,
    )


def cells_move(before: Contribution | None, after: Contribution | None) -> None:
    """Take an enterprise's old state out of its cell and put the new one in (inside the write's transaction)."""
    if before == after:
        return
    if before is not None:
        _add(before, -1)
    if after is not None:
        _add(after, +1)


def curve_add(*, day: object, district: str, above: bool, resumed: int, fully: int) -> None:
    if not resumed and not fully:
        return
    row, _ = CurveDay.objects.get_or_create(day=day, district=district, above_designated=above)
    CurveDay.objects.filter(pk=row.pk).update(resumed=F("resumed") + resumed, fully=F("fully") + fully)


def is_open(e: Enterprise) -> bool:
    """On the non-resumed list (未复工清单): active and not fully resumed."""
    return bool(e.active) and e.status != Status.FULLY


def reasons_add(district: str, reasons: list[str], sign: int) -> None:
    for reason in reasons:
        cell, _ = ReasonCell.objects.get_or_create(district=district, reason=reason)
        ReasonCell.objects.filter(pk=cell.pk).update(open_count=F("open_count") + sign)


def reasons_move(enterprise: Enterprise, *, was_open: bool, old_district: str) -> None:
    """After a status or district change: take the enterprise's reasons out of the old state, into the new."""
    now_open = is_open(enterprise)
    if (was_open, old_district) == (now_open, enterprise.district):
        return
    reasons = list(
        EnterpriseReason.objects.filter(enterprise_id=enterprise.pk).values_list("reason", flat=True)
    )
    if was_open:
        reasons_add(old_district, reasons, -1)
    if now_open:
        reasons_add(enterprise.district, reasons, +1)


@transaction.atomic
def aggregates_rebuild() -> dict[str, int]:
    """Recount every cell and day from the registry and the status history (after bulk loads and imports)."""
    resumed = ~Q(status=Status.NOT_RESUMED)
    cells = (
        Enterprise.objects.filter(active=True)
        .values("district", "industry_section", "size_class", "above_designated")
        .annotate(
            n=Count("id"),
            f=Count("id", filter=Q(status=Status.FULLY)),
            p=Count("id", filter=Q(status=Status.PARTLY)),
            staff=Sum("employees"),
            back=Sum(F("employees") * F("staff_share_back"), filter=resumed, output_field=FloatField()),
            cap=Sum("capacity_used", filter=resumed),
        )
        .order_by()
    )
    ResumptionCell.objects.all().delete()
    ResumptionCell.objects.bulk_create(
        [
            ResumptionCell(
                district=c["district"],
                industry_section=c["industry_section"],
                size_class=c["size_class"],
                above_designated=c["above_designated"],
                active=c["n"],
                fully=c["f"],
                partly=c["p"],
                employees=c["staff"] or 0,
                employees_back=c["back"] or 0.0,
                capacity_resumed=c["cap"] or 0.0,
            )
            for c in cells
        ]
    )
    days = (
        StatusChange.objects.annotate(d=Substr("area_id", 1, 6))
        .values("day", "d", "above_designated")
        .annotate(r=Sum("delta_resumed"), f=Sum("delta_fully"))
        .order_by()
    )
    CurveDay.objects.all().delete()
    CurveDay.objects.bulk_create(
        [
            CurveDay(
                day=d["day"],
                district=d["d"],
                above_designated=d["above_designated"],
                resumed=d["r"] or 0,
                fully=d["f"] or 0,
            )
            for d in days
            if d["r"] or d["f"]
        ],
        batch_size=5000,
    )
    reasons = (
        EnterpriseReason.objects.filter(enterprise__active=True)
        .exclude(enterprise__status=Status.FULLY)
        .values("enterprise__district", "reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    ReasonCell.objects.all().delete()
    ReasonCell.objects.bulk_create(
        [
            ReasonCell(district=r["enterprise__district"], reason=r["reason"], open_count=r["n"])
            for r in reasons
        ]
    )
    return {
        "cells": ResumptionCell.objects.count(),
        "days": CurveDay.objects.count(),
        "reasons": ReasonCell.objects.count(),
    }
