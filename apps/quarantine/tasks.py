"""Background work of the quarantine app (django-tasks): the missed-check-in sweep after each deadline, request
escalation."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def sweep_missed_checkins() -> dict[str, Any]:
    from apps.quarantine.daily import missed_checkins_sweep

    return {"alerts": missed_checkins_sweep()}


@task()
def escalate_late_requests() -> dict[str, Any]:
    from apps.quarantine.daily import requests_escalate

    return {"escalated": requests_escalate()}
