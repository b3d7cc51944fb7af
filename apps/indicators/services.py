"""Writes of dekad indicators: the catalogue, targets, and district reports judged on time or late."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm
from apps.accounts.models import User
from apps.accounts.scoping import grant_prefixes, has_perm_at
from apps.common.errors import Forbidden, NotFound, ValidationFailed
from apps.geo.choices import AreaLevel
from apps.geo.models import Area
from apps.indicators.choices import Frequency, Kind
from apps.indicators.models import Indicator, Report, Target
from core import dekad as dk


def _number(value: Any, field: str = "value") -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            "invalid", f"{field} is not a number", [{"field": field, "message": "not a number"}]
        ) from None
    if not d.is_finite() or abs(d) >= Decimal("1e14"):  # the column holds 14 integer digits
        raise ValidationFailed(
            "invalid", f"{field} is not a number", [{"field": field, "message": "not a number"}]
        )
    return d


def _district(code: str) -> Area:
    area = Area.objects.filter(code=code, level=AreaLevel.DISTRICT).first()
    if area is None:
        raise ValidationFailed(
            "not_a_district", f"{code} is not a district", [{"field": "area_code", "message": "unknown"}]
        )
    return area


def _require_city(actor: User) -> None:
    if not any(len(p) <= 4 for p in grant_prefixes(actor, Perm.INDICATOR_MANAGE)):
        raise Forbidden("forbidden", "only the city headquarters manages the indicator catalogue and targets")


@transaction.atomic
def indicator_upsert(
    *,
    actor: User,
    code: str,
    name_zh: str,
    unit: str,
    name_en: str = "",
    frequency: str = Frequency.DEKAD,
    kind: str = Kind.FLOW,
    grace_days: int = 3,
    order: int = 0,
    active: bool = True,
    request: HttpRequest | None = None,
) -> Indicator:
    _require_city(actor)
    if frequency not in Frequency.values or kind not in Kind.values:
        raise ValidationFailed("invalid", "unknown frequency or kind")
    if not code or not name_zh or not unit:
        raise ValidationFailed("invalid", "code, name and unit are required")
    obj, created = Indicator.objects.update_or_create(
        code=code,
        defaults={
            "name_zh": name_zh,
            "name_en": name_en,
            "unit": unit,
            "frequency": frequency,
            "kind": kind,
            "grace_days": grace_days,
            "order": order,
            "active": active,
        },
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=obj, request=request
    )
    return obj


@transaction.atomic
def target_set(
    *,
    actor: User,
    indicator: Indicator,
    area_code: str,
    year: int,
    value: Any,
    request: HttpRequest | None = None,
) -> Target:
    _require_city(actor)
    area = _district(area_code)
    target, _ = Target.objects.update_or_create(
        indicator=indicator, area=area, year=year, defaults={"value": _number(value)}
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=target,
        area_code=area.code,
        request=request,
        after={"indicator": indicator.code, "year": year, "value": str(target.value)},
    )
    return target


@transaction.atomic
def report_submit(
    *,
    actor: User,
    indicator: Indicator,
    area_code: str,
    dekad: str,
    value: Any,
    note: str = "",
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Report:
    """A district reports a value for a dekad. A second submission corrects the value; lateness stays that of the
    first, so a correction never turns an on-time report late (nor a late one on time)."""
    area = _district(area_code)
    if not has_perm_at(actor, Perm.INDICATOR_REPORT, area.code):
        raise Forbidden("forbidden", "you may not report for this district")
    if not indicator.active:
        raise NotFound("indicator_not_found", "no such active indicator")
    try:
        period = dk.parse(dekad)
    except ValueError as exc:
        raise ValidationFailed(
            "invalid_dekad", str(exc), [{"field": "dekad", "message": "YYYY-MM-P"}]
        ) from None
    if not indicator.expects(period.part):
        raise ValidationFailed(
            "not_expected", "this monthly indicator is reported in the last dekad (下旬) only"
        )
    now = now or timezone.now()
    local_day = timezone.localtime(now).date()
    if period.start > local_day:
        raise ValidationFailed("future_dekad", "a dekad that has not begun cannot be reported")
    number = _number(value)
    report = (
        Report.objects.select_for_update().filter(indicator=indicator, area=area, dekad=period.key).first()
    )
    if report is None:
        status = dk.report_status(period, local_day, local_day, indicator.grace_days)
        report = Report.objects.create(
            indicator=indicator,
            area=area,
            dekad=period.key,
            value=number,
            submitted_at=now,
            submitted_on=local_day,
            state=status.state.value,
            days_late=status.days_late,
            submitted_by=actor,
            note=note[:500],
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=report,
            request=request,
            after={"value": str(number), "state": report.state},
        )
        return report
    before = {"value": str(report.value)}
    report.value, report.note = number, note[:500] or report.note
    report.save(update_fields=["value", "note", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=report,
        request=request,
        fields=["value"],
        before=before,
        after={"value": str(number)},
    )
    return report
