"""Background work of the screening app (django-tasks): big imports, escalation, the nightly reconciliation check."""

from __future__ import annotations

import logging

from django_tasks import task

log = logging.getLogger(__name__)


@task()
def import_list(import_id: int) -> str:
    from apps.screening.services import list_import_run

    return list_import_run(import_id=import_id)


@task()
def escalate_overdue_work_items() -> int:
    from apps.screening.services import work_items_escalate

    return work_items_escalate()


@task()
def check_reconciliation() -> int:
    """底数清, checked by the database every night: the kept counts against the rows; logs and returns differences."""
    from apps.screening.selectors import reconciliation_differences

    found = reconciliation_differences()
    for diff in found:
        log.error("screening reconciliation difference: %s", diff)
    return len(found)
