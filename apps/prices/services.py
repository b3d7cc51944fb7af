"""Writes of prices: record a day's price (idempotent per item, market and day), set an item's alert share."""

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
from apps.common.errors import Forbidden, ValidationFailed
from apps.prices.models import Market, PriceItem, PriceRecord


def _price(value: Any) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        d = Decimal("NaN")
    if not d.is_finite() or d <= 0 or d >= Decimal("1e8"):  # the column holds 8 integer digits
        raise ValidationFailed(
            "invalid_price", "a price is a positive number", [{"field": "price", "message": str(value)}]
        )
    return d.quantize(Decimal("0.01"))


@transaction.atomic
def prices_record(
    *, actor: User, rows: list[dict[str, Any]], request: HttpRequest | None = None
) -> list[PriceRecord]:
    """Record prices, each {item, market, day, price} by codes; the same item/market/day again replaces the
    price (a correction), so re-sending a batch creates nothing twice. All rows are checked before any is written."""
    items = {i.code: i for i in PriceItem.objects.filter(code__in={r.get("item") for r in rows})}
    markets = {m.code: m for m in Market.objects.filter(code__in={r.get("market") for r in rows})}
    today = timezone.localdate()
    clean, errors = [], []
    for n, row in enumerate(rows):
        item, market = items.get(row.get("item", "")), markets.get(row.get("market", ""))
        try:
            if item is None or market is None:
                raise ValidationFailed("unknown", "unknown item or market")
            if not has_perm_at(actor, Perm.PRICE_REPORT, market.area_id):
                raise Forbidden("forbidden", "you may not record prices for this market")
            day = (
                row["day"]
                if isinstance(row.get("day"), dt.date)
                else dt.date.fromisoformat(str(row.get("day")))
            )
            if day > today:
                raise ValidationFailed("future_day", "a price cannot be recorded for a future day")
            clean.append((item, market, day, _price(row.get("price"))))
        except (ValueError, KeyError):
            errors.append({"row": n, "field": "day", "message": "dates are YYYY-MM-DD"})
        except ValidationFailed as exc:  # Forbidden is not caught: one row out of scope refuses the batch
            errors.append(
                {"row": n, "field": exc.details[0]["field"] if exc.details else "", "message": exc.message}
            )
    if errors:
        raise ValidationFailed("invalid_prices", "some rows are not valid; nothing was recorded", errors)
    out = []
    for item, market, day, price in clean:
        record, _ = PriceRecord.objects.update_or_create(
            item=item, market=market, day=day, defaults={"price": price, "recorded_by": actor}
        )
        out.append(record)
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        object_type="prices.pricerecord",
        object_repr=f"{len(out)} prices",
        after={"rows": len(out)},
        request=request,
    )
    return out


@transaction.atomic
def item_alert_share_set(
    *, actor: User, item: PriceItem, share: Any, request: HttpRequest | None = None
) -> PriceItem:
    """The headquarters sets how far above its 7-day baseline a price may rise before it alerts."""
    if not any(len(p) <= 4 for p in grant_prefixes(actor, Perm.PRICE_REPORT)):
        raise Forbidden("forbidden", "only the city headquarters sets alert thresholds")
    try:
        value = Decimal(str(share))
    except (InvalidOperation, ValueError):
        value = Decimal(0)
    if not value.is_finite() or not Decimal("0") < value < Decimal("10"):
        raise ValidationFailed("invalid_share", "the share is a positive number such as 0.2 for 20%")
    before = {"alert_share": str(item.alert_share)}
    item.alert_share = value
    item.save(update_fields=["alert_share"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=item,
        before=before,
        after={"alert_share": str(value)},
        request=request,
    )
    return item
