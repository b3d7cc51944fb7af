"""`manage.py run_scheduler`: enqueue periodic jobs when due (run beside `manage.py db_worker`)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.common.schedule import jobs, run_due


class Command(BaseCommand):
    help = "Enqueue the periodic jobs of settings.TONGCHOU_SCHEDULE when they are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="check once and exit (for cron)")
        parser.add_argument("--interval", type=int, default=30, help="seconds between checks")

    def handle(self, *args: Any, once: bool, interval: int, **options: Any) -> None:
        self.stdout.write("jobs: " + ", ".join(f"{j.name} ({j.task_path})" for j in jobs()))
        while True:
            for name in run_due():
                self.stdout.write(f"enqueued {name}")
            if once:
                return
            time.sleep(interval)
