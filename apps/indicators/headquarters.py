"""Dekad indicators on the headquarters dashboard: how many district indicators lag the share of the year gone."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.common.headquarters import Figure, url
from apps.indicators.selectors import latest_indicator_progress


def _lagging(user: Any, area: str) -> list[Any]:
    return [
        r
        for r in latest_indicator_progress(user=user)
        if r.district_code.startswith(area) and r.progress is not None and r.progress < r.time_progress
    ]


def _by_area(user: Any, area: str, digits: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in _lagging(user, area):
        out[row.district_code[:digits]] = out.get(row.district_code[:digits], 0) + 1
    return out


FIGURES = [
    Figure(
        key="indicators.lagging",
        label=_("Indicators behind the year's schedule"),
        track="recovery",
        perm="indicator.view",
        order=35,
        count=lambda user, area: len(_lagging(user, area)),
        by_area=_by_area,
        link=lambda area: url("/indicators/"),
    )
]
