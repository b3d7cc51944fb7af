"""Health-code facts from arrivals: every inbound traveller is an arrival fact (a provider for apps.codes.facts;
one query per call). From abroad counts as from a high-risk area, as every overseas arrival is quarantined."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.arrivals.models import Traveller
from apps.codes.facts import PersonChunk
from core import coderules

LOOKBACK_DAYS = 130


def arrival_facts(chunk: PersonChunk) -> dict[int, dict[str, Any]]:
    since = timezone.now() - dt.timedelta(days=LOOKBACK_DAYS)
    out: dict[int, dict[str, Any]] = {}
    rows = Traveller.objects.filter(**chunk.where(), arrived_at__gte=since).values_list(
        "person_id", "arrived_at", "origin_kind", "origin_risk"
    )
    for person_id, arrived_at, kind, risk in rows:
        level = coderules.RiskLevel.HIGH if kind == "abroad" else coderules.RiskLevel(risk)
        arrival = coderules.Arrival(timezone.localtime(arrived_at).date(), level)
        out.setdefault(person_id, {"arrivals": ()})
        out[person_id]["arrivals"] = (*out[person_id]["arrivals"], arrival)
    return out
