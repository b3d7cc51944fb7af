"""Price alerts on the headquarters dashboard: daily necessities that rose past their alert share."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.common.headquarters import Figure, url
from apps.prices.selectors import active_price_alerts, markets_visible


def _alerts(user: Any, area: str) -> list[Any]:
    alerts = active_price_alerts(user=user)
    if not area:
        return alerts
    markets = set(markets_visible(user=user).filter(area__code__startswith=area).values_list("pk", flat=True))
    return [a for a in alerts if a.market in markets]


def _by_area(user: Any, area: str, digits: int) -> dict[str, int]:
    where = dict(markets_visible(user=user).values_list("pk", "area_id"))
    out: dict[str, int] = {}
    for alert in _alerts(user, area):
        key = str(where.get(alert.market, ""))[:digits]
        out[key] = out.get(key, 0) + 1
    return out


FIGURES = [
    Figure(
        key="prices.alerts",
        label=_("Price alerts"),
        track="recovery",
        perm="price.view",
        order=30,
        count=lambda user, area: len(_alerts(user, area)),
        by_area=_by_area,
        link=lambda area: url("/prices/"),
    )
]
