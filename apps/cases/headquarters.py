"""The cases app's figures on the headquarters dashboard (apps.common.headquarters): each counts a case list."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.cases.selectors import CaseFilters, cases_list
from apps.common.headquarters import Figure, count_by_prefix, url


def _case_figure(key: str, label: Any, order: int, **filters: Any) -> Figure:
    def params(area: str) -> dict[str, Any]:
        return {**{k: (v() if callable(v) else v) for k, v in filters.items()}, "area": area}

    def qs(user: Any, area: str) -> Any:
        return cases_list(user=user, filters=CaseFilters(**params(area)))

    return Figure(
        key=key,
        label=label,
        track="containment",
        perm="case.view",
        order=order,
        count=lambda user, area: qs(user, area).count(),
        by_area=lambda user, area, digits: count_by_prefix(qs(user, area), "area_id", digits),
        link=lambda area: url("/cases/", **params(area)),
        api=lambda area: url("/api/cases/", **params(area)),
    )


def _today() -> Any:
    return timezone.localdate()


def _cure_rate(user: Any, area: str) -> float | None:
    """治愈率: recovered among confirmed cases that have ended (recovered or died)."""
    recovered = cases_list(user=user, filters=CaseFilters(area=area, status="recovered")).count()
    died = cases_list(user=user, filters=CaseFilters(area=area, status="died")).count()
    return round(100 * recovered / (recovered + died), 1) if recovered + died else None


FIGURES = [
    _case_figure(
        "cases.new",
        _("New confirmed cases today"),
        10,
        klass="confirmed",
        reported_from=_today,
        reported_to=_today,
    ),
    _case_figure("cases.confirmed", _("Confirmed cases (cumulative)"), 11, klass="confirmed"),
    _case_figure("cases.confirmed_not_admitted", _("Confirmed, awaiting admission"), 12, status="confirmed"),
    _case_figure("cases.hospitalised", _("In hospital"), 13, status="hospitalised"),
    _case_figure("cases.recovered", _("Cured"), 14, status="recovered"),
    _case_figure("cases.died", _("Deaths"), 15, status="died"),
    Figure(
        key="cases.cure_rate",
        label=_("Cure rate"),
        track="containment",
        perm="case.view",
        order=16,
        unit="%",
        bad_when_high=False,
        count=_cure_rate,
        link=lambda area: url("/cases/", status="recovered", area=area),
    ),
]
