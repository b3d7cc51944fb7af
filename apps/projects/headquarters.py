"""The major projects' figures on the headquarters dashboard: projects by colour (三色管理)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.common.headquarters import Figure, count_by_prefix, url
from apps.projects.selectors import projects_list


def _colour(colour: str, label: Any, order: int) -> Figure:
    def qs(user: Any, area: str) -> Any:
        return projects_list(user=user, area=area, colour=colour)

    return Figure(
        key=f"projects.{colour}",
        label=label,
        track="recovery",
        perm="project.view",
        order=order,
        bad_when_high=colour != "blue",
        count=lambda user, area: qs(user, area).count(),
        by_area=lambda user, area, digits: count_by_prefix(qs(user, area), "area_id", digits),
        link=lambda area: url("/projects/", colour=colour, area=area),
        api=lambda area: url("/api/projects/", colour=colour, area=area),
    )


FIGURES = [
    _colour("red", _("Projects seriously lagging (red)"), 20),
    _colour("yellow", _("Projects lagging (yellow)"), 21),
    _colour("blue", _("Projects on schedule (blue)"), 22),
]
