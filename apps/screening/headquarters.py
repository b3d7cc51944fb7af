"""The screening app's figure on the headquarters dashboard (apps.common.headquarters): open work items (people
who must still be seen), by the community that owns them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.common.headquarters import Figure, count_by_prefix, url
from apps.screening.choices import WorkStatus
from apps.screening.selectors import work_items

FIGURES = [
    Figure(
        key="screening.open_items",
        label=_("Screening visits still open"),
        track="containment",
        perm="screening.view",
        order=70,
        count=lambda user, area: work_items(user=user, status=WorkStatus.OPEN, area=area).count(),
        by_area=lambda user, area, digits: count_by_prefix(
            work_items(user=user, status=WorkStatus.OPEN, area=area), "area_id", digits
        ),
        link=lambda area: url("/screening/", area=area),
        api=lambda area: url("/api/screening/work-items", status=WorkStatus.OPEN, area=area),
    )
]
