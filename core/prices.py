"""Prices of daily necessities (保民生): 7-day baselines and alerts on abnormal rises, per item and market."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict, deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PriceObservation:
    item: Hashable
    market: Hashable
    day: dt.date
    price: float


@dataclass(frozen=True, slots=True)
class PriceAlert:
    item: Hashable
    market: Hashable
    day: dt.date
    price: float
    baseline: float  # mean price of the observed days in the window before `day`
    baseline_days: int  # how many observed days the baseline rests on
    rise: float  # price / baseline - 1

    @property
    def reason_en(self) -> str:
        return f"{self.price:.2f} is {self.rise:.0%} above the {self.baseline_days}-day mean of {self.baseline:.2f}"

    @property
    def reason_zh(self) -> str:
        return f"价格{self.price:.2f}较前{self.baseline_days}日均价{self.baseline:.2f}上涨{self.rise:.0%}"


def _check(threshold: float, window_days: int, min_days: int) -> None:
    if threshold <= 0:
        raise ValueError("the alert threshold must be a positive share, e.g. 0.2 for 20%")
    if window_days < 1 or min_days < 1 or min_days > window_days:
        raise ValueError("need 1 <= min_days <= window_days")


def baseline(
    prices: dict[dt.date, float], day: dt.date, window_days: int = 7, min_days: int = 3
) -> float | None:
    """Mean price over the observed days among the `window_days` days before `day` (not `day` itself).

    Markets skip days (holidays, no delivery), so the baseline averages what was observed and needs at
    least `min_days` observations; with fewer it is None and nothing can be judged against it.
    """
    window = [p for d, p in prices.items() if 1 <= (day - d).days <= window_days]
    if len(window) < min_days:
        return None
    return math.fsum(window) / len(window)


def is_alert(price: float, base: float | None, threshold: float) -> bool:
    # Rounded so a rise of exactly the threshold (10.0 over 8.0 with 25%) is not an alert by float noise.
    return base is not None and base > 0 and round(price / base - 1, 9) > threshold


def price_alerts(
    observations: Iterable[PriceObservation],
    threshold: float,
    *,
    window_days: int = 7,
    min_days: int = 3,
    since: dt.date | None = None,
) -> list[PriceAlert]:
    """Every observation whose price rises more than `threshold` over its baseline, ordered by day, item, market.

    One pass per series with a sliding window, O(n log n) for sorting. A spike is judged against the days
    before it only, so a spike does not hide itself by raising its own baseline. `since` skips alerts for
    earlier days (their observations still feed later baselines).
    """
    _check(threshold, window_days, min_days)
    series: dict[tuple[Hashable, Hashable], list[tuple[dt.date, float]]] = defaultdict(list)
    for o in observations:
        if o.price < 0:
            raise ValueError(f"negative price for {o.item} at {o.market} on {o.day}")
        series[(o.item, o.market)].append((o.day, o.price))
    alerts = []
    for (item, market), points in series.items():
        points.sort(key=lambda p: p[0])
        window: deque[tuple[dt.date, float]] = deque()
        previous: dt.date | None = None
        for day, price in points:
            if day == previous:
                raise ValueError(f"two prices for {item} at {market} on {day}")
            previous = day
            while window and (day - window[0][0]).days > window_days:
                window.popleft()
            base = math.fsum(p for _, p in window) / len(window) if len(window) >= min_days else None
            if (since is None or day >= since) and is_alert(price, base, threshold):
                assert base is not None
                alerts.append(PriceAlert(item, market, day, price, base, len(window), price / base - 1))
            window.append((day, price))
    alerts.sort(key=lambda a: (a.day, str(a.item), str(a.market)))
    return alerts
