"""Schools' readiness on the headquarters dashboard: schools ready to reopen and schools reopened."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.common.headquarters import Figure, count_by_prefix, url
from apps.society.selectors import schools_list


def _schools(readiness: str, label: Any, order: int) -> Figure:
    def qs(user: Any, area: str) -> Any:
        return schools_list(user=user, area=area, readiness=readiness)

    return Figure(
        key=f"society.schools_{readiness}",
        label=label,
        track="recovery",
        perm="school.view",
        order=order,
        bad_when_high=readiness == "not_ready",
        count=lambda user, area: qs(user, area).count(),
        by_area=lambda user, area, digits: count_by_prefix(qs(user, area), "area_id", digits),
        link=lambda area: url("/society/schools/", readiness=readiness, area=area),
        api=lambda area: url("/api/society/schools", readiness=readiness, area=area),
    )


FIGURES = [
    _schools("ready", _("Schools ready to reopen"), 40),
    _schools("not_ready", _("Schools not yet ready"), 41),
]
