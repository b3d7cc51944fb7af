"""Scheduled and deferred work of the health-code app."""

from __future__ import annotations

from django_tasks import task


@task()
def recompute_all_codes() -> dict[str, int]:
    """The daily job (and the job after a rule change): every code, rows written only where they changed."""
    from apps.codes.services import codes_recompute

    stats = codes_recompute()
    return {"persons": stats.persons, "written": stats.written, "non_green": stats.non_green}


@task()
def recompute_codes(person_ids: list[int]) -> int:
    from apps.codes.services import codes_recompute

    return codes_recompute(person_ids=person_ids).written
