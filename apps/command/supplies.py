"""Supplies (物资保障): stock movements idempotent by client id, stock kept on write, burn rate and days of supply,
and low-stock alerts through the one notification centre."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm
from apps.accounts.models import User
from apps.accounts.scoping import area_q, has_perm_at
from apps.command.choices import MOVEMENT_SIGN, MovementKind
from apps.command.models import StockLevel, StockMovement, SupplyItem, Warehouse
from apps.common.errors import Forbidden, NotFound, ValidationFailed
from apps.common.idempotency import payload_digest, replay_or_conflict
from apps.common.notify import notify, notify_resolved

BURN_DAYS = 7  # the burn rate is the mean daily issue over the last week


def movement_record(
    *, actor: User, data: dict[str, Any], request: HttpRequest | None = None
) -> tuple[StockMovement, bool]:
    """Record one movement; returns (movement, created). A retry with the same client id returns the stored one."""
    client_id = str(data.get("client_id", "")).strip()
    errors = []
    if not client_id or len(client_id) > 64:
        errors.append({"field": "client_id", "message": "required, at most 64 characters"})
    if data.get("kind") not in MovementKind.values:
        errors.append({"field": "kind", "message": "unknown kind"})
    quantity = data.get("quantity")
    if not isinstance(quantity, int) or not 0 < quantity <= 10**12:
        errors.append({"field": "quantity", "message": "a whole number above 0"})
    if errors:
        raise ValidationFailed("invalid", "the movement is incomplete", errors)
    digest = payload_digest(
        {k: data.get(k) for k in ("warehouse_id", "item_code", "kind", "quantity", "note")}
    )
    stored = StockMovement.objects.filter(client_id=client_id).first()
    if stored is not None:
        replay_or_conflict(stored.digest, digest)
        return stored, False
    warehouse = Warehouse.objects.filter(pk=data.get("warehouse_id")).first()
    if warehouse is None or not has_perm_at(actor, Perm.SUPPLY_CHANGE, warehouse.area_id):
        raise NotFound("not_found", "no such warehouse in your jurisdiction")
    item = SupplyItem.objects.filter(code=data.get("item_code")).first()
    if item is None:
        raise ValidationFailed(
            "invalid", "the movement is incomplete", [{"field": "item_code", "message": "unknown item"}]
        )
    sign = MOVEMENT_SIGN[data["kind"]]
    try:
        with transaction.atomic():
            level, _ = StockLevel.objects.select_for_update().get_or_create(warehouse=warehouse, item=item)
            if sign < 0 and level.quantity < quantity:
                raise ValidationFailed(
                    "insufficient_stock",
                    "not enough in stock",
                    [{"field": "quantity", "message": f"{level.quantity} in stock"}],
                )
            movement = StockMovement.objects.create(
                warehouse=warehouse,
                item=item,
                kind=data["kind"],
                quantity=quantity,
                note=str(data.get("note", ""))[:2000],
                recorded_by=actor,
                client_id=client_id,
                digest=digest,
            )
            StockLevel.objects.filter(pk=level.pk).update(quantity=F("quantity") + sign * quantity)
            level.refresh_from_db()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=movement,
                area_code=warehouse.area_id,
                request=request,
            )
            _alert_if_low(level)
    except IntegrityError:  # the same client id stored at the same moment by a parallel retry
        stored = StockMovement.objects.get(client_id=client_id)
        replay_or_conflict(stored.digest, digest)
        return stored, False
    return movement, True


def _alert_if_low(level: StockLevel) -> None:
    ref = f"command.stock:{level.pk}"
    if level.threshold and level.quantity < level.threshold:
        if not _open_low_alert(ref):
            notify(
                kind="command.low_stock",
                title=gettext_noop("Low stock: %(item)s at %(warehouse)s (%(quantity)s left)"),
                params={
                    "item": level.item.name,
                    "warehouse": level.warehouse.name,
                    "quantity": level.quantity,
                },
                area_code=level.warehouse.area_id,
                perm=Perm.SUPPLY_VIEW,
                severity="warning",
                link="/command/supplies/",
                source_ref=ref,
            )
    else:
        notify_resolved(ref)


def _open_low_alert(ref: str) -> bool:
    from apps.command.models import Notification

    return Notification.objects.filter(source_ref=ref, resolved_at=None).exists()


def stock_levels(*, user: User, area: str = "", low: bool = False) -> QuerySet[StockLevel]:
    qs = StockLevel.objects.filter(area_q(user, Perm.SUPPLY_VIEW, "warehouse__area")).select_related(
        "warehouse", "item"
    )
    if area:
        qs = qs.filter(warehouse__area__code__startswith=area)
    if low:
        qs = qs.filter(threshold__gt=0, quantity__lt=F("threshold"))
    return qs.order_by("warehouse__area_id", "warehouse__name", "item__code")


def burn_rates(levels: list[StockLevel], *, now: dt.datetime | None = None) -> dict[int, float]:
    """Mean daily issue (and transfer out) of each level's item at its warehouse over the last BURN_DAYS days."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=BURN_DAYS)
    q = Q(pk__in=[])
    for lv in levels:
        q |= Q(warehouse_id=lv.warehouse_id, item_id=lv.item_id)
    rows = (
        StockMovement.objects.filter(
            q, kind__in=[MovementKind.ISSUE, MovementKind.TRANSFER_OUT], at__gte=since, at__lt=now
        )
        .values("warehouse_id", "item_id")
        .annotate(n=Sum("quantity"))
    )
    out = {(r["warehouse_id"], r["item_id"]): r["n"] / BURN_DAYS for r in rows}
    return {lv.pk: out.get((lv.warehouse_id, lv.item_id), 0.0) for lv in levels}


def days_of_supply(quantity: int, burn: float) -> float | None:
    """Days the stock lasts at the burn rate; None when nothing is being used."""
    return math.floor(10 * quantity / burn) / 10 if burn > 0 else None


def threshold_set(*, actor: User, level: StockLevel, threshold: int) -> StockLevel:
    if not has_perm_at(actor, Perm.SUPPLY_CHANGE, level.warehouse.area_id):
        raise Forbidden("forbidden", "no such warehouse in your jurisdiction")
    level.threshold = max(int(threshold), 0)
    level.save(update_fields=["threshold"])
    _alert_if_low(level)
    return level
