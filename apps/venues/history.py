"""The person page's history entries from the venues app: the latest scans with temperature and colour."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts.choices import Perm
from apps.accounts.scoping import has_perm_anywhere
from apps.people.history import HistoryItem
from apps.venues.selectors import scans_list


def scan_history(user: Any, person: Any) -> list[HistoryItem]:
    if not has_perm_anywhere(user, Perm.VENUE_VIEW):
        return []
    items = []
    for scan in scans_list(user=user, person_id=person.pk)[:20]:
        temperature = f" {scan.temperature} °C" if scan.temperature is not None else ""
        items.append(
            HistoryItem(
                at=scan.scanned_at,
                kind=_("scan"),
                text=f"{scan.venue.name}{temperature}",
                colour=scan.colour,
                url=reverse("venues:detail", args=[scan.venue_id]),
            )
        )
    return items
