"""Background jobs of the enterprises app (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from apps.enterprises.hotline import tickets_escalate


@task()
def escalate_overdue_tickets() -> dict[str, int]:
    """Scheduled every few minutes (cron: `manage.py escalate_tickets --enqueue`): escalate overdue tickets."""
    return tickets_escalate()


@task()
def open_due_commitments() -> int:
    """Scheduled every few minutes: commitments whose planned date has come take effect (from that day)."""
    from apps.enterprises.services import commitments_open_due

    return commitments_open_due()
