"""Export of recorded prices as CSV or XLSX, scoped to the markets the user sees."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse

from apps.accounts.models import User
from apps.common.exports import table_response
from apps.prices.selectors import price_records

HEADER = ["day", "item", "item_name", "unit", "market", "market_name", "area_code", "price"]


def prices_export(
    *,
    user: User,
    item: str,
    market: str,
    since: dt.date | None,
    until: dt.date | None,
    fmt: str,
    request: HttpRequest | None = None,
) -> HttpResponse:
    qs = price_records(user=user, item=item, market=market, since=since, until=until)
    rows = (
        [
            r.day,
            r.item.code,
            r.item.name_zh,
            r.item.unit,
            r.market.code,
            r.market.name,
            r.market.area_id,
            r.price,
        ]
        for r in qs.iterator(chunk_size=5000)
    )
    filters = {"item": item, "market": market, "since": str(since or ""), "until": str(until or "")}
    return table_response(
        user=user,
        name="prices",
        header=HEADER,
        rows=rows,
        fmt=fmt,
        object_type="prices.pricerecord",
        filters=filters,
        request=request,
    )
