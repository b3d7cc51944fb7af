"""The arrivals app's figures on the headquarters dashboard (apps.common.headquarters): travellers still in the
closed loop, and those whose stage is overdue, by destination area."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.arrivals.selectors import travellers_list
from apps.common.headquarters import Figure, count_by_prefix, url


def _traveller_figure(key: str, label: Any, order: int, **flags: bool) -> Figure:
    def qs(user: Any, area: str) -> Any:
        return travellers_list(user=user, area=area, **flags)

    on = {k: "true" for k, v in flags.items() if v}
    return Figure(
        key=key,
        label=label,
        track="containment",
        perm="arrival.view",
        order=order,
        count=lambda user, area: qs(user, area).count(),
        by_area=lambda user, area, digits: count_by_prefix(qs(user, area), "destination_area_id", digits),
        link=lambda area: url("/arrivals/travellers/", **dict.fromkeys(on, "1"), area=area),
        api=lambda area: url("/api/arrivals/travellers", **on, area=area),
    )


FIGURES = [
    _traveller_figure("arrivals.in_loop", _("Travellers in the closed loop"), 60, in_loop=True),
    _traveller_figure("arrivals.overdue", _("Loop stages overdue"), 61, overdue=True),
]
