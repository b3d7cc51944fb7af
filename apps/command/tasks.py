"""Scheduled work of the command app: the escalation ladder of overdue tasks and the notification digest."""

from __future__ import annotations

from django_tasks import task


@task()
def escalate_overdue_tasks() -> dict[str, int]:
    """Every 5 minutes: overdue supervised tasks move up reminder → unit head → headquarters."""
    from apps.command.tasks_service import tasks_escalate

    return tasks_escalate()


@task()
def send_notification_digests() -> int:
    """Daily: each user who asked for it gets one digest of the last day's unread notifications."""
    from apps.command.notifications import send_digests

    return send_digests()
