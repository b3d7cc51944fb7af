"""API of prices of daily necessities: items, markets, daily prices (batch, idempotent), alerts, chart series."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from ninja import Router, Schema

from apps.accounts.http import AuthedRequest
from apps.common.apitypes import Amount, Day, DaysBack, InSchema, PageNumber, PageSize, PathCode
from apps.common.pagination import Page, paginate
from apps.prices import selectors, services
from apps.prices.exports import prices_export
from apps.prices.models import PriceRecord

router = Router(tags=["prices"])


class ItemOut(Schema):
    code: str
    name_zh: str
    name_en: str
    unit: str
    alert_share: Decimal


class MarketOut(Schema):
    code: str
    name: str
    kind: str
    area_code: str

    @staticmethod
    def resolve_area_code(obj: Any) -> str:
        return obj.area_id


class PriceIn(InSchema):
    item: str
    market: str
    day: Day
    price: Decimal  # the service names the row of an absurd price


class PriceOut(Schema):
    item: str
    market: str
    day: dt.date
    price: Decimal

    @staticmethod
    def resolve_item(obj: PriceRecord) -> str:
        return obj.item.code

    @staticmethod
    def resolve_market(obj: PriceRecord) -> str:
        return obj.market.code


class PriceAlertOut(Schema):
    item: str
    item_name: str
    market: str
    market_name: str
    day: dt.date
    price: float
    baseline: float
    baseline_days: int
    rise: float
    reason_en: str
    reason_zh: str


class ShareIn(InSchema):
    alert_share: Amount(5, 3, ge=0)  # type: ignore[valid-type]


@router.get("/items", response=list[ItemOut])
def item_list(request: AuthedRequest) -> Any:
    return selectors.items_active()


@router.put("/items/{code}", response=ItemOut)
def item_alert_share(request: AuthedRequest, code: PathCode, body: ShareIn) -> Any:
    """Set the share over the 7-day baseline above which the item's prices alert (headquarters only)."""
    item = selectors.item_get(code=code)
    return services.item_alert_share_set(
        actor=request.user, item=item, share=body.alert_share, request=request
    )


@router.get("/markets", response=list[MarketOut])
def market_list(request: AuthedRequest) -> Any:
    return list(selectors.markets_visible(user=request.user))


@router.get("", response=Page[PriceOut])
def price_list(
    request: AuthedRequest,
    item: str = "",
    market: str = "",
    since: Day | None = None,
    until: Day | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 200,
) -> Any:
    qs = selectors.price_records(user=request.user, item=item, market=market, since=since, until=until)
    return paginate(qs, page, page_size)


@router.post("", response={201: list[PriceOut]})
def price_record(request: AuthedRequest, body: list[PriceIn]) -> Any:
    """Record a batch of prices; the same item, market and day again corrects the price (idempotent)."""
    return 201, services.prices_record(actor=request.user, rows=[r.dict() for r in body], request=request)


@router.get("/alerts", response=list[PriceAlertOut])
def alerts(request: AuthedRequest, days: DaysBack = 3) -> Any:
    """Prices of the last `days` days above their item's alert share over the 7-day baseline, with the reason."""
    return [
        {
            "item": a.item.code,
            "item_name": a.item.name,
            "market": a.market.code,
            "market_name": a.market.name,  # type: ignore[attr-defined]
            "day": a.day,
            "price": a.price,
            "baseline": a.baseline,
            "baseline_days": a.baseline_days,
            "rise": a.rise,
            "reason_en": a.reason_en,
            "reason_zh": a.reason_zh,
        }
        for a in selectors.active_price_alerts(user=request.user, days=min(max(days, 1), 60))
    ]


@router.get("/export")
def export(
    request: AuthedRequest,
    item: str = "",
    market: str = "",
    since: Day | None = None,
    until: Day | None = None,
    format: str = "csv",
) -> HttpResponse:
    return prices_export(
        user=request.user,
        item=item,
        market=market,
        since=since,
        until=until,
        fmt=format,  # type: ignore[arg-type]
        request=request,
    )


@router.get("/items/{code}/series")
def series(request: AuthedRequest, code: PathCode, days: DaysBack = 30) -> Any:
    item = selectors.item_get(code=code)
    return selectors.price_series(user=request.user, item=item, days=min(max(days, 7), 366))
