"""The epidemiology figures of the headquarters dashboard: days since the last local case (清零), Rt, risk levels."""

from __future__ import annotations

from typing import Any

from django.db.models import Max
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.common.headquarters import Figure, url
from apps.epi import selectors


def _days_since(moment: Any) -> int | None:
    if moment is None:
        return None
    return (timezone.localdate() - timezone.localtime(moment).date()).days


def _days_since_local(user: Any, area: str) -> int | None:
    last = (
        selectors.confirmed_cases(user=user, area=area).filter(origin="local").aggregate(m=Max("reported_at"))
    )
    return _days_since(last["m"])


def _days_since_local_by_area(user: Any, area: str, digits: int) -> dict[str, Any]:
    rows = (
        selectors.confirmed_cases(user=user, area=area)
        .filter(origin="local")
        .order_by()
        .annotate(_p=Substr("area_id", 1, digits))
        .values("_p")
        .annotate(m=Max("reported_at"))
    )
    return {r["_p"]: _days_since(r["m"]) for r in rows}


def _rt(user: Any, area: str) -> float | None:
    estimates = selectors.reproduction(user=user, area=area)
    return round(estimates[-1].mean, 2) if estimates else None


def _risk(level: str) -> Figure:
    def rows(area: str) -> list[Any]:
        return [
            r
            for r in selectors.risk_table()
            if r.level == level and r.area_id.startswith(area[:6] if area else "")
        ]

    return Figure(
        key=f"epi.risk_{level}",
        label=_("High-risk districts") if level == "high" else _("Medium-risk districts"),
        track="containment",
        perm="epi.view",
        order=22 if level == "high" else 23,
        count=lambda user, area: len(rows(area)),
        by_area=lambda user, area, digits: {r.area_id[:digits]: 1 for r in rows(area)},
        link=lambda area: url("/epi/", area=area),
    )


FIGURES = [
    Figure(
        key="epi.days_since_local",
        label=_("Days since the last local case"),
        track="containment",
        perm="epi.view",
        order=20,
        bad_when_high=False,
        count=_days_since_local,
        by_area=_days_since_local_by_area,
        link=lambda area: url("/cases/", klass="confirmed", origin="local", area=area),
    ),
    Figure(
        key="epi.rt",
        label=_("Effective reproduction number (Rt)"),
        track="containment",
        perm="epi.view",
        order=21,
        count=_rt,
        link=lambda area: url("/epi/", area=area),
    ),
    _risk("high"),
    _risk("medium"),
]
