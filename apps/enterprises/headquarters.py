"""The recovery figures of the enterprises app on the headquarters dashboard: resumption and the hotline."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.common.headquarters import Figure, count_by_prefix, url
from apps.enterprises.selectors import enterprises_list, tickets_list


def _enterprise_figure(
    key: str, label: Any, order: int, bad_when_high: bool = True, **filters: str
) -> Figure:
    def qs(user: Any, area: str) -> Any:
        return enterprises_list(user=user, area=area, **filters)

    return Figure(
        key=key,
        label=label,
        track="recovery",
        perm="enterprise.view",
        order=order,
        bad_when_high=bad_when_high,
        count=lambda user, area: qs(user, area).count(),
        by_area=lambda user, area, digits: count_by_prefix(qs(user, area), "area_id", digits),
        link=lambda area: url("/enterprises/", **filters, area=area),
        api=lambda area: url("/api/enterprises/", **filters, area=area),
    )


def _resumption_rate(user: Any, area: str, **filters: str) -> float | None:
    """复工率: enterprises partly or fully resumed, among all (the list's own filters)."""
    total = enterprises_list(user=user, area=area, **filters).count()
    waiting = enterprises_list(user=user, area=area, status="not", **filters).count()
    return round(100 * (total - waiting) / total, 1) if total else None


def _overdue(user: Any, area: str) -> Any:
    return tickets_list(user=user, overdue=True, area=area)


FIGURES = [
    Figure(
        key="enterprises.resumption_rate",
        label=_("Resumption rate (all enterprises)"),
        track="recovery",
        perm="enterprise.view",
        order=10,
        unit="%",
        bad_when_high=False,
        count=_resumption_rate,
        link=lambda area: url("/enterprises/", area=area),
    ),
    Figure(
        key="enterprises.resumption_rate_above",
        label=_("Resumption rate (enterprises above designated size, 四上)"),
        track="recovery",
        perm="enterprise.view",
        order=11,
        unit="%",
        bad_when_high=False,
        count=lambda user, area: _resumption_rate(user, area, above="1"),
        link=lambda area: url("/enterprises/", above="1", area=area),
    ),
    _enterprise_figure("enterprises.not_resumed", _("Enterprises not resumed"), 12, status="not"),
    _enterprise_figure(
        "enterprises.fully_above",
        _("Fully resumed, above designated size"),
        13,
        bad_when_high=False,
        status="fully",
        above="1",
    ),
    Figure(
        key="enterprises.hotline_overdue",
        label=_("Hotline tickets overdue"),
        track="recovery",
        perm="enterprise.view",
        order=14,
        count=lambda user, area: _overdue(user, area).count(),
        by_area=lambda user, area, digits: count_by_prefix(_overdue(user, area), "area_id", digits),
        link=lambda area: url("/enterprises/tickets/", overdue="1", area=area),
        api=lambda area: url("/api/hotline/tickets", overdue="true", area=area),
    ),
]
