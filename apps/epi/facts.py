"""Health-code fact from the epi app: the risk level of the person's residence district (分区分级)."""

from __future__ import annotations

from typing import Any

from apps.epi.services import risk_levels_today
from apps.people.models import Person


def residence_risk(person_ids: list[int]) -> dict[int, dict[str, Any]]:
    levels = {code: row.level for code, row in risk_levels_today().items() if row.level != "low"}
    if not levels:
        return {}
    out: dict[int, dict[str, Any]] = {}
    for pk, area in Person.objects.filter(pk__in=person_ids).values_list("pk", "area_id"):
        level = levels.get(area[:6])
        if level is not None:
            out[pk] = {"residence_risk": level}
    return out
