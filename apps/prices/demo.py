"""Demo step: staple items, two markets per district, 30 days of daily prices, and one pork price spike."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from apps.demo.generator import DemoContext
from apps.geo.choices import AreaLevel
from apps.geo.models import Area
from apps.prices.choices import MarketKind
from apps.prices.models import Market, PriceItem, PriceRecord

NAME = "prices"
DAYS = 30
ITEMS = [  # code, Chinese, English, unit, typical price
    ("pork", "猪肉", "Pork", "元/斤", 28.0),
    ("beef", "牛肉", "Beef", "元/斤", 42.0),
    ("eggs", "鸡蛋", "Eggs", "元/斤", 5.2),
    ("rice", "大米", "Rice", "元/斤", 2.6),
    ("oil", "食用油", "Cooking oil", "元/升", 13.5),
    ("cabbage", "大白菜", "Chinese cabbage", "元/斤", 1.6),
    ("potato", "土豆", "Potatoes", "元/斤", 2.2),
    ("tomato", "西红柿", "Tomatoes", "元/斤", 4.5),
]


@transaction.atomic
def run(ctx: DemoContext) -> dict[str, Any]:
    rng = ctx.rng(NAME)
    for order, (code, zh, en, unit, _p) in enumerate(ITEMS):
        PriceItem.objects.update_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "unit": unit, "order": order}
        )
    items = {i.code: i for i in PriceItem.objects.filter(code__in=[c[0] for c in ITEMS])}
    districts = list(Area.objects.filter(level=AreaLevel.DISTRICT).values_list("code", "name_zh"))
    for code, name in districts:
        for n, kind in enumerate((MarketKind.FARMERS, MarketKind.SUPERMARKET), start=1):
            label = "农贸市场" if kind == MarketKind.FARMERS else "生活超市"
            Market.objects.get_or_create(
                code=f"m{code}-{n}",
                defaults={"name": f"{name[:2]}{label}", "kind": kind, "area_id": f"{code}{n:03d}"},
            )
    markets = list(Market.objects.filter(code__startswith="m99").order_by("code"))
    spike_market = markets[len(markets) // 2] if markets else None
    first = ctx.today - dt.timedelta(days=DAYS - 1)
    records = []
    for market in markets:
        for code, _zh, _en, _unit, typical in ITEMS:
            price = typical * rng.uniform(0.9, 1.1)
            for i in range(DAYS):
                day = first + dt.timedelta(days=i)
                price *= rng.uniform(0.985, 1.015)  # a gentle random walk: no alert by itself
                if rng.random() < 0.08 and day != ctx.today:
                    continue  # markets skip days
                value = price
                if market == spike_market and code == "pork" and day >= ctx.today - dt.timedelta(days=1):
                    value = price * 1.35  # the spike: pork up 35% in one market over the last two days
                records.append(
                    PriceRecord(item=items[code], market=market, day=day, price=Decimal(f"{value:.2f}"))
                )
    PriceRecord.objects.bulk_create(records, batch_size=2000, ignore_conflicts=True)
    return {
        "items": len(items),
        "markets": len(markets),
        "prices": len(records),
        "spike": f"pork @ {spike_market.code}" if spike_market else None,
    }
