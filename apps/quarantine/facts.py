"""Health-code facts from the quarantine app: every stay is a `quarantine_stays` fact (a provider for
apps.codes.facts; one query per call whatever the number of persons).

A stay counts from its first day to its quarantine end, or to the day the person left quarantine proper
(release, early release, step-down to health monitoring, hospital). A stay past its end but not yet released
(a test missing, an alert open) still counts until tomorrow: the code turns green on release, not before.
Health monitoring alone is not quarantine, and a cancelled stay never was one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.codes.facts import LOOKBACK_DAYS, PersonChunk
from apps.quarantine.choices import OPEN_STAY_STATUSES, StayKind, StayStatus
from apps.quarantine.models import Stay
from core.coderules import QuarantineStay


def quarantine_facts(chunk: PersonChunk) -> dict[int, dict[str, Any]]:
    today = timezone.localdate()
    since = today - dt.timedelta(days=LOOKBACK_DAYS)
    out: dict[int, dict[str, Any]] = {}
    rows = (
        Stay.objects.filter(**chunk.where(), quarantine_end__gte=since)
        .exclude(status=StayStatus.CANCELLED)
        .exclude(kind=StayKind.HOME_MONITORING)
        .values_list("person_id", "start_day", "quarantine_end", "released_on", "status")
    )
    for person, start, end, released, status in rows:
        if status in OPEN_STAY_STATUSES and released is None:
            end = max(end, today + dt.timedelta(days=1))
        stay = QuarantineStay(
            start=start,
            planned_end=max(end, start),
            released_on=max(released, start) if released is not None else None,
        )
        facts = out.setdefault(person, {})
        facts["quarantine_stays"] = (*facts.get("quarantine_stays", ()), stay)
    return out
