"""Periodic jobs: settings.TONGCHOU_SCHEDULE names a django-tasks task and when it runs; `run_scheduler` enqueues it.

A run is claimed by compare-and-set on `ScheduledJob.last_run_at`, so two scheduler processes (or a cron-driven
`run_scheduler --once` overlapping a long-running one) never enqueue the same run twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from apps.common.models import ScheduledJob
from core import schedule


@dataclass(frozen=True)
class Job:
    name: str
    task_path: str
    spec: schedule.Spec


def jobs() -> list[Job]:
    return [Job(name, path, schedule.parse(when)) for name, (path, when) in settings.TONGCHOU_SCHEDULE.items()]


def run_due(*, now: dt.datetime | None = None, only: set[str] | None = None) -> list[str]:
    """Enqueue every job that is due; returns the names enqueued."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    started: list[str] = []
    for job in jobs():
        if only and job.name not in only:
            continue
        row, _ = ScheduledJob.objects.get_or_create(name=job.name)
        if not schedule.is_due(job.spec, row.last_run_at, now, tz):
            continue
        # Compare-and-set (filter(last_run_at=None) is IS NULL): only one scheduler wins a given run.
        claimed = ScheduledJob.objects.filter(pk=row.pk, last_run_at=row.last_run_at).update(last_run_at=now)
        if not claimed:
            continue  # another scheduler took this run
        result: Any = import_string(job.task_path).enqueue()
        ScheduledJob.objects.filter(pk=row.pk).update(last_task_id=str(getattr(result, "id", ""))[:64])
        started.append(job.name)
    return started
