"""The health-code figures of the headquarters dashboard: red and yellow codes (the colour counts page)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.codes.selectors import colour_counts
from apps.common.headquarters import Figure, url


def _colour(colour: str, label: Any, order: int) -> Figure:
    def by_area(user: Any, area: str, digits: int) -> dict[str, Any]:
        return {str(r["area"]): r[colour] for r in colour_counts(user=user, area=area, level_digits=digits)}

    return Figure(
        key=f"codes.{colour}",
        label=label,
        track="containment",
        perm="code.view",
        order=order,
        count=lambda user, area: sum(r[colour] for r in colour_counts(user=user, area=area)),  # type: ignore[misc]
        by_area=by_area,
        link=lambda area: url("/codes/counts/", area=area),
    )


FIGURES = [_colour("red", _("Red codes"), 30), _colour("yellow", _("Yellow codes"), 31)]
