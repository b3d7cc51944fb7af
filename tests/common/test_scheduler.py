"""Periodic jobs: every configured task exists, runs when due, and a run is enqueued once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.module_loading import import_string

from apps.common import schedule
from apps.common.models import ScheduledJob

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))


def test_every_configured_job_names_a_real_task():
    for job in schedule.jobs():
        assert hasattr(import_string(job.task_path), "enqueue"), job


def test_a_due_job_runs_once_until_it_is_due_again(settings, monkeypatch):
    calls = []
    settings.TONGCHOU_SCHEDULE = {"probe": ("tests.common.test_scheduler.probe_task", "daily 00:05")}
    monkeypatch.setattr("tests.common.test_scheduler.probe_task.enqueue", lambda: calls.append(1))
    first = dt.datetime(2020, 2, 1, 0, 6, tzinfo=SH)
    assert schedule.run_due(now=first) == ["probe"]
    assert schedule.run_due(now=first + dt.timedelta(hours=23)) == []
    assert schedule.run_due(now=dt.datetime(2020, 2, 2, 0, 5, tzinfo=SH)) == ["probe"]
    assert len(calls) == 2
    assert ScheduledJob.objects.get(name="probe").last_run_at == dt.datetime(2020, 2, 2, 0, 5, tzinfo=SH)


def test_a_run_claimed_by_another_scheduler_is_not_enqueued_again(settings, monkeypatch):
    calls = []
    settings.TONGCHOU_SCHEDULE = {"probe": ("tests.common.test_scheduler.probe_task", "every 5m")}
    monkeypatch.setattr("tests.common.test_scheduler.probe_task.enqueue", lambda: calls.append(1))
    now = dt.datetime(2020, 2, 1, 10, 0, tzinfo=SH)
    row = ScheduledJob.objects.create(name="probe", last_run_at=now - dt.timedelta(minutes=10))
    stale = ScheduledJob.objects.get(pk=row.pk)
    ScheduledJob.objects.filter(pk=row.pk).update(last_run_at=now)  # the other scheduler won this run
    monkeypatch.setattr(ScheduledJob.objects, "get_or_create", lambda **kw: (stale, False))
    assert schedule.run_due(now=now) == []
    assert calls == []


def test_the_command_runs_the_real_jobs_once(city):
    out = io.StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    text = out.getvalue()
    names = tuple(settings.TONGCHOU_SCHEDULE)  # every job the product schedules, a new one included
    assert {"codes_daily", "risk_daily", "scans_purge", "hotline_escalation", "login_throttles_purge"} <= set(names)
    for name in names:
        assert f"enqueued {name}" in text
    assert ScheduledJob.objects.filter(last_run_at__isnull=False).count() == len(names)


class _Probe:
    def enqueue(self):  # replaced in each test
        raise AssertionError("not patched")


probe_task = _Probe()
