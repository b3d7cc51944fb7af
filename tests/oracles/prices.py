"""Price alerts written again from their definition (core/prices.py), in exact rational arithmetic.

Shares nothing with core/prices.py: for every observation, the baseline is the mean of the same series'
prices on the ``window_days`` calendar days before it (not the day itself), which needs at least
``min_days`` of them; the observation is an alert when its price exceeds the baseline by *more* than
``threshold`` (a share: 0.2 is 20%), judged exactly with fractions, so a rise of exactly the threshold
is never an alert. A zero baseline judges nothing.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any


def baseline(
    observations: list[tuple[Any, Any, dt.date, float]],
    item: Any,
    market: Any,
    day: dt.date,
    window_days: int,
    min_days: int,
) -> tuple[Fraction, int] | None:
    """``(mean, number of days)`` of the series' prices in the window before ``day``; None below min_days."""
    before = [
        Fraction(str(p))
        for i, m, d, p in observations
        if (i, m) == (item, market) and day - dt.timedelta(days=window_days) <= d < day
    ]
    if len(before) < min_days:
        return None
    return sum(before, Fraction(0)) / len(before), len(before)


def alerts(
    observations: list[tuple[Any, Any, dt.date, float]], threshold: float, window_days: int, min_days: int
) -> list[tuple[dt.date, Any, Any, Fraction, Fraction, int]]:
    """``(day, item, market, price, baseline, baseline_days)`` of every alert, by day, item, market."""
    limit = Fraction(str(threshold))
    out = []
    for item, market, day, price in observations:
        found = baseline(observations, item, market, day, window_days, min_days)
        if found is None or found[0] == 0:
            continue
        base, days = found
        if Fraction(str(price)) - base > limit * base:
            out.append((day, item, market, Fraction(str(price)), base, days))
    return sorted(out, key=lambda a: (a[0], str(a[1]), str(a[2])))
