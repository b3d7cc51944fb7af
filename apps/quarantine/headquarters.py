"""The quarantine app's figures on the headquarters dashboard (apps.common.headquarters): people in quarantine
(centralised and at home) and free rooms, by area."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.common.headquarters import Figure, count_by_prefix, url
from apps.quarantine.choices import StayKind, StayStatus
from apps.quarantine.selectors import capacity, stays_list


def _stay_figure(key: str, label: Any, order: int, kind: str, link: str) -> Figure:
    def qs(user: Any, area: str) -> Any:
        return stays_list(user=user, status=StayStatus.ACTIVE, kind=kind, area=area)

    return Figure(
        key=key,
        label=label,
        track="containment",
        perm="quarantine.view",
        order=order,
        count=lambda user, area: qs(user, area).count(),
        by_area=lambda user, area, digits: count_by_prefix(qs(user, area), "area_id", digits),
        link=lambda area: url(link, area=area),
        api=lambda area: url("/api/quarantine/stays", status=StayStatus.ACTIVE, kind=kind, area=area),
    )


FIGURES = [
    _stay_figure(
        "quarantine.centralised",
        _("In centralised quarantine"),
        50,
        StayKind.CENTRALISED,
        "/quarantine/capacity/",
    ),
    _stay_figure("quarantine.home", _("In home quarantine"), 51, StayKind.HOME, "/quarantine/home/"),
    Figure(
        key="quarantine.free_rooms",
        label=_("Free quarantine rooms"),
        track="containment",
        perm="quarantine.view",
        order=52,
        count=lambda user, area: capacity(user=user, area=area)["total"]["free"],
        link=lambda area: url("/quarantine/capacity/", area=area),
        bad_when_high=False,
    ),
]
