"""The person page's history entries from the cases app: each case with its class/status and dates."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.cases.selectors import person_cases
from apps.people.history import HistoryItem


def case_history(user: Any, person: Any) -> list[HistoryItem]:
    items = []
    for case in person_cases(user=user, person=person)[:20]:
        at = case.confirmed_at or case.reported_at or case.created_at
        text = _("Case #%(id)s: %(status)s (%(origin)s)") % {
            "id": case.pk, "status": case.get_status_display(), "origin": case.get_origin_display()}
        items.append(HistoryItem(at=at, kind=_("case"), text=text, url=reverse("cases:detail", args=[case.pk])))
    return items
