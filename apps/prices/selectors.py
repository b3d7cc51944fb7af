"""Reads of prices: markets in scope, latest prices, chart series, and alerts over the 7-day baseline."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.choices import Perm
from apps.accounts.models import User
from apps.accounts.scoping import area_q
from apps.common.errors import NotFound
from apps.prices.choices import MIN_DAYS, WINDOW_DAYS
from apps.prices.models import Market, PriceItem, PriceRecord
from core.prices import PriceAlert, PriceObservation, baseline, price_alerts


def markets_visible(*, user: User, perm: str = Perm.PRICE_VIEW) -> QuerySet[Market]:
    return Market.objects.filter(area_q(user, perm)).select_related("area")


def items_active() -> list[PriceItem]:
    return list(PriceItem.objects.filter(active=True))


def item_get(*, code: str) -> PriceItem:
    item = PriceItem.objects.filter(code=code, active=True).first()
    if item is None:
        raise NotFound("item_not_found", "no such item")
    return item


def price_records(
    *,
    user: User,
    item: str = "",
    market: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[PriceRecord]:
    qs = PriceRecord.objects.filter(area_q(user, Perm.PRICE_VIEW, field="market__area")).select_related(
        "item", "market"
    )
    if item:
        qs = qs.filter(item__code=item)
    if market:
        qs = qs.filter(market__code=market)
    if since:
        qs = qs.filter(day__gte=since)
    if until:
        qs = qs.filter(day__lte=until)
    return qs.order_by("-day", "item__order", "market__code")


def active_price_alerts(*, user: User, today: dt.date | None = None, days: int = 3) -> list[PriceAlert]:
    """Prices of the last `days` days that rose more than their item's alert share over the 7-day baseline.

    Two queries (records in the window, then items and markets); the arithmetic is core.prices.
    """
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=days - 1)
    rows = price_records(user=user, since=since - dt.timedelta(days=WINDOW_DAYS), until=today).values_list(
        "item_id", "market_id", "day", "price"
    )
    by_item: dict[int, list[PriceObservation]] = defaultdict(list)
    for item_id, market_id, day, price in rows:
        by_item[item_id].append(PriceObservation(item_id, market_id, day, float(price)))
    items = PriceItem.objects.in_bulk(list(by_item))
    alerts = []
    for item_id, observations in by_item.items():
        item = items[item_id]
        if item.active:
            alerts += price_alerts(
                observations, float(item.alert_share), window_days=WINDOW_DAYS, min_days=MIN_DAYS, since=since
            )
    markets = Market.objects.in_bulk({a.market for a in alerts})
    out = [
        PriceAlert(items[a.item], markets[a.market], a.day, a.price, a.baseline, a.baseline_days, a.rise)  # type: ignore[index]
        for a in alerts
    ]
    return sorted(out, key=lambda a: (-a.day.toordinal(), -a.rise))


def latest_prices(*, user: User, day: dt.date | None = None) -> list[dict[str, Any]]:
    """Per item: today's mean over the markets in scope, the baseline mean, and the change. One query."""
    day = day or timezone.localdate()
    rows = price_records(user=user, since=day - dt.timedelta(days=WINDOW_DAYS), until=day).values_list(
        "item_id", "market_id", "day", "price"
    )
    series: dict[int, dict[int, dict[dt.date, float]]] = defaultdict(lambda: defaultdict(dict))
    for item_id, market_id, d, price in rows:
        series[item_id][market_id][d] = float(price)
    out = []
    for item in items_active():
        markets = series.get(item.pk, {})
        today_prices = [p[day] for p in markets.values() if day in p]
        bases = [b for p in markets.values() if (b := baseline(p, day, WINDOW_DAYS, MIN_DAYS)) is not None]
        mean = sum(today_prices) / len(today_prices) if today_prices else None
        base = sum(bases) / len(bases) if bases else None
        out.append(
            {
                "item": item,
                "markets": len(today_prices),
                "price": mean,
                "baseline": base,
                "change": (mean / base - 1) if mean is not None and base else None,
            }
        )
    return out


def price_series(
    *, user: User, item: PriceItem, until: dt.date | None = None, days: int = 30, market: str = ""
) -> dict[str, Any]:
    """Chart data: one line per market in scope over the last `days` days (None where no price was taken)."""
    until = until or timezone.localdate()
    first = until - dt.timedelta(days=days - 1)
    keys = [first + dt.timedelta(days=i) for i in range(days)]
    rows = price_records(user=user, item=item.code, market=market, since=first, until=until).values_list(
        "market__code", "market__name", "day", "price"
    )
    lines: dict[str, dict[str, Any]] = {}
    for code, name, d, price in rows:
        lines.setdefault(code, {"market": code, "name": name, "prices": {}})["prices"][d] = float(price)
    return {
        "days": [d.isoformat() for d in keys],
        "series": [
            {"market": v["market"], "name": v["name"], "values": [v["prices"].get(d) for d in keys]}
            for _, v in sorted(lines.items())
        ],
    }
