"""The venues app's figure on the headquarters dashboard: open scan alerts, by the venue's area."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.common.headquarters import Figure, count_by_prefix, url
from apps.venues.selectors import alerts_list

FIGURES = [
    Figure(
        key="venues.open_alerts",
        label=_("Open scan alerts"),
        track="containment",
        perm="alert.view",
        order=40,
        count=lambda user, area: alerts_list(user=user, status="open", area=area).count(),
        by_area=lambda user, area, digits: count_by_prefix(
            alerts_list(user=user, status="open", area=area), "venue_area_id", digits
        ),
        link=lambda area: url("/venues/alerts/", status="open", area=area),
        api=lambda area: url("/api/venues/alerts", status="open", area=area),
    )
]
