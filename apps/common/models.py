"""Shared models: the last run of each periodic job, so any number of schedulers enqueue each run once."""

from django.db import models


class ScheduledJob(models.Model):
    name = models.CharField(max_length=64, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_task_id = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.name} (last {self.last_run_at})"
