"""Health-code fact from the epi app: the risk level of the person's residence district (分区分级)."""

from __future__ import annotations

from typing import Any

from apps.codes.facts import PersonChunk
from apps.epi.services import risk_levels_today


def residence_risk(chunk: PersonChunk) -> dict[int, dict[str, Any]]:
    """No query of its own for the persons: the chunk carries their residence areas."""
    levels = {code: row.level for code, row in risk_levels_today().items() if row.level != "low"}
    if not levels:
        return {}
    out: dict[int, dict[str, Any]] = {}
    for pk, area in chunk.rows:
        level = levels.get(area[:6])
        if level is not None:
            out[pk] = {"residence_risk": level}
    return out
