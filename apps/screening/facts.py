"""Health-code facts from screening visits: a temperature a community worker took is a reading like a checkpoint's
(the code rules decide what counts as a fever)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.codes.facts import LOOKBACK_DAYS, PersonChunk
from apps.screening.models import Visit
from core.coderules import TemperatureReading


def visit_facts(chunk: PersonChunk) -> dict[int, dict[str, Any]]:
    since = timezone.now() - dt.timedelta(days=LOOKBACK_DAYS)
    out: dict[int, dict[str, Any]] = {}
    visits = Visit.objects.filter(
        **chunk.where("item__person_id"), visited_at__gte=since, temperature__isnull=False
    ).values_list("item__person_id", "visited_at", "temperature")
    for pid, at, temp in visits.order_by("visited_at", "id"):
        out.setdefault(pid, {"temperatures": []})["temperatures"].append(
            TemperatureReading(timezone.localdate(at), float(temp))
        )
    return {pid: {"temperatures": tuple(f["temperatures"])} for pid, f in out.items()}
